package content

import (
	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sms"
)

// SMS is an SMS message: {"text": "..."}. A long text is sent concatenated,
// up to Decoder.MaxSMSSegments segments.
type SMS struct {
	Body string `json:"text"`
	// Info tells how the text travels (encoding, segments, ...). Decode,
	// Check and Render refresh it; it is not part of the payload.
	Info sms.Info `json:"-"`
}

// Channel implements Content.
func (c *SMS) Channel() herald.Channel { return herald.ChannelSMS }

// Text implements Content.
func (c *SMS) Text() string { return c.Body }

// Preview implements Content.
func (c *SMS) Preview() string { return preview(c.Body) }

// Render implements Content.
func (c *SMS) Render(f func(string) (string, error)) (Content, error) { return Personalize(c, f, nil) }

func (c *SMS) read(r *reader) {
	r.object(func(key []byte) bool {
		if string(key) != "text" {
			return false
		}
		c.Body = r.str()
		return true
	})
}

func (c *SMS) check(k *checker) {
	c.Info = sms.Analyze(c.Body)
	k.text("text", c.Body, true, 0, "Text")
	if c.Info.Segments > k.maxSMSSegments {
		k.addAt("text", herald.VTooLong, "Text must fit in at most %d SMS (it takes %d: %d %s units).",
			k.maxSMSSegments, c.Info.Segments, c.Info.Units, c.Info.Encoding)
	}
}

func (c *SMS) texts(v *visitor) { v.visit("text", &c.Body, false) }

func (c *SMS) clone() Content {
	out := *c
	return &out
}
