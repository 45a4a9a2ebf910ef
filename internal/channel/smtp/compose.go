package smtp

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net/mail"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
)

// MediaSource gives the files of an account's media library to attach:
// a herald.MediaStore and the herald.BlobStore its bytes are in.
type MediaSource struct {
	Store herald.MediaStore
	Blobs herald.BlobStore
}

// maxAttachmentBytes bounds the files one e-mail carries (25 MB is what
// most mail servers accept for a whole message).
const maxAttachmentBytes = 25 << 20

// composed is an e-mail ready for the SMTP transaction.
type composed struct {
	raw []byte  // the message in RFC 5322 form
	buf *[]byte // the pooled buffer raw is written in, until done
	// dotFree says no line of raw starts with a dot, which compose knows
	// from how it wrote it: it goes without dot-stuffing or a look for
	// such a line (see needsDots).
	dotFree      bool
	envelopeFrom string
	to           string
	messageID    string // the Message-ID header value
}

// errPayload marks content the connector cannot send: a permanent failure.
var errPayload = errors.New("smtp: bad e-mail content")

// dkimHeaders are the header fields a DKIM signature covers.
func dkimHeaders() []string {
	return []string{"From", "To", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version", "Content-Type",
		"List-Unsubscribe", "List-Unsubscribe-Post"}
}

// compose builds the RFC 5322 message of m: From (the sender ID with its
// display name), To, Subject, Date, a Message-ID derived from m's ID, the
// envelope sender (VERP), List-Unsubscribe headers, a text and an HTML
// part with tracked links, the open pixel and the unsubscribe link, the
// attachments, and a DKIM signature when the connection has a key.
func (c *Connector) compose(ctx context.Context, m *herald.Message) (*composed, error) {
	// A broadcast's e-mail comes decoded (read only), or as its step's
	// e-mail with slots for the recipient's values (see fill.go).
	var p *prepared
	var vals []string
	e, decoded := m.Content.(*content.Email)
	if f, ok := m.Content.(*content.EmailFill); ok {
		var err error
		if p, e, err = c.filled(f); err != nil {
			return nil, fmt.Errorf("%w: rendering the e-mail: %v", errPayload, err)
		}
		decoded, vals = true, f.Values
		if p == nil {
			vals = nil
		}
	} else {
		p = c.prep.get(m.Payload, c.hub.BaseURL(), c.prepare)
	}
	switch {
	case vals != nil:
	case p != nil:
		e = &p.e
	case decoded && e != nil:
	default:
		e = new(content.Email)
		if err := json.Unmarshal(m.Payload, e); err != nil {
			return nil, fmt.Errorf("%w: reading the payload: %v", errPayload, err)
		}
	}
	from := c.sender(m.SenderID)
	if !from.ok {
		return nil, fmt.Errorf("%w: the sender ID %q is not an e-mail address", errPayload, m.SenderID)
	}
	if _, _, ok := splitAddress(m.Destination); !ok {
		return nil, fmt.Errorf("%w: %q is not an e-mail address", errPayload, m.Destination)
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		return nil, fmt.Errorf("%w: the subject has a line break", errPayload)
	}
	out := &composed{to: m.Destination, envelopeFrom: m.SenderID}
	msg := &message{}
	msg.headers = msg.fixed[:0]
	l := c.links(m)
	var unsub string
	if c.unsubscribe() {
		unsub = l.unsubscribe(c.settings.UnsubscribeScope) // once, for the header and both parts
	}
	c.headers(msg, m, out, from, e.Subject, unsub)
	c.body(msg, e, p, vals, l, unsub)
	if err := c.attach(ctx, msg, m.AccountID, e.Attachments); err != nil {
		return nil, err
	}
	out.buf = bufPool.Get().(*[]byte)
	out.raw = msg.renderFields((*out.buf)[:0])
	out.dotFree = len(msg.files) == 0 && !dotLine(out.raw)
	out.raw = msg.renderContent(out.raw)
	msg.release()
	if c.dkimKey != nil {
		domain := c.settings.DKIMDomain
		if domain == "" {
			domain = from.domain
		}
		signed, err := signDKIM(out.raw, domain, c.settings.DKIMSelector, c.dkimKey)
		if err != nil {
			return nil, fmt.Errorf("%w: DKIM signing: %v", errPayload, err)
		}
		out.dotFree = out.dotFree && !dotLine(signed[:len(signed)-len(out.raw)])
		out.raw = signed
	}
	return out, nil
}

// dotLine reports whether a line of b starts with a dot.
func dotLine(b []byte) bool {
	return bytes.HasPrefix(b, []byte(".")) || bytes.Contains(b, []byte("\n."))
}

// needsDots reports whether out must go through the dot-stuffing writer:
// a line of it starts with a dot, or it does not end with a line break.
func (out *composed) needsDots() bool {
	return !bytes.HasSuffix(out.raw, []byte("\r\n")) || !out.dotFree && dotLine(out.raw)
}

// signDKIM returns raw with a DKIM-Signature header (relaxed/relaxed).
func signDKIM(raw []byte, domain, selector string, key crypto.Signer) ([]byte, error) {
	s, err := dkim.NewSigner(&dkim.SignOptions{Domain: domain, Selector: selector, Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: dkimHeaders()})
	if err != nil {
		return nil, err
	}
	if _, err := s.Write(raw); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	sig := s.Signature()
	out := make([]byte, 0, len(sig)+len(raw)+3) // room for the final dot: see writeEnded
	return append(append(out, sig...), raw...), nil
}

// headers sets the addresses, subject, date, Message-ID and list headers;
// unsub is the unsubscribe URL, "" for none.
func (c *Connector) headers(msg *message, m *herald.Message, out *composed, from *sender, subject, unsub string) {
	s := &c.settings
	msg.headers = append(msg.headers, [2]string{"From", from.header})
	msg.header("To", "<"+m.Destination+">")
	if s.ReplyTo != "" {
		msg.header("Reply-To", "<"+s.ReplyTo+">")
	}
	msg.header("Subject", subject)
	msg.header("Date", dateHeader(time.Now()))
	domain := s.MessageIDDomain
	if domain == "" {
		domain = from.domain
	}
	out.messageID = c.hub.signer.MessageID(m.ID, domain)
	msg.header("Message-ID", out.messageID)
	msg.header("User-Agent", "Herald")
	if s.BounceAddress != "" {
		out.envelopeFrom = s.BounceAddress
		if s.verp() {
			out.envelopeFrom = c.hub.signer.VERP(s.BounceAddress, m.ID)
		}
	}
	if unsub != "" {
		// RFC 2369 and RFC 8058: mail programs offer an unsubscribe button
		// that POSTs to the URL.
		msg.header("List-Unsubscribe", "<"+unsub+">")
		msg.header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
}

// sender is what composing reads of a sender ID.
type sender struct {
	id     string
	ok     bool   // id is a bare e-mail address
	domain string // its domain
	header string // the From header value: the address with its display name, encoded
}

// sender returns what composing reads of the sender ID id. The last
// sender's is kept: a campaign sends from one sender.
func (c *Connector) sender(id string) *sender {
	if s := c.from.Load(); s != nil && s.id == id {
		return s
	}
	s := &sender{id: id}
	_, s.domain, s.ok = splitAddress(id)
	a := mail.Address{Name: c.settings.fromName(id), Address: id}
	s.header = "\x00" + a.String() // "\x00": encoded already
	c.from.Store(s)
	return s
}

// unsubscribe reports whether messages carry unsubscribe links: the
// setting is on and Herald knows its public URL.
func (c *Connector) unsubscribe() bool { return on(c.settings.Unsubscribe) && c.hub.BaseURL() != "" }

// links returns the signed URLs of m.
func (c *Connector) links(m *herald.Message) links {
	return links{signer: c.hub.signer, base: c.hub.BaseURL(), account: m.AccountID, message: m.ID}
}

// body sets the text part and, when there is HTML, the HTML alternative
// with the preheader, tracked links, the pixel and the unsubscribe link;
// p, when not nil, is e prepared, or with vals, e's step prepared with
// slots for vals; l makes the message's links and unsub is its unsubscribe
// URL, "" for none.
func (c *Connector) body(msg *message, e *content.Email, p *prepared, vals []string, l links, unsub string) {
	textPart(msg, e, p, vals, unsub)
	if p != nil && p.html != nil {
		c.htmlFromPrepared(msg, p, l, unsub, vals)
		return
	}
	if strings.TrimSpace(e.HTML) == "" {
		return
	}
	if !strings.Contains(e.HTML, UnsubscribeTag) {
		msg.html = validUTF8(c.htmlPart(e.HTML, e.Subtitle, l, unsub))
		return
	}
	msg.html = validUTF8(c.htmlSteps(e.HTML, e.Subtitle, l, unsub))
}

// textPart sets msg's text part with the unsubscribe line (unsub, "" for
// none) in place of UnsubscribeTag or at the end (before </body>). A
// prepared text (p, filled with vals when they are set) is written with
// its line in a pooled buffer that msg.release gives back, unless the tag
// is in it, or filling it might make the tag or </body>: then the filled
// text is looked through as a payload's is.
func textPart(msg *message, e *content.Email, p *prepared, vals []string, unsub string) {
	var text string
	switch {
	case p == nil:
		if text = e.Body; text == "" {
			text = textFromHTML(e.HTML)
		}
	case vals == nil && unsub == "":
		text = p.text
	case p.textTag || vals != nil && p.textMarks:
		if text = p.text; vals != nil {
			text = fillSlots(p.text, vals)
		}
	default:
		// Filled, the text cannot hold the tag or </body>: the line goes
		// at its end.
		pb := bufPool.Get().(*[]byte)
		b, cut := (*pb)[:0], len(p.text)
		if vals == nil {
			cut = p.textCut
		}
		b = appendFilled(b, p.text[:cut], vals)
		if unsub != "" {
			b = append(append(b, unsubLine...), unsub...)
		}
		b = append(b, p.text[cut:]...)
		*pb = b
		if !utf8.Valid(b) {
			msg.text = strings.ToValidUTF8(string(b), "\uFFFD")
			putBuf(pb)
			return
		}
		msg.textBytes, msg.textPooled = b, pb
		return
	}
	if unsub != "" {
		text = withUnsubscribe(text, unsub, unsubLine+unsub)
	}
	msg.text = validUTF8(text)
}

// unsubLine comes before the unsubscribe URL added to a text part.
const unsubLine = "\r\n\r\nUnsubscribe: "

// htmlSteps returns the HTML part of doc: the preheader (subtitle) after
// <body>, tracked links, the unsubscribe link (unsub, "" for none) in
// place of UnsubscribeTag or as a footer, and the open pixel before
// </body>, one step after the other. htmlPart does the same in one pass
// for a document without UnsubscribeTag.
func (c *Connector) htmlSteps(doc, subtitle string, l links, unsub string) string {
	if subtitle != "" {
		doc = insertAfterBodyStart(doc, preheader(subtitle))
	}
	if l.base != "" && on(c.settings.TrackClicks) {
		doc = rewriteLinks(doc, l.click)
	}
	if unsub != "" {
		esc := html.EscapeString(unsub)
		doc = withUnsubscribe(doc, esc, unsubFooter(esc))
	}
	if l.base != "" && on(c.settings.TrackOpens) {
		doc = insertBeforeBodyEnd(doc, openPixel(l.open()))
	}
	return doc
}

// htmlPart is htmlSteps for a document without UnsubscribeTag, written in
// one pass into one buffer: campaigns send it for every message.
func (c *Connector) htmlPart(doc, subtitle string, l links, unsub string) string {
	var footer string
	if unsub != "" {
		footer = unsubFooter(html.EscapeString(unsub))
	}
	if l.base != "" && on(c.settings.TrackOpens) {
		footer += openPixel(l.open())
	}
	return c.htmlPartWith(doc, subtitle, l.base != "" && on(c.settings.TrackClicks), l.click, footer)
}

// htmlPartWith is htmlPart with the tracked URL of a link's target made by
// click when track is set, and footer (the unsubscribe link and the open
// pixel) written before </body>.
func (c *Connector) htmlPartWith(doc, subtitle string, track bool, click func(string) string, footer string) string {
	var b strings.Builder
	b.Grow(len(doc) + len(doc)/2 + 1024)
	head, rest := "", doc
	if subtitle != "" {
		head, rest = doc[:0], doc
		if i := indexFold(doc, "<body"); i >= 0 {
			if j := strings.IndexByte(doc[i:], '>'); j >= 0 {
				head, rest = doc[:i+j+1], doc[i+j+1:]
			}
		}
	}
	body, tail := rest, ""
	if i := lastIndexFold(rest, "</body>"); i >= 0 {
		body, tail = rest[:i], rest[i:]
	}
	write := func(part string) {
		if track {
			writeLinks(&b, part, click)
		} else {
			b.WriteString(part)
		}
	}
	write(head)
	if subtitle != "" {
		b.WriteString(preheader(subtitle))
	}
	write(body)
	b.WriteString(footer)
	write(tail)
	return b.String()
}

// preheader is the hidden block that carries an e-mail's subtitle.
func preheader(subtitle string) string {
	return `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">` + html.EscapeString(subtitle) + `</div>`
}

// unsubFooter is the unsubscribe line added to an HTML part (esc is the
// escaped URL).
func unsubFooter(esc string) string {
	return `<p style="font-size:12px;color:#888;text-align:center"><a href="` + esc + `">Unsubscribe</a></p>`
}

// openPixel is the open-tracking image of URL u.
func openPixel(u string) string {
	return `<img src="` + html.EscapeString(u) + `" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`
}

// withUnsubscribe replaces UnsubscribeTag in doc with url, or adds footer
// at its end (before </body> in HTML) when doc has no tag.
func withUnsubscribe(doc, url, footer string) string {
	if strings.Contains(doc, UnsubscribeTag) {
		return strings.ReplaceAll(doc, UnsubscribeTag, url)
	}
	return insertBeforeBodyEnd(doc, footer)
}

// attach adds the message's media library files.
func (c *Connector) attach(ctx context.Context, msg *message, account int64, atts []content.EmailAttachment) error {
	if len(atts) == 0 {
		return nil
	}
	src := c.hub.media
	if src.Store == nil || src.Blobs == nil {
		return fmt.Errorf("%w: attachments need the media library, which this process does not have", errPayload)
	}
	var total int64
	for _, a := range atts {
		md, err := src.Store.Media(ctx, account, a.MediaID)
		if herald.IsNotFound(err) {
			return fmt.Errorf("%w: attachment %d is not in the media library", errPayload, a.MediaID)
		} else if err != nil {
			return fmt.Errorf("reading attachment %d: %w", a.MediaID, err) // retryable
		}
		if total += md.Size; total > maxAttachmentBytes {
			return fmt.Errorf("%w: the attachments are larger than %d MB", errPayload, maxAttachmentBytes>>20)
		}
		f, err := readAttachment(ctx, src.Blobs, md, a.Name)
		if err != nil {
			return err
		}
		msg.files = append(msg.files, f)
	}
	return nil
}

// readAttachment reads one file of the media library.
func readAttachment(ctx context.Context, blobs herald.BlobStore, md *herald.Media, name string) (part, error) {
	if name == "" {
		name = md.Name
	}
	if name == "" {
		name = fmt.Sprintf("file-%d.%s", md.ID, md.Format)
	}
	rc, err := blobs.Open(ctx, md.Key)
	if err != nil {
		return part{}, fmt.Errorf("opening attachment %d: %w", md.ID, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxAttachmentBytes+1))
	if err != nil {
		return part{}, fmt.Errorf("reading attachment %d: %w", md.ID, err)
	}
	ctype := md.MIME
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(name))
	}
	return part{name: path.Base(name), ctype: ctype, data: data}, nil
}

// bufPool keeps the buffers messages are written into: a campaign writes
// one e-mail after another of about the same size, so each buffer is
// reused at its grown size instead of being allocated and collected.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// done gives out's buffer back once the message is sent; out must not be
// used after.
func (c *Connector) done(out *composed) {
	if out == nil || out.buf == nil {
		return
	}
	*out.buf = out.raw[:0]
	if cap(*out.buf) <= 1<<20 { // a message with attachments is not kept
		bufPool.Put(out.buf)
	}
	out.buf, out.raw = nil, nil
}
