// Package content is Herald's model of what a message says on each channel,
// and the server-side rules a payload must follow before it is sent.
//
// The API takes a channel and its payload as JSON. Decode turns the payload
// into the channel's Content type (SMS, RCS, Viber, WhatsApp, Email, Push,
// TTS, MobilePush, WeChat, Telegram, WebChat), rejecting unknown
// fields and breaking rules with herald.Violations that name each bad field
// by its JSON path, such as payload.card.suggestions[4].text, and state the
// limit: "CTA text must be at most 25 characters (it has 31).". One call
// reports every problem, not only the first.
//
// Every channel that has text takes {"text": "..."}. Richer forms use one
// key per form ("card", "carousel", "file", "list", ...) and may repeat the
// form in "type", which must then agree.
//
// An e-mail may carry "blocks", the block editor's model (package
// emailblocks), instead of its HTML and text parts: Decode, Check and
// Personalize render both parts from the blocks. docs/constructor.md shows
// every channel's payload.
//
// The limits are those of the reference portal's message constructor
// (section 7.4); where it is silent the channel's own documented limit is
// used, and the field's comment says so.
//
// Text fields may hold personalization placeholders ({{attribute.name}},
// {{code}}, see package render). Decode checks their syntax; length limits
// apply to the text as written, as the portal counts it, and formats (URLs,
// phone numbers, times) wait for the personalized value when a field holds
// a placeholder. Render applies personalization field by field and returns
// a new Content; Decoder.Check validates the result again.
//
// Content values are not safe for concurrent mutation, but Render never
// mutates its receiver, so one decoded content can be rendered for many
// recipients at once.
package content
