package app_test

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel/smtp/smtptest"
)

// TestEmailThroughPostfix sends through Debian's postfix as a real MTA on
// loopback: Herald's connector hands mail to postfix, which relays it to
// the recipients' server (go-smtp in this process). That server refuses
// one recipient; postfix then sends its delivery status notification to
// the message's VERP bounce address, which it routes to Herald's SMTP
// listener, and the message becomes undelivered with the refusal.
func TestEmailThroughPostfix(t *testing.T) {
	mx := smtptest.Start(t, smtptest.Options{Reply: func(rcpt string) *gosmtp.SMTPError {
		if strings.HasPrefix(rcpt, "gone@") {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
		return nil
	}})
	m, base := startMain(t, emailEnv(smppEnv(t)))
	pf := smtptest.StartPostfix(t, smtptest.PostfixOptions{Relay: mx.Addr,
		Transport: map[string]string{"mail.shop.test": m.SMTP.Addr()}})
	host, port, _ := net.SplitHostPort(pf.Addr)
	p, _ := strconv.Atoi(port)
	addEmailConnection(t, m, host, p, `, "poolSize": 2`)
	addEmailContact(t, m, "+34600222001", "ana@example.com")
	addEmailContact(t, m, "+34600222002", "gone@example.com")
	key := apiKey(t, m, "shop", herald.ScopeOmniAPI)

	ok := sendEmail(t, base, key, "ana@example.com", map[string]any{"subject": "Café für dich", "text": "Hola", "html": "<p>Hola</p>"})
	gone := sendEmail(t, base, key, "gone@example.com", map[string]any{"subject": "Hello", "text": "Hi"})
	waitStatus(t, m, ok, herald.StatusSent)
	got := mx.Wait(1, 30*time.Second)
	if len(got) != 1 || got[0].To[0] != "ana@example.com" {
		t.Fatalf("the recipients' server got %+v\npostfix log:\n%s", got, pf.Log())
	}
	raw := string(got[0].Data)
	if !strings.Contains(raw, "by relay.herald.test (Postfix)") || rawEmail(t, m, mx, ok) == "" {
		t.Errorf("the message did not pass postfix intact:\n%s", raw)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		msg, err := m.Store.Message(t.Context(), 1, gone)
		if err == nil && msg.Status == herald.StatusUndelivered {
			if !strings.Contains(msg.Error, "550 5.1.1 No such user here") || msg.ProviderCode != "5.1.1" {
				t.Errorf("bounced message: error %q, code %q", msg.Error, msg.ProviderCode)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s: %+v %v, want undelivered\npostfix log:\n%s", gone, msg, err, pf.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
