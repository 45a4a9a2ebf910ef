package content

import (
	"strings"

	"github.com/heraldhq/herald"
)

// Viber limits: text from reference 7.4.3; the button caption is Viber's
// own limit for business messages (the reference is silent).
const (
	maxViberText   = 1000
	maxViberButton = 30
)

// Viber message forms (reference 7.4.3).
const (
	ViberText            = "text"            // text only
	ViberFile            = "file"            // a file alone
	ViberTextButton      = "textButton"      // text and a button to a website
	ViberTextMediaButton = "textMediaButton" // text, an image and a button
)

// Viber is a Viber message. The fields present make the form, or "type"
// names it: text; file; text and button; text, image and button.
type Viber struct {
	Type   string  `json:"type"` // ViberText, ViberFile, ... Decode fills it
	Body   string  `json:"text,omitempty"`
	File   *File   `json:"file,omitempty"`
	Image  *File   `json:"image,omitempty"`
	Button *Button `json:"button,omitempty"`
}

// Button is a button that opens a website.
type Button struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Channel implements Content.
func (c *Viber) Channel() herald.Channel { return herald.ChannelViber }

// Text implements Content.
func (c *Viber) Text() string { return c.Body }

// Preview implements Content.
func (c *Viber) Preview() string {
	if c.File != nil {
		return labeled("File", fileName(c.File))
	}
	return preview(c.Body)
}

// Render implements Content.
func (c *Viber) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *Viber) read(r *reader) {
	r.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			c.Type = r.str()
		case "text":
			c.Body = r.str()
		case "file":
			readFile(r, &c.File)
		case "image":
			readFile(r, &c.Image)
		case "button":
			b := &Button{}
			if r.object(func(key []byte) bool {
				switch string(key) {
				case "text":
					b.Text = r.str()
				case "url":
					b.URL = r.str()
				default:
					return false
				}
				return true
			}) {
				c.Button = b
			}
		default:
			return false
		}
		return true
	})
}

// form returns the declared form, or the one the fields make.
func (c *Viber) form() string {
	switch {
	case c.Type != "":
		return c.Type
	case c.File != nil:
		return ViberFile
	case c.Image != nil:
		return ViberTextMediaButton
	case c.Button != nil:
		return ViberTextButton
	}
	return ViberText
}

func (c *Viber) check(k *checker) {
	k.oneOf("type", c.Type, false, "Type", ViberText, ViberFile, ViberTextButton, ViberTextMediaButton)
	if k.vs.Has(k.pathOf("type")) {
		return
	}
	form := c.form()
	c.Type = form
	if form == ViberFile {
		if c.File == nil {
			k.addAt("file", herald.VRequired, "A file message needs a file.")
		} else {
			n := k.enter("file")
			c.File.check(k, viberFileRules())
			k.leave(n)
		}
		k.notAllowed("text", c.Body != "", "A file message has no text: Viber sends the file alone.")
		k.notAllowed("image", c.Image != nil, "A file message has no image: Viber sends the file alone.")
		k.notAllowed("button", c.Button != nil, "A file message has no button: Viber sends the file alone.")
		return
	}
	k.text("text", c.Body, true, maxViberText, "Text")
	k.notAllowed("file", c.File != nil, "Send a file in a message of its own (type file).")
	switch form {
	case ViberText:
		k.notAllowed("image", c.Image != nil, "A text message has no image; an image needs a button too.")
		k.notAllowed("button", c.Button != nil, "A text message has no button (type textButton has).")
	case ViberTextButton:
		k.notAllowed("image", c.Image != nil, "A text and button message has no image (type textMediaButton has).")
		c.checkButton(k)
	case ViberTextMediaButton:
		if c.Image == nil {
			k.addAt("image", herald.VRequired, "A text, media and button message needs an image.")
		} else {
			n := k.enter("image")
			c.Image.check(k, viberImageRules())
			k.leave(n)
		}
		c.checkButton(k)
	}
}

// checkButton checks the button, which the form requires.
func (c *Viber) checkButton(k *checker) {
	if c.Button == nil {
		k.addAt("button", herald.VRequired, "A %s message needs a button.", strings.ToLower(humanize(c.Type)))
		return
	}
	n := k.enter("button")
	k.text("text", c.Button.Text, true, maxViberButton, "Button text")
	k.webURL("url", c.Button.URL, true, "Button URL")
	k.leave(n)
}

func (c *Viber) texts(v *visitor) {
	v.visit("text", &c.Body, false)
	for _, f := range []struct {
		key string
		f   *File
	}{{"file", c.File}, {"image", c.Image}} {
		if f.f != nil {
			n := v.enter(f.key)
			f.f.texts(v)
			v.leave(n)
		}
	}
	if c.Button != nil {
		n := v.enter("button")
		v.visit("text", &c.Button.Text, false)
		v.visit("url", &c.Button.URL, false)
		v.leave(n)
	}
}

func (c *Viber) clone() Content {
	out := *c
	out.File, out.Image = cloneFile(c.File), cloneFile(c.Image)
	if c.Button != nil {
		b := *c.Button
		out.Button = &b
	}
	return &out
}
