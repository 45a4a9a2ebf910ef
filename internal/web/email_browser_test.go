package web

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/secret"
)

// TestBrowserSMTPConnection configures an e-mail connection as the system
// owner would: choosing the smtp type shows the SMTP inputs instead of the
// JSON settings, and the saved connection has the typed settings.
func TestBrowserSMTPConnection(t *testing.T) {
	f := newFixture(t)
	box, _ := secret.NewBox(bytes.Repeat([]byte{3}, secret.KeySize))
	f.portal.box = box
	f.portal.connectorTypes = []string{herald.ConnectorSandbox, herald.ConnectorSMPP, herald.ConnectorSMTP}
	u := f.newUser(f.account.ID, f.roles[herald.RoleAdmin], "root", true)
	u.SystemOwner = true
	if err := f.store.UpdateUser(sys(f.account.ID), u); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, f.srv.URL)
	b.open("/signin")
	b.do("signing in", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "root"), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.submit("form[action='/signin'] button[type=submit]")

	b.open("/connections/new")
	if !b.eval(`document.querySelector('[data-type-show="smtp"]').hidden`) {
		t.Error("the SMTP inputs show for the sandbox type")
	}
	b.do("choosing smtp", chromedp.SetValue(chromedp.CSS("#f-type"), "smtp"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#f-type').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.SetValue(chromedp.CSS("#f-channel"), "6"))
	if b.eval(`document.querySelector('[data-type-show="smtp"]').hidden`) || !b.eval(`document.querySelector('[data-type-hide="smtp"]').hidden`) {
		t.Fatal("choosing smtp does not show the SMTP inputs instead of the JSON settings")
	}
	b.do("filling the SMTP settings", chromedp.SendKeys(chromedp.CSS("#f-name"), "Mail"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-settings.host"]`), "smtp.example.com"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-settings.username"]`), "shop"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-secrets.password"]`), "s3cret"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-settings.fromName"]`), "Shop"))
	b.shot("smtp-connection-form")
	b.submit("form.form-card button[type=submit]")
	if !strings.Contains(b.text("main"), "Connection Mail created.") {
		t.Fatalf("after saving: %s", b.text("main"))
	}
	conns, err := f.store.Connections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got *herald.Connection
	for i := range conns {
		if conns[i].Name == "Mail" {
			got = &conns[i]
		}
	}
	var s map[string]any
	if got != nil {
		_ = json.Unmarshal(got.Settings, &s)
	}
	if got == nil || got.Type != herald.ConnectorSMTP || s["host"] != "smtp.example.com" || s["fromName"] != "Shop" || s["trackOpens"] != true {
		t.Errorf("saved connection %+v settings %v", got, s)
	}
}
