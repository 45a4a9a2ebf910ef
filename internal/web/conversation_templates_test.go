package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
)

// library is a media library of fixed files, standing in for the media
// store, which another part of Herald keeps.
type library []herald.Media

func (l library) CreateMedia(context.Context, *herald.Media) error { return nil }
func (l library) Media(_ context.Context, accountID, id int64) (*herald.Media, error) {
	for _, m := range l {
		if m.ID == id && m.AccountID == accountID {
			return &m, nil
		}
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "File not found.")
}
func (l library) ListMedia(_ context.Context, accountID int64, _ herald.ListQuery) (herald.Page[herald.Media], error) {
	var out []herald.Media
	for _, m := range l {
		if m.AccountID == accountID {
			out = append(out, m)
		}
	}
	return herald.Page[herald.Media]{Items: out}, nil
}
func (l library) RenameMedia(context.Context, int64, int64, string) error { return nil }
func (l library) DeleteMedia(context.Context, int64, int64) (*herald.Media, error) {
	return nil, herald.Errorf(herald.ENOTFOUND, "File not found.")
}

// withMedia rebuilds the portal with a media library of two images of the
// fixture's account and one of another account.
func (f *fixture) withMedia() library {
	f.t.Helper()
	lib := library{
		{ID: 11, AccountID: f.account.ID, Name: "welcome.png", Kind: herald.MediaImage, Format: "png"},
		{ID: 12, AccountID: f.account.ID, Name: "menu.pdf", Kind: herald.MediaDocument, Format: "pdf"},
		{ID: 13, AccountID: f.account.ID + 1000, Name: "theirs.png", Kind: herald.MediaImage, Format: "png"},
	}
	p, err := New(Config{Logger: testLogger(f.t)}, Deps{Store: f.store, Auth: f.auth, Clock: f.clock, Media: lib})
	if err != nil {
		f.t.Fatal(err)
	}
	f.portal = p
	f.srv.Config.Handler = p.Handler()
	return lib
}

func TestConversationTemplatesPage(t *testing.T) {
	f := newFixture(t)
	f.withMedia()
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")
	mustContain(t, c.get("/senders").Body, `href="/conversation-templates"`)
	mustContain(t, c.get("/conversation-templates").Body, "No conversation templates.")
	form := c.get("/conversation-templates/new").Body
	mustContain(t, form, "welcome.png", "menu.pdf", `<option value="mobilepush">Mobile Push</option>`)
	if strings.Contains(form, "theirs.png") || strings.Contains(form, `value="telegram"`) {
		t.Error("the form offers another account's file or a channel without templates")
	}
	post := func(path string, v url.Values) response { return c.post(path, v) }
	for _, tc := range []struct {
		form url.Values
		want map[string]string
	}{
		{url.Values{"channel": {"sms"}}, map[string]string{"name": "Name is required.", "text": "Write the text or attach a file."}},
		{url.Values{"name": {"Long"}, "channel": {"viber"}, "text": {strings.Repeat("x", 1001)}},
			map[string]string{"text": "Text must be at most 1000 characters (it has 1001)."}},
		{url.Values{"name": {"Foreign"}, "channel": {"rcs"}, "mediaIds": {"13"}}, map[string]string{"mediaIds": "No file with ID 13 in the media library."}},
	} {
		res := post("/conversation-templates", tc.form)
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%v: status %d, want 422", tc.form, res.Status)
		}
		wantFieldErrors(t, res.Body, tc.want)
	}
	res := post("/conversation-templates", url.Values{"name": {"Welcome"}, "channel": {"rcs"}, "text": {"Hi {{attribute.name}}!"}, "mediaIds": {"11", "12"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.Status, res.Body)
	}
	page, err := f.portal.convTemplates.ListConversationTemplates(context.Background(), f.account.ID, herald.ListQuery{})
	if err != nil || len(page.Items) != 1 || fmt.Sprint(page.Items[0].MediaIDs) != "[11 12]" {
		t.Fatalf("stored: %+v, %v", page.Items, err)
	}
	ct := page.Items[0]
	mustContain(t, c.get("/conversation-templates").Body, "Welcome", "Hi {{attribute.name}}!", "RCS")
	path := fmt.Sprintf("/conversation-templates/%d", ct.ID)
	edit := c.get(path).Body
	mustContain(t, edit, `value="11" checked`, `value="12" checked`)

	if res := post(path, url.Values{"name": {"Welcome"}, "channel": {"sms"}, "text": {"Hello"}, "mediaIds": {"12"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	got, _ := f.portal.convTemplates.ConversationTemplate(context.Background(), f.account.ID, ct.ID)
	if got.Channel != herald.ChannelSMS || got.Text != "Hello" || fmt.Sprint(got.MediaIDs) != "[12]" {
		t.Errorf("after update: %+v", got)
	}

	noc, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleNOCEngineer], "nora")
	if res := noc.get("/conversation-templates"); res.Status != http.StatusForbidden {
		t.Errorf("a NOC engineer opens the page: %d, want 403", res.Status)
	}
	other, roles := f.newAccount("Globex")
	oc, _ := f.signedInClient(other.ID, roles[herald.RoleAdmin], "olga")
	if res := oc.get(path); res.Status != http.StatusNotFound {
		t.Errorf("another account opens the template: %d, want 404", res.Status)
	}
	if res := post(path+"/delete", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if res := c.get(path); res.Status != http.StatusNotFound {
		t.Errorf("GET a deleted template: %d, want 404", res.Status)
	}
}

// TestBrowserConversationTemplate drives the form in Chromium: a mistake
// shows beside its field, then the template is saved with a file and
// listed.
func TestBrowserConversationTemplate(t *testing.T) {
	f := newFixture(t)
	f.withMedia()
	f.newUser(f.account.ID, f.roles[herald.RoleAdmin], "admin", true)
	b := newBrowser(t, f.srv.URL)
	b.open("/signin")
	b.do("signing in", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "admin"), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.submit("form[action='/signin'] button[type=submit]")

	b.open("/conversation-templates")
	b.submit("a[href='/conversation-templates/new']")
	b.do("filling the form", chromedp.WaitVisible(chromedp.CSS("#f-name")),
		chromedp.SetValue(chromedp.CSS("#f-channel"), herald.ChannelViber.String()),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Menu"),
		chromedp.SetValue(chromedp.CSS("#f-text"), strings.Repeat("x", 1001)),
		chromedp.Click(chromedp.CSS("input[name=mediaIds][value='12']")))
	b.submit("form.form-card button[type=submit]")
	if got := b.text("#e-f-text"); got != "Text must be at most 1000 characters (it has 1001)." {
		t.Errorf("error beside the text: %q", got)
	}
	if !b.eval(`document.querySelector("input[name=mediaIds][value='12']").checked && document.getElementById('f-channel').value === 'viber'`) {
		t.Error("the form did not keep the chosen file and channel")
	}
	b.shot("conversation-template-error")
	b.do("fixing the text", chromedp.SetValue(chromedp.CSS("#f-text"), "Hi {{attribute.name}}, here is our menu."))
	b.submit("form.form-card button[type=submit]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "Conversation template Menu saved.") {
		t.Fatalf("after saving: %q at %s", got, b.location())
	}
	if got := b.text("main table"); !strings.Contains(got, "Hi {{attribute.name}}, here is our menu.") || !strings.Contains(got, "Viber") {
		t.Errorf("the table shows %q", got)
	}
	b.shot("conversation-templates")
}
