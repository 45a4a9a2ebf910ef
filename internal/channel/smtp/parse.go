package smtp

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// Limits of what an inbound e-mail keeps.
const (
	maxInboundText  = 64 << 10  // characters of the text and HTML parts kept
	maxInboundParts = 50        // MIME parts read
	maxInboundFile  = 25 << 20  // bytes of one attachment
	maxInboundBytes = 40 << 20  // bytes of one message (the listener's default limit)
	maxDepth        = 5         // multipart nesting
	maxInboundFiles = 10        // attachments kept
	previewBytes    = 256 << 10 // of a part read for its text
)

// inboundMail is an e-mail a contact sent, read from its RFC 5322 form.
type inboundMail struct {
	From      *mail.Address
	Subject   string
	Text      string
	HTML      string
	MessageID string
	InReplyTo string
	Files     []inboundFile
}

// inboundFile is one attachment.
type inboundFile struct {
	Name string
	Type string
	Data []byte
}

// wordDecoder decodes RFC 2047 words in any charset x/text knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// charsetReader returns a reader converting from charset to UTF-8.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q: %w", charset, err)
	}
	return enc.NewDecoder().Reader(input), nil
}

// decodeHeader decodes a header's RFC 2047 words; undecodable words stay.
func decodeHeader(v string) string {
	if s, err := wordDecoder.DecodeHeader(v); err == nil {
		return s
	}
	return v
}

// readMail reads an inbound e-mail: sender, subject, the first text and
// HTML parts (converted to UTF-8) and the attachments.
func readMail(msg *mail.Message) (*inboundMail, error) {
	in := &inboundMail{Subject: strings.TrimSpace(decodeHeader(msg.Header.Get("Subject"))),
		MessageID: strings.TrimSpace(msg.Header.Get("Message-Id")), InReplyTo: strings.TrimSpace(msg.Header.Get("In-Reply-To"))}
	p := mail.AddressParser{WordDecoder: wordDecoder}
	if from, err := p.Parse(msg.Header.Get("From")); err == nil {
		from.Address = strings.ToLower(from.Address)
		in.From = from
	}
	w := &walker{in: in}
	if err := w.part(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"),
		msg.Header.Get("Content-Disposition"), msg.Body, 0); err != nil {
		return nil, err
	}
	return in, nil
}

// walker visits the MIME tree of one message.
type walker struct {
	in    *inboundMail
	parts int
}

// part reads one MIME part (recursively for multipart).
func (w *walker) part(ctype, cte, disp string, body io.Reader, depth int) error {
	if w.parts++; w.parts > maxInboundParts {
		return nil
	}
	if ctype == "" {
		ctype = "text/plain; charset=us-ascii"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt, params = "application/octet-stream", map[string]string{}
	}
	if strings.HasPrefix(mt, "multipart/") {
		return w.multipart(params["boundary"], body, depth)
	}
	dt, dparams, _ := mime.ParseMediaType(disp)
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeHeader(name)
	isFile := dt == "attachment" || name != "" || !strings.HasPrefix(mt, "text/")
	data := transferDecoder(cte, body)
	if isFile {
		return w.file(name, mt, data)
	}
	return w.text(mt, params["charset"], data)
}

// multipart reads the parts of a multipart body.
func (w *walker) multipart(boundary string, body io.Reader, depth int) error {
	if boundary == "" || depth >= maxDepth {
		return nil
	}
	mr := multipart.NewReader(body, boundary)
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading a MIME part: %w", err)
		}
		if err := w.part(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
			p.Header.Get("Content-Disposition"), p, depth+1); err != nil {
			return err
		}
	}
}

// text keeps the first text/plain and text/html part.
func (w *walker) text(mt, charset string, r io.Reader) error {
	dst := &w.in.Text
	switch mt {
	case "text/plain":
	case "text/html":
		dst = &w.in.HTML
	default:
		return nil
	}
	if *dst != "" {
		return nil
	}
	if charset != "" && !strings.EqualFold(charset, "utf-8") && !strings.EqualFold(charset, "us-ascii") {
		if cr, err := charsetReader(charset, r); err == nil {
			r = cr
		}
	}
	b, err := io.ReadAll(io.LimitReader(r, previewBytes))
	if err != nil {
		return fmt.Errorf("reading a text part: %w", err)
	}
	*dst = truncate(strings.ToValidUTF8(string(b), "\uFFFD"), maxInboundText)
	return nil
}

// file keeps an attachment.
func (w *walker) file(name, mt string, r io.Reader) error {
	if len(w.in.Files) >= maxInboundFiles {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInboundFile+1))
	if err != nil {
		return fmt.Errorf("reading an attachment: %w", err)
	}
	if len(b) > maxInboundFile {
		return nil // too large to keep
	}
	if name == "" {
		name = "attachment"
	}
	w.in.Files = append(w.in.Files, inboundFile{Name: name, Type: mt, Data: b})
	return nil
}

// transferDecoder undoes a Content-Transfer-Encoding.
func transferDecoder(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &skipSpace{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// skipSpace drops the white space base64 bodies may have at line ends
// (the decoder skips only CR and LF).
type skipSpace struct{ r io.Reader }

func (s *skipSpace) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	return copy(p, bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, p[:n])), err
}

// truncate cuts s to at most n bytes at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
