package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// ConnectionHealth reports the health of the running process's
// connections (SMTP servers that refuse authentication or TLS) and the
// inbound mail webhook's URL, for the Connections page. Its methods are
// safe for concurrent use.
type ConnectionHealth interface {
	// ConnectionHealth returns whether connection id works and why not;
	// known is false when this process has not opened it.
	ConnectionHealth(id int64) (ok bool, reason string, known bool)
	// InboundMailURL is where a mail service posts inbound e-mail; "" for
	// none.
	InboundMailURL() string
}

// healthView is a connection's health as the Connections page shows it.
type healthView struct {
	Known  bool
	OK     bool
	Reason string
}

// connectionHealth returns the health of connection id.
func (p *Portal) connectionHealth(id int64) healthView {
	if p.health == nil {
		return healthView{}
	}
	ok, reason, known := p.health.ConnectionHealth(id)
	return healthView{Known: known, OK: ok, Reason: reason}
}

// inboundMailURL returns the inbound mail webhook's URL, or "".
func (p *Portal) inboundMailURL() string {
	if p.health == nil {
		return ""
	}
	return p.health.InboundMailURL()
}

// noSubject is what the messages log shows for an e-mail without a
// subject (reference 001 section 9.1.2).
const noSubject = "Email (no subject)"

// previewLen is the longest content preview in the messages log.
const previewLen = 60

// messagePreview is the one-line content of a message for the messages
// log: an e-mail's subject (or "Email (no subject)"), another message's
// text, else empty.
func messagePreview(m *herald.Message) string {
	var p struct {
		Subject *string `json:"subject"`
		Text    string  `json:"text"`
		Body    string  `json:"body"`
	}
	_ = json.Unmarshal(m.Payload, &p)
	if m.Channel == herald.ChannelEmail {
		if p.Subject == nil || strings.TrimSpace(*p.Subject) == "" {
			return noSubject
		}
		return clip(*p.Subject)
	}
	if p.Text != "" {
		return clip(p.Text)
	}
	return clip(p.Body)
}

// clip folds white space and cuts s to previewLen characters.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= previewLen {
		return s
	}
	r := []rune(s)
	return string(r[:previewLen-1]) + "…"
}

// emailView is an e-mail as a message's page shows it.
type emailView struct {
	Subject string
	Text    string
	HTML    string
	Files   []string
	Events  []herald.EmailEvent
}

// emailContent reads an e-mail message's payload for its page; nil for
// other channels.
func emailContent(m *herald.Message) *emailView {
	if m.Channel != herald.ChannelEmail {
		return nil
	}
	var p struct {
		Subject     string `json:"subject"`
		Text        string `json:"text"`
		HTML        string `json:"html"`
		Attachments []struct {
			Name    string `json:"name"`
			MediaID int64  `json:"mediaId"`
		} `json:"attachments"`
	}
	if json.Unmarshal(m.Payload, &p) != nil {
		return nil
	}
	v := &emailView{Subject: p.Subject, Text: p.Text, HTML: p.HTML}
	if v.Subject == "" {
		v.Subject = noSubject
	}
	for _, a := range p.Attachments {
		name := a.Name
		if name == "" {
			name = "media #" + strconv.FormatInt(a.MediaID, 10)
		}
		v.Files = append(v.Files, name)
	}
	return v
}
