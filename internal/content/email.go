package content

import (
	"html"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/emailblocks"
)

// E-mail limits, where the reference is silent.
const (
	// maxSubject: RFC 5322 caps a header line at 998 characters.
	maxSubject = 998
	// maxSubtitle: the preheader most e-mail service providers accept.
	maxSubtitle = 255
	// maxAttachments: what a message may carry from the media library.
	maxAttachments = 10
)

// Email is an e-mail: a subject, an optional subtitle (the preheader shown
// after the subject in inboxes) and either an HTML part, a plain-text part
// or both, or the blocks of the block editor (reference 7.4.5.1, package
// emailblocks).
//
// With blocks, the HTML and text parts are made from them: Decode, Check and
// Personalize render both again, replacing any html or text the payload
// gave, so a payload that carries blocks with the parts made from them
// decodes to the same e-mail.
type Email struct {
	Subject  string              `json:"subject"`
	Subtitle string              `json:"subtitle,omitempty"`
	Blocks   []emailblocks.Block `json:"blocks,omitempty"`
	HTML     string              `json:"html,omitempty"`
	Body     string              `json:"text,omitempty"`
	// Attachments are files of the account's media library, attached when
	// the e-mail is sent.
	Attachments []EmailAttachment `json:"attachments,omitempty"`
}

// EmailAttachment names a media library file attached to an e-mail; Name
// overrides the file's name in the message.
type EmailAttachment struct {
	MediaID int64  `json:"mediaId"`
	Name    string `json:"name,omitempty"`
}

// Channel implements Content.
func (c *Email) Channel() herald.Channel { return herald.ChannelEmail }

// Text implements Content: the plain-text part, or the HTML part's text.
func (c *Email) Text() string {
	if c.Body != "" {
		return c.Body
	}
	return htmlText(c.HTML)
}

// htmlText returns the text of an HTML document for logs: tags, comments and
// the content of style and script elements removed, entities decoded, white
// space collapsed. It is not a sanitizer.
func htmlText(doc string) string {
	var b strings.Builder
	for len(doc) > 0 {
		i := strings.IndexByte(doc, '<')
		if i < 0 {
			b.WriteString(doc)
			break
		}
		b.WriteString(doc[:i])
		b.WriteByte(' ')
		doc = doc[i:]
		end := ">"
		switch {
		case strings.HasPrefix(doc, "<!--"):
			end = "-->"
		case hasPrefixFold(doc, "<style"):
			end = "</style>"
		case hasPrefixFold(doc, "<script"):
			end = "</script>"
		}
		j := indexFold(doc, end)
		if j < 0 {
			break
		}
		doc = doc[j+len(end):]
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// indexFold is strings.Index ignoring ASCII case, for short ASCII needles
// that start with a punctuation character (it jumps between their first
// bytes, so a long document is scanned once).
func indexFold(s, sub string) int {
	for from := 0; ; {
		i := strings.IndexByte(s[from:], sub[0])
		if i < 0 {
			return -1
		}
		i += from
		if i+len(sub) <= len(s) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
		from = i + 1
	}
}

// Preview implements Content.
func (c *Email) Preview() string { return preview(c.Subject) }

// Render implements Content. The HTML part needs values HTML-escaped: a
// Render of an e-mail whose HTML part has placeholders fails; use
// Personalize with an HTML renderer.
func (c *Email) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *Email) read(r *reader) {
	r.object(func(key []byte) bool {
		switch string(key) {
		case "subject":
			c.Subject = r.str()
		case "subtitle":
			c.Subtitle = r.str()
		case "html":
			c.HTML = r.str()
		case "text":
			c.Body = r.str()
		case "blocks":
			c.Blocks = readBlocks(r)
		case "attachments":
			r.array(func(int) { c.Attachments = append(c.Attachments, readAttachment(r)) })
		default:
			return false
		}
		return true
	})
}

func (c *Email) check(k *checker) {
	k.text("subject", c.Subject, true, maxSubject, "Subject")
	if strings.ContainsAny(c.Subject, "\r\n") {
		k.addAt("subject", herald.VFormat, "Subject must be one line.")
	}
	k.text("subtitle", c.Subtitle, false, maxSubtitle, "Subtitle")
	if c.Blocks != nil {
		vs := emailblocks.Check(string(k.path), c.Blocks)
		k.vs = append(k.vs, vs...)
		if len(vs) == 0 {
			c.renderBlocks()
		}
		return
	}
	if strings.TrimSpace(c.HTML) == "" && strings.TrimSpace(c.Body) == "" {
		k.addAt("html", herald.VRequired, "An e-mail needs an HTML part or a text part.")
	}
	k.items("attachments", len(c.Attachments), 0, maxAttachments, "Attachments")
	k.in("attachments", func() {
		for i, a := range c.Attachments {
			n := k.enterIndex(i)
			if a.MediaID <= 0 {
				k.addAt("mediaId", herald.VRequired, "Choose a file of the media library.")
			}
			k.text("name", a.Name, false, 255, "Attachment name")
			if strings.ContainsAny(a.Name, "\r\n\"") {
				k.addAt("name", herald.VFormat, "Attachment name must be one line without quotes.")
			}
			k.leave(n)
		}
	})
}

// readAttachment reads one attachment object.
func readAttachment(r *reader) EmailAttachment {
	var a EmailAttachment
	r.object(func(key []byte) bool {
		switch string(key) {
		case "mediaId":
			a.MediaID, _ = r.integer()
		case "name":
			a.Name = r.str()
		default:
			return false
		}
		return true
	})
	return a
}

// renderBlocks makes the HTML and text parts from the blocks.
func (c *Email) renderBlocks() {
	c.HTML = emailblocks.HTML(c.Blocks, emailblocks.Options{Title: c.Subject, Preheader: c.Subtitle})
	c.Body = emailblocks.Text(c.Blocks)
}

func (c *Email) texts(v *visitor) {
	v.visit("subject", &c.Subject, false)
	v.visit("subtitle", &c.Subtitle, false)
	if c.Blocks != nil {
		// The parts are made from the blocks: personalize those, then
		// render again (Personalize).
		emailblocks.Fields(c.Blocks, func(path, key string, s *string, rich bool) {
			v.visitPath(path, key, s, rich)
		})
		return
	}
	v.visit("html", &c.HTML, true)
	v.visit("text", &c.Body, false)
}

func (c *Email) clone() Content {
	out := *c
	out.Blocks = emailblocks.Clone(c.Blocks)
	out.Attachments = append([]EmailAttachment(nil), c.Attachments...)
	return &out
}
