package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/senders"
)

// onePixelPNG is a 1×1 PNG, shown as every media file of the test.
const onePixelPNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

// TestBrowserSenderRegistration fills the RCS registration form in
// Chromium: the preview follows the typing, a missing button text is
// shown beside its field, and once corrected the request is sent.
func TestBrowserSenderRegistration(t *testing.T) {
	f := newFixture(t)
	media := &memMedia{}
	logo := media.add(f.account.ID, "tansy-logo.png", "png", 240, 240, 20*1024)
	p, err := New(Config{Logger: testLogger(t)}, Deps{Store: f.store, Auth: f.auth, Clock: f.clock,
		Senders: senders.New(f.store, media, nil), MediaURL: func(int64) string { return onePixelPNG }})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = p.Handler()
	admin := f.newUser(f.account.ID, f.roles[herald.RoleAdmin], "admin", true)
	b := newBrowser(t, f.srv.URL)
	b.open("/signin")
	b.do("signing in", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "admin"), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.submit("form[action='/signin'] button[type=submit]")

	b.open("/senders")
	b.submit("a[href='/senders/new?channel=rcs']")
	b.do("filling the bot information",
		chromedp.WaitVisible(chromedp.CSS("#f-displayName")),
		chromedp.SendKeys(chromedp.CSS("#f-displayName"), "Tansy's pancakes"),
		chromedp.SendKeys(chromedp.CSS("#f-description"), "Best pancake shop in the industry"),
		chromedp.SetValue(chromedp.CSS("#f-logoMediaId"), itoa(logo)),
		chromedp.Evaluate[chromedp.Void](`(function(){var c=document.getElementById('f-color');c.value='#1a73e8';`+
			`c.dispatchEvent(new Event('input',{bubbles:true}));`+
			`document.getElementById('f-logoMediaId').dispatchEvent(new Event('change',{bubbles:true}));})()`),
		chromedp.SendKeys(chromedp.CSS("#f-contactName"), "Tansy Pancakes"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-phones[0].value"]`), "+1234567"))
	if got := b.text(`[data-sender-preview] [data-pv=displayName]`); got != "Tansy's pancakes" {
		t.Errorf("the preview's name = %q while typing", got)
	}
	if !b.eval(`document.querySelector('[data-sender-preview] [data-pv-fill]').getAttribute('fill') === '#1a73e8' && ` +
		`document.querySelector('[data-pv-img=logoMediaId] img').src.indexOf('data:image/png') === 0`) {
		t.Error("the preview does not take the colour or the logo")
	}
	if b.eval(`getComputedStyle(document.getElementById('row-websites-1')).display !== 'none'`) {
		t.Error("the extra website row shows before it is asked for")
	}
	b.do("adding a website", chromedp.Click(chromedp.CSS(`[data-add-row="row-websites-1"]`)),
		chromedp.SendKeys(chromedp.CSS(`[id="f-websites[1].value"]`), "www.tansypancakes.com"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-websites[1].label"]`), "Shop"))
	if got := b.text(`[data-pv-list=websites]`); !strings.Contains(got, "Shop") || !strings.Contains(got, "www.tansypancakes.com") {
		t.Errorf("the preview's websites = %q", got)
	}
	b.shot("sender-form-filled")

	b.submit("button[data-send]")
	if got := b.text(`[id="e-f-phones[0].label"]`); got != "Enter the button text of the phone number." {
		t.Fatalf("error beside the phone's button text = %q", got)
	}
	if !b.eval(`document.getElementById('f-displayName').value === "Tansy's pancakes" && ` +
		`document.getElementById('f-websites[0].value').value === 'www.tansypancakes.com'`) {
		t.Error("the form did not keep what was typed")
	}
	b.shot("sender-form-error")

	b.do("adding the button text", chromedp.SendKeys(chromedp.CSS(`[id="f-phones[0].label"]`), "Call us"))
	b.submit("button[data-send]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "Registration request for Tansy's pancakes sent") {
		t.Fatalf("after sending: %q at %s", got, b.location())
	}
	if got := b.text("[data-sender-status]"); got != "Submitted" {
		t.Errorf("status = %q", got)
	}
	b.shot("sender-submitted")
	list, err := f.store.ListSenders(sys(f.account.ID), f.account.ID, herald.ListQuery{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("stored sender IDs = %+v, %v", list.Items, err)
	}
	sd := list.Items[0]
	if sd.LogoMediaID != logo || sd.Color != "#1a73e8" || len(sd.Websites) != 1 || sd.Phones[0].Label != "Call us" {
		t.Errorf("stored request = %+v", sd)
	}

	// The same user as the system owner rejects it without a reason first.
	admin.SystemOwner = true
	if err := f.store.UpdateUser(sys(f.account.ID), admin); err != nil {
		t.Fatal(err)
	}
	b.open("/sender-review/" + itoa(sd.ID))
	b.do("rejecting", chromedp.SetValue(chromedp.CSS("#f-status"), "rejected"))
	b.submit("form[data-review-form] button[type=submit]")
	if got := b.text("#e-f-reason"); got != "Say why the request is rejected: the account sees the reason." {
		t.Fatalf("error beside the reason = %q", got)
	}
	b.shot("sender-review-error")
}
