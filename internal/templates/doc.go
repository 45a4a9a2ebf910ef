// Package templates checks and keeps content templates (reference 001
// section 12.3) and conversation templates (section 12.5).
//
// A content template's payload follows its channel's rules exactly as a
// message's does (package content): Prepare decodes and checks it, keeps
// it compacted, and fills the template's Variables with the placeholders
// it uses ("attribute.name", "code"), which callers must fill when they
// send it. A conversation template's text follows the text rules of its
// channel, and every file it attaches must be in the account's media
// library.
//
// Service wraps a store with those checks: it implements
// herald.TemplateStore and herald.ConversationTemplateStore, and the API,
// the portal and the engine use it rather than the bare store, so no
// unchecked template is ever saved.
package templates
