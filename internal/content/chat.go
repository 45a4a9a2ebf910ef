package content

import "github.com/heraldhq/herald"

// Text limits of the chat channels, which the reference does not state.
const (
	// maxWeChatText: WeChat customer-service text messages; WeChat documents
	// a 2048 limit for text content.
	maxWeChatText = 2048
	// maxTelegramText: Telegram Bot API sendMessage accepts 1-4096
	// characters.
	maxTelegramText = 4096
	// maxWebChatText: Herald's own widget; the same as Telegram and
	// WhatsApp, so a conversation can move between them.
	maxWebChatText = 4096
)

// WeChat is a WeChat message: {"text": "..."}.
type WeChat struct {
	Body string `json:"text"`
}

// Telegram is a Telegram message: {"text": "..."}.
type Telegram struct {
	Body string `json:"text"`
}

// WebChat is a message in Herald's web chat widget: {"text": "..."}.
type WebChat struct {
	Body string `json:"text"`
}

// readText reads a payload whose only field is "text".
func readText(r *reader, body *string) {
	r.object(func(key []byte) bool {
		if string(key) != "text" {
			return false
		}
		*body = r.str()
		return true
	})
}

// Channel implements Content.
func (c *WeChat) Channel() herald.Channel { return herald.ChannelWeChat }

// Text implements Content.
func (c *WeChat) Text() string { return c.Body }

// Preview implements Content.
func (c *WeChat) Preview() string { return preview(c.Body) }

// Render implements Content.
func (c *WeChat) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *WeChat) read(r *reader)   { readText(r, &c.Body) }
func (c *WeChat) check(k *checker) { k.text("text", c.Body, true, maxWeChatText, "Text") }
func (c *WeChat) texts(v *visitor) { v.visit("text", &c.Body, false) }
func (c *WeChat) clone() Content   { out := *c; return &out }

// Channel implements Content.
func (c *Telegram) Channel() herald.Channel { return herald.ChannelTelegram }

// Text implements Content.
func (c *Telegram) Text() string { return c.Body }

// Preview implements Content.
func (c *Telegram) Preview() string { return preview(c.Body) }

// Render implements Content.
func (c *Telegram) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *Telegram) read(r *reader)   { readText(r, &c.Body) }
func (c *Telegram) check(k *checker) { k.text("text", c.Body, true, maxTelegramText, "Text") }
func (c *Telegram) texts(v *visitor) { v.visit("text", &c.Body, false) }
func (c *Telegram) clone() Content   { out := *c; return &out }

// Channel implements Content.
func (c *WebChat) Channel() herald.Channel { return herald.ChannelWebChat }

// Text implements Content.
func (c *WebChat) Text() string { return c.Body }

// Preview implements Content.
func (c *WebChat) Preview() string { return preview(c.Body) }

// Render implements Content.
func (c *WebChat) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *WebChat) read(r *reader)   { readText(r, &c.Body) }
func (c *WebChat) check(k *checker) { k.text("text", c.Body, true, maxWebChatText, "Text") }
func (c *WebChat) texts(v *visitor) { v.visit("text", &c.Body, false) }
func (c *WebChat) clone() Content   { out := *c; return &out }
