package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
)

// TestBrowserSandboxFlow drives the messaging pages in Chromium: an admin
// sends a test SMS from the Sandbox page, follows it to the Messages log
// and its timeline (sent, then delivered), answers it as the contact and
// finds the inbound message in the log.
func TestBrowserSandboxFlow(t *testing.T) {
	f := newFixture(t)
	f.withMessaging()
	f.newUser(f.account.ID, f.roles[herald.RoleAdmin], "admin", true)
	b := newBrowser(t, f.srv.URL)
	b.open("/signin")
	b.do("signing in", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "admin"), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.submit("form[action='/signin'] button[type=submit]")

	const phone = "+491701234567"
	b.open("/sandbox")
	b.do("filling the test message", chromedp.WaitVisible(chromedp.CSS("#f-destination")),
		chromedp.SetValue(chromedp.CSS("#f-channel"), herald.ChannelSMS.String()),
		chromedp.SetValue(chromedp.CSS("#f-senderId"), herald.SandboxSender),
		chromedp.SendKeys(chromedp.CSS("#f-destination"), phone),
		chromedp.SendKeys(chromedp.CSS("#f-text"), "Hello from the browser"))
	b.shot("sandbox-form")
	b.submit("form[data-test-send] button[type=submit]")
	m := sentID.FindStringSubmatch(b.text("main"))
	if m == nil {
		t.Fatalf("no sent message in the flash: %s", b.text("main"))
	}
	id := m[1]
	eventually(t, "delivery", func() bool {
		msg, err := f.store.Message(context.Background(), f.account.ID, id)
		return err == nil && msg.Status == herald.StatusDelivered
	})

	b.open("/messages")
	if !strings.Contains(b.text("main"), id) {
		t.Errorf("the Messages log lacks %s", id)
	}
	b.shot("messages-log")
	b.open("/messages/" + id)
	timeline := b.text("[data-timeline]")
	sent, delivered := strings.Index(timeline, "sent"), strings.Index(timeline, "delivered")
	if sent < 0 || delivered < sent {
		t.Errorf("timeline %q: want sent, then delivered", timeline)
	}
	b.shot("message-timeline")

	b.open("/sandbox?device=" + url.QueryEscape(phone))
	reply := "form[data-reply] input[name=text]"
	b.do("replying", chromedp.WaitVisible(chromedp.CSS(reply)), chromedp.SendKeys(chromedp.CSS(reply), "Thanks, see you then"))
	b.shot("sandbox-inbox")
	b.submit("form[data-reply] button[type=submit]")
	if got := b.text("main"); !strings.Contains(got, "Reply received as inbound message") {
		t.Errorf("after the reply: %s", got)
	}
	b.shot("sandbox-replied")

	b.open("/messages?f.direction=mo")
	if got := b.text("main"); !strings.Contains(got, "received") || !strings.Contains(got, "491701234567") {
		t.Errorf("the inbound log lacks the reply: %s", got)
	}
	b.shot("messages-inbound")

	b.open("/senders")
	if got := b.text("main"); !strings.Contains(got, herald.SandboxSender) || !strings.Contains(got, "Active") {
		t.Errorf("the Sender IDs page lacks the sandbox sender IDs: %s", got)
	}
	b.shot("sender-ids")
}
