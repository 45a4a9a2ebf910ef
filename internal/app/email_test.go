package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/channel/smtp/smtptest"
)

// emailEnv is the environment of an e-mail test: the inbound SMTP
// listener on a free port.
func emailEnv(env map[string]string) map[string]string {
	env["HERALD_SMTP_ADDR"] = "127.0.0.1:0"
	env["HERALD_SMTP_DOMAIN"] = "mx.shop.test"
	return env
}

// startEmailMain starts an SMTP server that keeps what it receives and
// Herald on env with its own SMTP listener and account 1's connection to
// that server; it returns the server, Herald and its base URL.
func startEmailMain(t *testing.T, env map[string]string) (*smtptest.Server, *app.Main, string) {
	t.Helper()
	srv := smtptest.Start(t, smtptest.Options{})
	m, base := startMain(t, emailEnv(env))
	addEmailConnection(t, m, srv.Host(), srv.Port(), "")
	return srv, m, base
}

// addEmailConnection gives account 1 an SMTP connection to host:port with
// extra settings, and the sender ID news@shop.test on it.
func addEmailConnection(t *testing.T, m *app.Main, host string, port int, extra string) *herald.Connection {
	t.Helper()
	ctx := herald.WithActor(context.Background(), herald.Actor{AccountID: 1, Login: "test"})
	settings := fmt.Sprintf(`{"host": %q, "port": %d, "tls": "none", "bounceAddress": "bounces@mail.shop.test", "fromName": "Shop"%s}`, host, port, extra)
	c := &herald.Connection{Type: herald.ConnectorSMTP, Channel: herald.ChannelEmail, Name: "mail " + t.Name(),
		Settings: json.RawMessage(settings), Accounts: []int64{1}}
	if err := m.CreateConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := m.Store.CreateSender(ctx, &herald.SenderID{AccountID: 1, Name: "news@shop.test", Channel: herald.ChannelEmail, ConnectionID: c.ID}); err != nil {
		t.Fatal(err)
	}
	return c
}

// addEmailContact creates a contact of account 1 with an e-mail address.
func addEmailContact(t *testing.T, m *app.Main, phone, email string) *herald.Contact {
	t.Helper()
	ctx := herald.WithActor(context.Background(), herald.Actor{AccountID: 1, Login: "test"})
	c := &herald.Contact{AccountID: 1, Phone: phone, Email: email}
	if err := m.Store.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// sendEmail posts an e-mail through the API and returns its ID.
func sendEmail(t *testing.T, base, key, to string, payload map[string]any) string {
	t.Helper()
	var msg sentMessage
	apiPost(t, base+"/api/v1/messages", key, map[string]any{"contact": map[string]string{"email": to}, "channel": "email",
		"senderId": "news@shop.test", "payload": payload}, http.StatusAccepted, &msg)
	return msg.ID
}

var (
	pixelRE = regexp.MustCompile(`<img src="([^"]+/email/o/[^"]+)"`)
	clickRE = regexp.MustCompile(`href="([^"]+/email/c/[^"]+)"`)
)

// lastHTML returns the HTML part of the latest message srv got.
func lastHTML(t *testing.T, srv *smtptest.Server, n int) (env smtptest.Message, html string) {
	t.Helper()
	msgs := srv.Wait(n, 20*time.Second)
	if len(msgs) < n {
		t.Fatalf("the SMTP server got %d messages, want %d", len(msgs), n)
	}
	env = msgs[n-1]
	return env, decodedPart(t, string(env.Data), "text/html")
}

// TestEmailFlow is the e-mail tour through the whole binary: send through
// an SMTP server, open and click, unsubscribe with one click, see a bounce
// turn a message undelivered, and receive replies over the SMTP listener
// and the inbound mail webhook.
func TestEmailFlow(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		srv, m, base := startEmailMain(t, env)
		ana := addEmailContact(t, m, "+34600111001", "ana@example.com")
		addEmailContact(t, m, "+34600111002", "gone@example.com")
		key := apiKey(t, m, "shop", herald.ScopeOmniAPI)

		apiPost(t, base+"/api/v1/messages", key, map[string]any{"contact": "ana@@example", "channel": "email", "senderId": "news@shop.test",
			"payload": map[string]string{"subject": "x", "text": "y"}}, http.StatusUnprocessableEntity, nil)

		id := sendEmail(t, base, key, "ana@example.com", map[string]any{"subject": "Ofertas de otoño",
			"html": `<html><body><p>Hola {{attribute.name}}</p><a href="https://shop.test/sale">Sale</a></body></html>`})
		waitStatus(t, m, id, herald.StatusSent)
		_, html := lastHTML(t, srv, 1)
		checkTracking(t, m, base, id, html)
		checkUnsubscribe(t, m, srv, base, key, id, ana)
		checkBounce(t, m, base, key, srv)
		checkInbound(t, m, ana)
	})
}

// checkTracking opens the pixel and follows the link.
func checkTracking(t *testing.T, m *app.Main, base, id, html string) {
	t.Helper()
	px, click := pixelRE.FindStringSubmatch(html), clickRE.FindStringSubmatch(html)
	if px == nil || click == nil || !strings.HasPrefix(px[1], base) {
		t.Fatalf("no pixel or tracked link under %s in:\n%s", base, html)
	}
	res, err := http.Get(strings.ReplaceAll(px[1], "&amp;", "&"))
	if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/gif" {
		t.Fatalf("pixel: %v %v", res, err)
	}
	res.Body.Close()
	waitStatus(t, m, id, herald.StatusSeen)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	link := strings.ReplaceAll(click[1], "&amp;", "&")
	res, err = noRedirect.Get(link)
	if err != nil || res.StatusCode != http.StatusFound || res.Header.Get("Location") != "https://shop.test/sale" {
		t.Fatalf("click: %v %v", res, err)
	}
	res.Body.Close()
	forged := strings.Replace(link, "u=https", "u=http", 1)
	if res, _ := noRedirect.Get(forged); res == nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("a link to another target answered %v", res)
	}
	evs, err := m.Store.EmailEvents(context.Background(), 1, id, 10)
	if err != nil || len(evs) != 2 || evs[0].Kind != herald.EmailOpened || evs[1].Kind != herald.EmailClicked || evs[1].URL != "https://shop.test/sale" {
		t.Errorf("e-mail events %+v, %v", evs, err)
	}
}

// checkUnsubscribe uses the List-Unsubscribe one-click POST and checks the
// next e-mail from the sender is rejected.
func checkUnsubscribe(t *testing.T, m *app.Main, srv *smtptest.Server, base, key, id string, ana *herald.Contact) {
	t.Helper()
	raw := rawEmail(t, m, srv, id)
	parsed, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	lu := strings.Trim(parsed.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(lu, base+"/email/u/") {
		t.Fatalf("List-Unsubscribe %q", lu)
	}
	res, err := http.Get(lu)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("unsubscribe page: %v %v", res, err)
	}
	res.Body.Close()
	res, err = http.Post(lu, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("one-click unsubscribe: %v %v", res, err)
	}
	res.Body.Close()
	next := sendEmail(t, base, key, "ana@example.com", map[string]any{"subject": "Again", "text": "Hi"})
	got := waitStatus(t, m, next, herald.StatusRejected)
	if got.Detail != herald.DetailOptedOutSend {
		t.Errorf("after unsubscribing: %+v", got.Detail)
	}
	c, err := m.Store.Contact(context.Background(), 1, ana.ID)
	if err != nil || len(c.OptOuts) != 1 || c.OptOuts[0].SenderID != "news@shop.test" || c.OptOuts[0].By != herald.OptOutByUnsubscribe {
		t.Errorf("opt-outs %+v, %v", c.OptOuts, err)
	}
}

// rawEmail returns the raw e-mail of message id that srv got: its
// Message-ID names the message.
func rawEmail(t *testing.T, m *app.Main, srv *smtptest.Server, id string) string {
	t.Helper()
	sig := m.Messaging.SMTP.Signer()
	for _, msg := range srv.Messages() {
		p, err := mail.ReadMessage(bytes.NewReader(msg.Data))
		if err != nil {
			continue
		}
		if got, ok := sig.ParseMessageID(p.Header.Get("Message-Id")); ok && got == id {
			return string(msg.Data)
		}
	}
	t.Fatalf("no e-mail of message %s", id)
	return ""
}

// checkBounce sends to gone@example.com and delivers a DSN for it to the
// VERP address over SMTP: the message becomes undelivered with the reason.
func checkBounce(t *testing.T, m *app.Main, base, key string, srv *smtptest.Server) {
	t.Helper()
	id := sendEmail(t, base, key, "gone@example.com", map[string]any{"subject": "Hello", "text": "Hi"})
	waitStatus(t, m, id, herald.StatusSent)
	msgs := srv.Wait(2, 20*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("the SMTP server got %d messages, want 2", len(msgs))
	}
	env := msgs[1]
	dsn := fmt.Sprintf("From: MAILER-DAEMON@mx.example.com\r\nTo: %s\r\nSubject: Undelivered Mail Returned to Sender\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"+
		"--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"+
		"--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"+
		"Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"+
		"Remote-MTA: dns; mx2.example.com\r\nDiagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: Recipient address rejected\r\n"+
		"--b1--\r\n", env.From)
	if err := smtp.SendMail(m.SMTP.Addr(), nil, "", []string{env.From}, []byte(dsn)); err != nil {
		t.Fatal(err)
	}
	got := waitStatus(t, m, id, herald.StatusUndelivered)
	if !strings.Contains(got.Error, "550 5.1.1 <gone@example.com>: Recipient address rejected") || got.ProviderCode != "5.1.1" {
		t.Errorf("bounced message: error %q, code %q", got.Error, got.ProviderCode)
	}
	// A stranger is no recipient of the listener.
	if err := smtp.SendMail(m.SMTP.Addr(), nil, "x@example.com", []string{"someone@else.test"}, []byte("Subject: x\r\n\r\nx")); err == nil {
		t.Error("the listener took mail for an unknown address")
	}
}

// checkInbound sends a reply with an attachment with swaks to the SMTP
// listener, and another through the inbound mail webhook: both become MO
// messages in Ana's e-mail thread.
func checkInbound(t *testing.T, m *app.Main, ana *herald.Contact) {
	t.Helper()
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		t.Fatal("swaks is missing (scripts/test installs it): ", err)
	}
	file := filepath.Join(t.TempDir(), "photo.txt")
	if err := os.WriteFile(file, []byte("a small attachment"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(swaks, "--server", m.SMTP.Addr(), "--from", "ana@example.com", "--to", "news@shop.test",
		"--h-Subject", "Re: Ofertas de otoño", "--body", "Quiero dos, gracias", "--attach", "@"+file, "--attach-type", "text/plain").CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	mo := waitMO(t, m, 1)
	var p struct {
		Subject     string `json:"subject"`
		Text        string `json:"text"`
		Attachments []struct {
			Name string `json:"name"`
			Size int    `json:"size"`
		} `json:"attachments"`
	}
	_ = json.Unmarshal(mo.Payload, &p)
	if mo.ContactID != ana.ID || mo.SenderID != "news@shop.test" || p.Subject != "Re: Ofertas de otoño" ||
		!strings.Contains(p.Text, "Quiero dos") || len(p.Attachments) != 1 || p.Attachments[0].Size != 18 {
		t.Errorf("MO over SMTP: %+v payload %s", mo, mo.Payload)
	}
	raw := "From: Ana <ana@example.com>\r\nTo: news@shop.test\r\nSubject: =?UTF-8?Q?=C2=BFHay_talla_M=3F?=\r\n\r\nGracias\r\n"
	res, err := http.Post(m.InboundMailURL(), "message/rfc822", strings.NewReader(raw))
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("inbound webhook: %v %v", res, err)
	}
	res.Body.Close()
	mo = waitMO(t, m, 2)
	if !strings.Contains(string(mo.Payload), "¿Hay talla M?") || mo.ContactID != ana.ID {
		t.Errorf("MO over the webhook: %+v payload %s", mo, mo.Payload)
	}
	threads, err := m.Store.ContactThreads(context.Background(), 1, ana.ID)
	if err != nil || len(threads) != 1 || threads[0].Channel != herald.ChannelEmail || threads[0].LastMessageID != mo.ID {
		t.Errorf("threads %+v, %v", threads, err)
	}
	checkInboundOnce(t, m)
	bad := strings.Replace(m.InboundMailURL(), "/inbound/", "/inbound/x", 1)
	if res, _ := http.Post(bad, "message/rfc822", strings.NewReader(raw)); res == nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("a wrong webhook token answered %v", res)
	}
}

// checkInboundOnce posts one e-mail twice, then another, to the inbound
// mail webhook: the e-mail delivered twice (the same Message-ID) makes one
// inbound message.
func checkInboundOnce(t *testing.T, m *app.Main) {
	t.Helper()
	post := func(id, text string) {
		raw := "From: Ana <ana@example.com>\r\nTo: news@shop.test\r\nSubject: Talla\r\nMessage-ID: <" + id +
			">\r\n\r\n" + text + "\r\n"
		res, err := http.Post(m.InboundMailURL(), "message/rfc822", strings.NewReader(raw))
		if err != nil || res.StatusCode != http.StatusNoContent {
			t.Fatalf("inbound webhook: %v %v", res, err)
		}
		res.Body.Close()
	}
	post("twice@example.com", "Primera")
	post("twice@example.com", "Primera")
	post("once@example.com", "Segunda")
	mo := waitMO(t, m, 4)
	page, err := m.Store.ListMessages(context.Background(), 1, herald.ListQuery{Limit: 10,
		Filters: []herald.Filter{{Field: "direction", Op: herald.OpEq, Value: "mo"}, {Field: "channel", Op: herald.OpEq, Value: "email"}}})
	if err != nil || len(page.Items) != 4 || !strings.Contains(string(mo.Payload), "Segunda") {
		t.Errorf("%d inbound e-mails after one delivered twice and another, want 4 (%v); newest %s", len(page.Items), err, mo.Payload)
	}
}

// waitMO waits until account 1 has n inbound e-mails and returns the
// newest.
func waitMO(t *testing.T, m *app.Main, n int) herald.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		page, err := m.Store.ListMessages(context.Background(), 1, herald.ListQuery{Limit: 10,
			Filters: []herald.Filter{{Field: "direction", Op: herald.OpEq, Value: "mo"}, {Field: "channel", Op: herald.OpEq, Value: "email"}}})
		if err == nil && len(page.Items) >= n {
			return page.Items[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d inbound e-mails, want %d (%v)", len(page.Items), n, err)
		}
		time.Sleep(30 * time.Millisecond)
	}
}
