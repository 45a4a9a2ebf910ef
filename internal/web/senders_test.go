package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/senders"
)

// memMedia is a media library in memory: the sender ID pages only read
// it (the media library itself is another package's).
type memMedia struct {
	mu    sync.Mutex
	files map[int64]*herald.Media
}

// add puts an image of account acc into the library and returns its ID.
func (m *memMedia) add(acc int64, name, format string, w, h int, size int64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[int64]*herald.Media{}
	}
	id := int64(len(m.files) + 1)
	m.files[id] = &herald.Media{ID: id, AccountID: acc, Name: name, Kind: herald.MediaImage, Format: format, Width: w, Height: h, Size: size}
	return id
}

// Media returns one file of the account, or ENOTFOUND.
func (m *memMedia) Media(_ context.Context, acc, id int64) (*herald.Media, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.files[id]; ok && f.AccountID == acc {
		c := *f
		return &c, nil
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "No such file.")
}

// ListMedia returns the account's files by ID (filters are the caller's
// "kind = image", which every file here is).
func (m *memMedia) ListMedia(_ context.Context, acc int64, _ herald.ListQuery) (herald.Page[herald.Media], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []herald.Media
	for _, f := range m.files {
		if f.AccountID == acc {
			out = append(out, *f)
		}
	}
	slices.SortFunc(out, func(a, b herald.Media) int { return int(a.ID - b.ID) })
	return herald.Page[herald.Media]{Items: out}, nil
}

// withSenders gives f's portal sender ID registration with media as the
// media library, shown at /media-test/{id}.
func (f *fixture) withSenders(media *memMedia) {
	f.t.Helper()
	p, err := New(Config{Logger: testLogger(f.t)}, Deps{Store: f.store, Auth: f.auth, Clock: f.clock,
		Senders: senders.New(f.store, media, nil), MediaURL: func(id int64) string { return fmt.Sprintf("/media-test/%d", id) }})
	if err != nil {
		f.t.Fatal(err)
	}
	f.portal = p
	f.srv.Config.Handler = p.Handler()
}

// newConnection creates a sandbox connection on ch, assigned to accounts.
func (f *fixture) newConnection(name string, ch herald.Channel, accounts ...int64) *herald.Connection {
	f.t.Helper()
	c := &herald.Connection{Type: herald.ConnectorSandbox, Channel: ch, Name: name, Accounts: accounts}
	if err := c.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.CreateConnection(sys(f.account.ID), c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// newSender creates the fixture account's active sender ID name on ch, on
// a new connection assigned to the account.
func (f *fixture) newSender(name string, ch herald.Channel) *herald.SenderID {
	f.t.Helper()
	c := f.newConnection("conn "+name+" "+ch.String(), ch, f.account.ID)
	sd := &herald.SenderID{AccountID: f.account.ID, Name: name, Channel: ch, ConnectionID: c.ID}
	if err := f.store.CreateSender(sys(f.account.ID), sd); err != nil {
		f.t.Fatal(err)
	}
	return sd
}

// rcsForm is a valid RCS registration form.
func rcsForm(action string) url.Values {
	return url.Values{"channel": {"rcs"}, "action": {action}, "displayName": {"Tansy's pancakes"},
		"description": {"Best pancake shop in the industry"}, "color": {"#1A73E8"}, "contactName": {"Tansy Pancakes"},
		"phones[0].value": {"+1234567"}, "phones[0].label": {"Call us"},
		"websites[0].value": {""}, "websites[0].label": {""}, "websites[1].value": {"www.tansypancakes.com"}, "websites[1].label": {"Shop"},
		"emails[0].value": {"tansy@tansypancakes.com"}, "emails[0].label": {"Write"},
		"privacyUrl": {"www.tansypancakes.com/privacy_policy"}, "termsUrl": {"www.tansypancakes.com/terms"}}
}

// storedSender reads the fixture account's sender ID id.
func (f *fixture) storedSender(id int64) *herald.SenderID {
	f.t.Helper()
	sd, err := f.store.Sender(context.Background(), f.account.ID, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return sd
}

// createdID reads the ID of the sender ID a create redirected to.
func createdID(t *testing.T, res response) int64 {
	t.Helper()
	var id int64
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: status %d\n%s", res.Status, res.Body)
	}
	if _, err := fmt.Sscanf(res.Location, "/senders/%d", &id); err != nil {
		t.Fatalf("create redirected to %q", res.Location)
	}
	return id
}

func TestSenderRegistrationForm(t *testing.T) {
	f := newFixture(t)
	media := &memMedia{}
	logo := media.add(f.account.ID, "logo.png", "png", 240, 240, 90*1024)
	big := media.add(f.account.ID, "big-logo.png", "png", 240, 240, 90*1024+1)
	other, _ := f.newAccount("Globex")
	foreign := media.add(other.ID, "globex.png", "png", 240, 240, 1000)
	f.withSenders(media)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "alice")

	mustContain(t, c.get("/senders").Body, "Register SMS sender ID", "Register RCS sender ID")
	form := c.get("/senders/new?channel=rcs").Body
	mustContain(t, form, "Sender ID Name", "logo.png (PNG, 240×240, 90 KB)", "JPG or PNG, 240×240 pixels, at most 90 KB",
		"JPG or PNG, 1440×448 pixels, at most 120 KB", "Add extra phone number", "data-sender-preview", "Send application", "Save draft")
	if strings.Contains(form, "globex.png") {
		t.Error("the form offers another account's image")
	}

	bad := rcsForm("submit")
	bad.Set("displayName", strings.Repeat("n", 41))
	bad.Set("phones[0].label", "")
	bad.Set("emails[0].value", "tansy@")
	bad.Set("color", "blue")
	bad.Set("logoMediaId", fmt.Sprint(big))
	bad.Set("backgroundMediaId", fmt.Sprint(foreign))
	res := c.post("/senders", bad)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad request: status %d", res.Status)
	}
	wantFieldErrors(t, res.Body, map[string]string{
		"displayName":       "Sender ID Name must be at most 40 characters (it has 41).",
		"phones[0].label":   "Enter the button text of the phone number.",
		"emails[0].value":   "&#34;tansy@&#34; is not an e-mail address.",
		"color":             "The colour is six hexadecimal digits after #, such as #1a73e8.",
		"logoMediaId":       "The logo must weigh at most 90 KB (big-logo.png has 92161 bytes, over 92160).",
		"backgroundMediaId": fmt.Sprintf("No file %d in your media library: upload the image there first.", foreign),
	})
	mustContain(t, res.Body, `value="www.tansypancakes.com"`) // the website row kept, moved up to row 0

	ok := rcsForm("draft")
	ok.Set("logoMediaId", fmt.Sprint(logo))
	id := createdID(t, c.post("/senders", ok))
	sd := f.storedSender(id)
	if sd.Status != herald.SenderDraft || sd.Color != "#1a73e8" || sd.LogoMediaID != logo || len(sd.Websites) != 1 ||
		sd.Websites[0].Value != "https://www.tansypancakes.com" || sd.Name != "" || sd.ConnectionID != 0 {
		t.Errorf("stored draft = %+v", sd)
	}
	view := c.get(senderPath(id)).Body
	mustContain(t, view, "Draft", "not assigned yet", "Tansy&#39;s pancakes", `src="/media-test/1"`, "logo.png", "Call us", "Edit")

	edit := c.get(senderPath(id) + "/edit").Body
	mustContain(t, edit, `value="&#43;1234567"`, "Send application")
	ok.Set("webhookUrl", "https://hooks.example/rcs")
	res = c.post(senderPath(id), with(ok, "action", "submit"))
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "The webhook URL can be added once the sender ID is approved.") {
		t.Fatalf("a webhook before approval: %d", res.Status)
	}
	ok.Del("webhookUrl")
	if res := c.post(senderPath(id), with(ok, "action", "submit")); res.Status != http.StatusSeeOther {
		t.Fatalf("submit the draft: %d\n%s", res.Status, res.Body)
	}
	if got := f.storedSender(id); got.Status != herald.SenderSubmitted {
		t.Fatalf("after submitting: %s", got.Status)
	}

	sms := url.Values{"channel": {"sms"}, "action": {"submit"}, "displayName": {"TansyPancake"}, "description": {"Orders"}}
	res = c.post("/senders", sms)
	wantFieldErrors(t, res.Body, map[string]string{"displayName": "An alphanumeric SMS sender ID has at most 11 characters (it has 12)."})
	smsID := createdID(t, c.post("/senders", with(sms, "displayName", "TANSY")))
	if got := f.storedSender(smsID); got.Status != herald.SenderSubmitted || got.Channel != herald.ChannelSMS || got.DisplayName != "TANSY" {
		t.Errorf("SMS request = %+v", got)
	}
}

func TestSenderReviewFlow(t *testing.T) {
	f := newFixture(t)
	f.withSenders(&memMedia{})
	rcs := f.newConnection("Main RCS", herald.ChannelRCS, f.account.ID)
	other, _ := f.newAccount("Globex")
	f.newConnection("Globex RCS", herald.ChannelRCS, other.ID)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "alice")
	id := createdID(t, c.post("/senders", rcsForm("submit")))
	rejected := createdID(t, c.post("/senders", with(rcsForm("submit"), "displayName", "Second bot")))
	path := fmt.Sprintf("/sender-review/%d", id)

	if res := c.get(path); res.Status != http.StatusForbidden {
		t.Errorf("an account admin opens the review: %d", res.Status)
	}
	owner := f.ownerClient()
	mustContain(t, owner.get("/").Body, `href="/sender-review"`)
	list := owner.get("/sender-review?f.status=eq%3Asubmitted").Body
	mustContain(t, list, "Tansy&#39;s pancakes", "Second bot", "Acme")
	page := owner.get(path).Body
	mustContain(t, page, "Main RCS (sandbox)", "In progress", "Rejected", "Tansy Pancakes")
	if strings.Contains(page, "Globex RCS") {
		t.Error("the review offers another account's connection")
	}

	review := func(p string, v url.Values) response { return owner.post(p, v) }
	res := review(fmt.Sprintf("/sender-review/%d", rejected), url.Values{"status": {"rejected"}})
	wantFieldErrors(t, res.Body, map[string]string{"reason": "Say why the request is rejected: the account sees the reason."})
	res = review(fmt.Sprintf("/sender-review/%d", rejected), url.Values{"status": {"rejected"}, "reason": {"The logo is missing."}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d\n%s", res.Status, res.Body)
	}
	mustContain(t, c.get(senderPath(rejected)).Body, "Rejected", "The logo is missing.")

	if res := review(path, url.Values{"status": {"in_progress"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("take it: %d", res.Status)
	}
	if res := c.get(senderPath(id) + "/edit"); res.Status != http.StatusSeeOther {
		t.Errorf("editing a request in progress: %d, want a redirect", res.Status)
	}
	if res := c.post(senderPath(id), rcsForm("submit")); res.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "A sender ID that is In progress cannot be edited.") {
		t.Errorf("saving a request in progress: %d", res.Status)
	}
	res = review(path, url.Values{"status": {"in_progress"}, "connectionId": {fmt.Sprint(rcs.ID)}})
	wantFieldErrors(t, res.Body, map[string]string{"connectionId": "Only an active sender ID can be bound to a connection."})
	res = review(path, url.Values{"status": {"active"}})
	wantFieldErrors(t, res.Body, map[string]string{"name": "Enter the Sender ID the operator assigned before activating it."})
	res = review(path, url.Values{"status": {"active"}, "name": {"tansy@rbm.example"}, "agreement": {"ACC_FOR_NN (EUR)"}, "connectionId": {fmt.Sprint(rcs.ID)}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("activate: %d\n%s", res.Status, res.Body)
	}
	got := f.storedSender(id)
	if got.Status != herald.SenderActive || got.ConnectionID != rcs.ID || !got.Routable() || got.Agreement != "ACC_FOR_NN (EUR)" {
		t.Fatalf("activated = %+v", got)
	}
	mine := c.get("/senders").Body
	mustContain(t, mine, "tansy@rbm.example", "Active", "ACC_FOR_NN (EUR)", "Rejected")

	audit := c.get("/audit").Body
	mustContain(t, audit, "Requested sender ID", "Changed sender ID status to In progress", "Changed sender ID status to Active",
		"Changed sender ID status to Rejected")

	if res := c.post(senderPath(id)+"/delete", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("delete an active one: %d", res.Status)
	}
	if f.storedSender(id).Status != herald.SenderActive {
		t.Fatal("an active sender ID was deleted without a cancel")
	}
	if res := c.post(senderPath(id)+"/cancel", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.Status)
	}
	if got := f.storedSender(id); got.Status != herald.SenderCanceled || got.Routable() {
		t.Fatalf("canceled = %+v", got)
	}
	if res := c.post(senderPath(id)+"/delete", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if _, err := f.store.Sender(context.Background(), f.account.ID, id); !herald.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
}

func TestOwnerCreatesSender(t *testing.T) {
	f := newFixture(t)
	viber := f.newConnection("Viber", herald.ChannelViber, f.account.ID)
	other, _ := f.newAccount("Globex")
	owner := f.ownerClient()
	mustContain(t, owner.get("/sender-review/new").Body, "Viber (Viber)", "Globex")
	form := url.Values{"accountId": {fmt.Sprint(other.ID)}, "channel": {"viber"}, "name": {"Acme"}, "connectionId": {fmt.Sprint(viber.ID)}}
	res := owner.post("/sender-review", form)
	wantFieldErrors(t, res.Body, map[string]string{"connectionId": fmt.Sprintf("Connection %d is not assigned to the sender ID&#39;s account.", viber.ID)})
	res = owner.post("/sender-review", with(form, "accountId", fmt.Sprint(f.account.ID)))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.Status, res.Body)
	}
	sd, err := f.store.SenderByName(context.Background(), f.account.ID, herald.ChannelViber, "acme")
	if err != nil || !sd.Routable() {
		t.Fatalf("owner's sender ID = %+v, %v", sd, err)
	}
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "alice")
	view := c.get(senderPath(sd.ID)).Body
	mustContain(t, view, "Active", "Cancel")
	if strings.Contains(view, "/edit") {
		t.Error("the account may edit a Viber sender ID the system owner set up")
	}
}
