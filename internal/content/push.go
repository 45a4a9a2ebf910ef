package content

import "github.com/heraldhq/herald"

// maxPushBytes bounds a push notification's header, body and picture address
// together: FCM and APNs refuse notification payloads over 4096 bytes. The
// reference states no limit.
const maxPushBytes = 4096

// Push is a push notification (reference 7.4.6): a picture, a header, a
// body, at least one of the three.
type Push struct {
	Picture string `json:"picture,omitempty"` // the image's URL
	Header  string `json:"header,omitempty"`
	Body    string `json:"body,omitempty"`
}

// MobilePush is a message to a third-party mobile app (reference 7.4.8):
// header and body, both required.
type MobilePush struct {
	Header string `json:"header"`
	Body   string `json:"body"`
}

// Channel implements Content.
func (c *Push) Channel() herald.Channel { return herald.ChannelPush }

// Text implements Content: header and body.
func (c *Push) Text() string { return joinNonEmpty("\n", c.Header, c.Body) }

// Preview implements Content.
func (c *Push) Preview() string {
	if c.Header == "" && c.Body == "" {
		return "Picture"
	}
	return preview(firstOf(c.Header, c.Body))
}

// Render implements Content.
func (c *Push) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *Push) read(r *reader) {
	r.object(func(key []byte) bool {
		switch string(key) {
		case "picture":
			c.Picture = r.str()
		case "header":
			c.Header = r.str()
		case "body":
			c.Body = r.str()
		default:
			return false
		}
		return true
	})
}

func (c *Push) check(k *checker) {
	if c.Picture == "" && c.Header == "" && c.Body == "" {
		k.add(herald.VRequired, "A push notification needs at least one of picture, header and body.")
		return
	}
	k.webURL("picture", c.Picture, false, "Picture URL")
	checkPushSize(k, len(c.Picture)+len(c.Header)+len(c.Body), "Picture URL, header and body")
}

// checkPushSize checks the notification's size in bytes.
func checkPushSize(k *checker, n int, what string) {
	if n > maxPushBytes {
		k.addAt("body", herald.VTooLong, "%s must total at most %d bytes (they have %d).", what, maxPushBytes, n)
	}
}

func (c *Push) texts(v *visitor) {
	v.visit("picture", &c.Picture, false)
	v.visit("header", &c.Header, false)
	v.visit("body", &c.Body, false)
}

func (c *Push) clone() Content { out := *c; return &out }

// Channel implements Content.
func (c *MobilePush) Channel() herald.Channel { return herald.ChannelMobilePush }

// Text implements Content: header and body.
func (c *MobilePush) Text() string { return joinNonEmpty("\n", c.Header, c.Body) }

// Preview implements Content.
func (c *MobilePush) Preview() string { return preview(firstOf(c.Header, c.Body)) }

// Render implements Content.
func (c *MobilePush) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *MobilePush) read(r *reader) {
	r.object(func(key []byte) bool {
		switch string(key) {
		case "header":
			c.Header = r.str()
		case "body":
			c.Body = r.str()
		default:
			return false
		}
		return true
	})
}

func (c *MobilePush) check(k *checker) {
	k.text("header", c.Header, true, 0, "Header")
	k.text("body", c.Body, true, 0, "Body")
	checkPushSize(k, len(c.Header)+len(c.Body), "Header and body")
}

func (c *MobilePush) texts(v *visitor) {
	v.visit("header", &c.Header, false)
	v.visit("body", &c.Body, false)
}

func (c *MobilePush) clone() Content { out := *c; return &out }
