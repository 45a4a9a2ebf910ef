package smtp

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
)

// dsn is what a delivery status notification (RFC 3464) says.
type dsn struct {
	Recipients []dsnRecipient
	// OriginalMessageID is the Message-ID of the returned message (or its
	// returned headers), when the report includes them.
	OriginalMessageID string
}

// dsnRecipient is one recipient's block of a report.
type dsnRecipient struct {
	Recipient  string // Final-Recipient's address
	Action     string // failed, delayed, delivered, relayed, expanded (lower case)
	Status     string // such as 5.1.1
	Diagnostic string // such as "550 5.1.1 <x@y>: Recipient address rejected"
	RemoteMTA  string
}

// Failed reports whether the recipient's delivery failed for good.
func (r dsnRecipient) Failed() bool { return r.Action == "failed" }

// Reason returns the recipient's failure in one line for people: the
// remote server's answer when the report has it, else the status code.
func (r dsnRecipient) Reason() string {
	switch {
	case r.Diagnostic != "" && r.RemoteMTA != "":
		return r.RemoteMTA + " said: " + r.Diagnostic
	case r.Diagnostic != "":
		return r.Diagnostic
	}
	return "status " + r.Status
}

// maxPart bounds what is read of one part of a report.
const maxPart = 1 << 20

// parseDSN reads a delivery status notification; ok is false when msg is
// not a multipart/report of report-type delivery-status.
func parseDSN(hdr mail.Header, body io.Reader) (d dsn, ok bool) {
	mt, params, err := mime.ParseMediaType(hdr.Get("Content-Type"))
	if err != nil || mt != "multipart/report" || !strings.EqualFold(params["report-type"], "delivery-status") || params["boundary"] == "" {
		return d, false
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		data, _ := io.ReadAll(io.LimitReader(p, maxPart))
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			d.Recipients = parseStatusFields(data)
			ok = true
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
			if h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(data))).ReadMIMEHeader(); len(h) > 0 || err == nil {
				d.OriginalMessageID = h.Get("Message-Id")
			}
		}
	}
	return d, ok
}

// parseStatusFields reads the per-message block and the per-recipient
// blocks of a message/delivery-status body: header-like fields in blocks
// separated by blank lines.
func parseStatusFields(data []byte) []dsnRecipient {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	var out []dsnRecipient
	for first := true; ; first = false {
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 && !first || h.Get("Final-Recipient") != "" {
			out = append(out, dsnRecipient{
				Recipient:  typedValue(h.Get("Final-Recipient")),
				Action:     strings.ToLower(strings.TrimSpace(h.Get("Action"))),
				Status:     strings.TrimSpace(h.Get("Status")),
				Diagnostic: oneLine(typedValue(h.Get("Diagnostic-Code"))),
				RemoteMTA:  typedValue(h.Get("Remote-MTA")),
			})
		}
		if err != nil {
			return out
		}
	}
}

// typedValue drops the type of a "type; value" field (rfc822; x@y).
func typedValue(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(after)
	}
	return strings.TrimSpace(v)
}

// oneLine folds white space runs into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
