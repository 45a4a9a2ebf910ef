package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel/smtp/smtptest"
)

// TestEmailBroadcast is issue 8's tour through the binary: an e-mail built
// in the block editor, broadcast to a target over an SMTP connection,
// personalised per contact; an open and a click arrive, a bounce turns one
// message undelivered, a one-click unsubscribe opts a contact out, and the
// broadcast's channel statistics add it all up.
func TestEmailBroadcast(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		srv, m, base := startEmailMain(t, env)
		key := apiKey(t, m, "campaigns", herald.ScopeRecipients, herald.ScopeBroadcast)
		js := "application/json"
		people := map[string]string{"ana@example.com": "Ana", "luis@example.com": "Luis", "gone@example.com": "Pilar"}
		target := campaignAudience(t, base, key, "autumn", "+3460016", people)

		email := map[string]any{"subject": "Autumn sale for {{attribute.Name}}", "subtitle": "This week only", "blocks": []map[string]any{
			{"type": "text", "html": "<h1>Hello {{attribute.Name}}!</h1><p>Our <b>autumn sale</b> starts today.</p>"},
			{"type": "button", "text": "Shop the sale", "url": "https://shop.test/sale"},
		}}
		def, _ := json.Marshal(map[string]any{"name": "Autumn sale", "launch": true, "recipients": map[string]any{"targetIds": []int64{target.ID}},
			"steps": []map[string]any{{"channel": "email", "senderId": "news@shop.test", "payload": email, "successCriterion": "display", "waitingTime": 3600}}})
		var b struct {
			ID       int64  `json:"id"`
			Status   string `json:"status"`
			Contacts int    `json:"contacts"`
		}
		apiCall(t, "POST", base+"/api/v1/broadcasts", key, js, bytes.NewReader(def), 201, &b)
		if b.Status != "in_progress" || b.Contacts != 3 {
			t.Fatalf("launched = %+v", b)
		}
		msgs := srv.Wait(3, 20*time.Second)
		if len(msgs) != 3 {
			t.Fatalf("the SMTP server got %d e-mails, want 3", len(msgs))
		}
		sig := m.Messaging.SMTP.Signer()
		ids := map[string]string{}   // message ID by address
		htmls := map[string]string{} // HTML part by address
		bounceTo := ""
		for _, msg := range msgs {
			p, err := mail.ReadMessage(bytes.NewReader(msg.Data))
			if err != nil {
				t.Fatal(err)
			}
			to := msg.To[0]
			id, ok := sig.ParseMessageID(p.Header.Get("Message-Id"))
			subject, _ := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
			if !ok || subject != "Autumn sale for "+people[to] {
				t.Errorf("e-mail to %s: Message-ID %q, subject %q", to, p.Header.Get("Message-Id"), subject)
			}
			ids[to] = id
			_, htmls[to] = lastHTML(t, srv, indexOf(msgs, msg)+1)
			if !strings.Contains(htmls[to], "Hello "+people[to]+"!") {
				t.Errorf("the e-mail to %s is not personalised:\n%s", to, htmls[to])
			}
			if to == "gone@example.com" {
				bounceTo = msg.From
			}
		}

		checkTracking(t, m, base, ids["ana@example.com"], htmls["ana@example.com"])

		dsn := fmt.Sprintf("From: MAILER-DAEMON@mx.example.com\r\nTo: %s\r\nSubject: Undelivered Mail Returned to Sender\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"+
			"--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"+
			"Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"+
			"Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: no such user\r\n--b1--\r\n", bounceTo)
		if err := smtp.SendMail(m.SMTP.Addr(), nil, "", []string{bounceTo}, []byte(dsn)); err != nil {
			t.Fatal(err)
		}
		waitStatus(t, m, ids["gone@example.com"], herald.StatusUndelivered)

		unsubscribe(t, msgs, "luis@example.com")
		luis, err := m.Store.ContactByAddress(context.Background(), 1, herald.ChannelEmail, "luis@example.com")
		if err != nil || len(luis.OptOuts) != 1 || luis.OptOuts[0].Channel != herald.ChannelEmail || luis.OptOuts[0].By != herald.OptOutByUnsubscribe {
			t.Errorf("Luis's opt-outs %+v, %v", luis, err)
		}

		var st struct {
			Channels []herald.ChannelStats `json:"channels"`
		}
		path := fmt.Sprintf("%s/api/v1/broadcasts/%d", base, b.ID)
		waitFor(t, "the open and the bounce in the statistics", func() bool {
			apiCall(t, "GET", path+"/statistics", key, "", nil, 200, &st)
			return len(st.Channels) == 1 && st.Channels[0].Seen == 1 && st.Channels[0].Failed == 1
		})
		if c := st.Channels[0]; c.Channel != herald.ChannelEmail || c.Sent != 3 {
			t.Errorf("e-mail statistics %+v", c)
		}
	})
}

// indexOf is the position of msg in msgs.
func indexOf(msgs []smtptest.Message, msg smtptest.Message) int {
	for i := range msgs {
		if bytes.Equal(msgs[i].Data, msg.Data) {
			return i
		}
	}
	return -1
}

// unsubscribe posts the one-click unsubscribe of the e-mail sent to addr.
func unsubscribe(t *testing.T, msgs []smtptest.Message, addr string) {
	t.Helper()
	for _, msg := range msgs {
		if msg.To[0] != addr {
			continue
		}
		p, err := mail.ReadMessage(bytes.NewReader(msg.Data))
		if err != nil {
			t.Fatal(err)
		}
		lu := strings.Trim(p.Header.Get("List-Unsubscribe"), "<>")
		res, err := http.Post(lu, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("one-click unsubscribe of %s: %v %v", addr, res, err)
		}
		res.Body.Close()
		return
	}
	t.Fatalf("no e-mail to %s", addr)
}

// TestEmailBroadcastPersonalHTML broadcasts an HTML e-mail personalised
// with each contact's name, as the connector composes it from the
// template compiled once: every e-mail carries its own name, escaped in
// the HTML and as it is in the subject and the text part, and its own
// tracked links; a contact without the attribute gets an empty name.
func TestEmailBroadcastPersonalHTML(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		srv, m, base := startEmailMain(t, env)
		key := apiKey(t, m, "campaigns", herald.ScopeRecipients, herald.ScopeBroadcast)
		js := "application/json"
		people := map[string]string{"ana@example.com": "Ana María", "jose@example.com": `José & "Eva" <dos>`, "nobody@example.com": ""}
		target := campaignAudience(t, base, key, "html", "+3460017", people)
		email := map[string]any{"subject": "Offers for {{attribute.Name}}",
			"html": `<html><body><h1>Hola {{attribute.Name}},</h1><p>Our offers <a href="https://shop.test/sale">are here</a>.</p></body></html>`}
		def, _ := json.Marshal(map[string]any{"name": "Personal HTML", "launch": true, "recipients": map[string]any{"targetIds": []int64{target.ID}},
			"steps": []map[string]any{{"channel": "email", "senderId": "news@shop.test", "payload": email, "successCriterion": "display", "waitingTime": 3600}}})
		apiCall(t, "POST", base+"/api/v1/broadcasts", key, js, bytes.NewReader(def), 201, nil)
		msgs := srv.Wait(3, 20*time.Second)
		if len(msgs) != 3 {
			t.Fatalf("the SMTP server got %d e-mails, want 3", len(msgs))
		}
		sig := m.Messaging.SMTP.Signer()
		for n, msg := range msgs {
			p, err := mail.ReadMessage(bytes.NewReader(msg.Data))
			if err != nil {
				t.Fatal(err)
			}
			to, name := msg.To[0], people[msg.To[0]]
			id, ok := sig.ParseMessageID(p.Header.Get("Message-Id"))
			subject, _ := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
			if want := strings.TrimSpace("Offers for " + name); !ok || subject != want {
				t.Errorf("e-mail to %s: Message-ID %q, subject %q, want %q", to, p.Header.Get("Message-Id"), subject, want)
			}
			_, htmlPart := lastHTML(t, srv, n+1)
			if want := "<h1>Hola " + html.EscapeString(name) + ",</h1>"; !strings.Contains(htmlPart, want) {
				t.Errorf("the e-mail to %s has no %q:\n%s", to, want, htmlPart)
			}
			text := textPart(t, string(msg.Data))
			if want := "Hola " + name + ","; name != "" && !strings.HasPrefix(text, want) || name == "" && !strings.HasPrefix(text, "Hola ,") {
				t.Errorf("the text part to %s:\n%s", to, text)
			}
			if to == "ana@example.com" {
				checkTracking(t, m, base, id, htmlPart)
			}
		}
	})
}

// campaignAudience creates, through the API, a contact for each e-mail
// address of people (with its name as the attribute Name, none when
// empty) tagged tag, numbered from prefix, and a target of the tag.
func campaignAudience(t *testing.T, base, key, tag, prefix string, people map[string]string) herald.Target {
	t.Helper()
	var contacts []map[string]any
	i := 0
	for addr, name := range people {
		i++
		c := map[string]any{"phone": fmt.Sprintf("%s%03d9", prefix, i), "email": addr, "tags": []string{tag}}
		if name != "" {
			c["attributes"] = map[string]string{"Name": name}
		}
		contacts = append(contacts, c)
	}
	js := "application/json"
	body, _ := json.Marshal(map[string]any{"policy": "skip", "contacts": contacts})
	apiCall(t, "POST", base+"/api/v1/contacts/bulk", key, js, bytes.NewReader(body), 200, nil)
	var target herald.Target
	def, _ := json.Marshal(map[string]any{"name": tag, "filters": []map[string]string{{"field": "tags", "op": "eq", "value": tag}}})
	apiCall(t, "POST", base+"/api/v1/targets", key, js, bytes.NewReader(def), 201, &target)
	return target
}

// textPart returns the decoded text part of a raw e-mail.
func textPart(t *testing.T, raw string) string {
	t.Helper()
	return decodedPart(t, raw, "text/plain")
}

// decodedPart returns the decoded part of a raw e-mail whose Content-Type
// is typ (quoted-printable, the first of its type).
func decodedPart(t *testing.T, raw, typ string) string {
	t.Helper()
	i := strings.Index(raw, "Content-Type: "+typ)
	if i < 0 {
		t.Fatalf("no %s part:\n%s", typ, raw)
	}
	part := raw[i:]
	part = part[strings.Index(part, "\r\n\r\n")+4:]
	part = part[:strings.Index(part, "\r\n--")]
	dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(part)))
	if err != nil {
		t.Fatal(err)
	}
	return string(dec)
}
