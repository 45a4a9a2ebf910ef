package app_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
)

// TestBrowserModeration is broadcast moderation end to end, through the
// whole binary and headless Chromium: the system owner turns moderation on
// for an account; the account launches a broadcast through the API and it
// goes to moderation; the owner rejects it (a reason is required, and the
// account sees it), the account copies and launches it again, the owner
// approves the copy, and it runs through the sandbox. The account's user
// then opens the outcome per contact and downloads it as CSV.
func TestBrowserModeration(t *testing.T) {
	const password = "First-admin-pass-1"
	env := map[string]string{"HERALD_DATA_DIR": filepath.Join(t.TempDir(), "data"), "HERALD_ADMIN_PASSWORD": password}
	m, base := startMain(t, env)
	ctx := herald.WithActor(context.Background(), herald.Actor{Login: "system"})

	// The account Shop with a user, an API key and five contacts.
	shop := &herald.Account{Name: "Shop"}
	if err := m.Store.CreateAccount(ctx, shop); err != nil {
		t.Fatal(err)
	}
	roles, err := m.Store.AllRoles(ctx, shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	var adminRole int64
	for _, r := range roles {
		if r.Name == herald.RoleAdmin {
			adminRole = r.ID
		}
	}
	const shopPassword = "Shop-user-pass-1"
	shopper := &herald.User{AccountID: shop.ID, FirstName: "Sam", LastName: "Shop", Login: "shopper", Email: "sam@shop.example",
		Active: true, RoleIDs: []int64{adminRole}}
	if err := m.Auth.CreateUser(ctx, shopper, shopPassword); err != nil {
		t.Fatal(err)
	}
	hash, _ := auth.HashPassword(shopPassword, auth.FastHashParams())
	if err := m.Store.SetPassword(ctx, shopper.ID, hash, false); err != nil {
		t.Fatal(err)
	}
	key, err := m.Auth.CreateAPIKey(ctx, &herald.APIKey{AccountID: shop.ID, Name: "shop", Scopes: []herald.Scope{herald.ScopeRecipients, herald.ScopeBroadcast}})
	if err != nil {
		t.Fatal(err)
	}
	js := "application/json"
	var contacts []map[string]any
	for i := range 5 {
		contacts = append(contacts, map[string]any{"phone": fmt.Sprintf("+3460055%03d9", i), "tags": []string{"spring"}})
	}
	body, _ := json.Marshal(map[string]any{"policy": "skip", "contacts": contacts})
	apiCall(t, "POST", base+"/api/v1/contacts/bulk", key, js, strings.NewReader(string(body)), 200, nil)

	// The system owner signs in and turns moderation on for Shop.
	c := newChrome(t, base)
	signIn := func(login, pw string) {
		c.do("signing in as "+login, chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.CSS("#f-login")),
			chromedp.SendKeys(chromedp.CSS("#f-login"), login), chromedp.SendKeys(chromedp.CSS("#f-password"), pw))
		c.submit("form[action='/signin'] button[type=submit]")
	}
	signIn("admin", password)
	c.do("changing the first password", chromedp.WaitVisible(chromedp.CSS("#f-currentPassword")),
		chromedp.SendKeys(chromedp.CSS("#f-currentPassword"), password),
		chromedp.SendKeys(chromedp.CSS("#f-newPassword"), "Chosen-pass-1"), chromedp.SendKeys(chromedp.CSS("#f-confirmPassword"), "Chosen-pass-1"))
	c.submit("form[action='/password'] button[type=submit]")
	c.do("opening Shop", chromedp.Navigate(fmt.Sprintf("%s/accounts/%d", base, shop.ID)), chromedp.WaitVisible(chromedp.CSS("#f-moderation")),
		chromedp.Click(chromedp.CSS("label[for=f-moderation]")))
	c.shot("moderation-account")
	c.submit("form.form-card button[type=submit]")
	if on, _ := m.Store.BroadcastModeration(ctx, shop.ID); !on {
		t.Fatalf("moderation is off after saving the account: %s", c.text("main"))
	}
	var who struct {
		BroadcastModeration bool `json:"broadcastModeration"`
	}
	apiCall(t, "GET", base+"/api/v1/account", key, "", nil, 200, &who)
	if !who.BroadcastModeration {
		t.Error("the API does not say the account is moderated")
	}

	// Shop launches a broadcast: it goes to moderation.
	type bcast struct {
		ID     int64                `json:"id"`
		Status string               `json:"status"`
		Reason string               `json:"reason"`
		Stats  herald.FallbackStats `json:"stats"`
	}
	var b bcast
	apiCall(t, "POST", base+"/api/v1/broadcasts", key, js, strings.NewReader(`{"name": "Spring sale", "launch": true,
		"recipients": {"tags": ["spring"]}, "steps": [{"channel": "sms", "senderId": "sandbox", "payload": {"text": "Spring sale: 20% off"}}]}`), 201, &b)
	if b.Status != "moderation" {
		t.Fatalf("launched in a moderated account: %+v", b)
	}

	// The owner rejects it: first without a reason, then with one.
	c.do("opening the queue", chromedp.Navigate(base+"/moderation"), chromedp.WaitVisible(chromedp.CSS("table.data")))
	if got := c.text("table.data tbody"); !strings.Contains(got, "Spring sale") || !strings.Contains(got, "Shop") {
		t.Fatalf("queue: %q", got)
	}
	c.shot("moderation-queue")
	c.do("opening the broadcast", chromedp.Navigate(fmt.Sprintf("%s/moderation/%d/%d", base, shop.ID, b.ID)), chromedp.WaitVisible(chromedp.CSS("[data-reject]")))
	if got := c.text("[data-recipient-count]") + " / " + c.text("[data-step-text]"); got != "5 / Spring sale: 20% off" {
		t.Errorf("review: %q", got)
	}
	c.submit("[data-reject]")
	c.shot("moderation-reject-empty")
	if got := c.text("#e-f-reason"); got != "Reason is required." {
		t.Errorf("error beside the reason: %q", got)
	}
	c.do("giving a reason", chromedp.SendKeys(chromedp.CSS("#f-reason"), "Name the shops that take part."))
	c.shot("moderation-reject")
	c.submit("[data-reject]")
	if got := c.text("main .alert-ok"); !strings.Contains(got, "rejected") {
		t.Errorf("after rejecting: %q", got)
	}
	apiCall(t, "GET", fmt.Sprintf("%s/api/v1/broadcasts/%d", base, b.ID), key, "", nil, 200, &b)
	if b.Status != "rejected" || b.Reason != "Name the shops that take part." {
		t.Fatalf("rejected = %+v", b)
	}

	// Shop copies it and launches the copy; the owner approves it.
	var cp bcast
	apiCall(t, "POST", fmt.Sprintf("%s/api/v1/broadcasts/%d/copy", base, b.ID), key, "", nil, 201, &cp)
	apiCall(t, "POST", fmt.Sprintf("%s/api/v1/broadcasts/%d/launch", base, cp.ID), key, "", nil, 200, &cp)
	if cp.Status != "moderation" {
		t.Fatalf("copy launched = %+v", cp)
	}
	c.do("opening the copy", chromedp.Navigate(fmt.Sprintf("%s/moderation/%d/%d", base, shop.ID, cp.ID)), chromedp.WaitVisible(chromedp.CSS("[data-approve]")))
	c.submit("[data-approve]")
	if got := c.text("main .alert-ok"); !strings.Contains(got, "approved") {
		t.Errorf("after approving: %q", got)
	}
	c.shot("moderation-approved")
	waitFor(t, "the approved broadcast to complete", func() bool {
		apiCall(t, "GET", fmt.Sprintf("%s/api/v1/broadcasts/%d", base, cp.ID), key, "", nil, 200, &cp)
		return cp.Status == "complete"
	})
	if cp.Stats.Successful != 5 {
		t.Errorf("stats = %+v; want 5 successful", cp.Stats)
	}

	// Shop's user sees the rejection and the outcome per contact, and
	// downloads it.
	c.do("signing out", chromedp.Evaluate[chromedp.Void](`document.querySelector("form[action='/signout']").submit()`),
		chromedp.WaitVisible(chromedp.CSS("#f-login")))
	signIn("shopper", shopPassword)
	c.do("opening the rejected broadcast's contacts", chromedp.Navigate(fmt.Sprintf("%s/broadcasts/%d/contacts", base, b.ID)),
		chromedp.WaitVisible(chromedp.CSS("[data-moderation-reason]")))
	if got := c.text("[data-moderation-reason]"); got != "Name the shops that take part." {
		t.Errorf("the account sees the reason %q", got)
	}
	c.do("opening the outcome per contact", chromedp.Navigate(fmt.Sprintf("%s/broadcasts/%d/contacts", base, cp.ID)),
		chromedp.WaitVisible(chromedp.CSS("table.data")))
	rows := c.text("table.data tbody")
	if strings.Count(rows, "Successful") != 5 || !strings.Contains(rows, "+34600550009") || !strings.Contains(rows, "delivered") {
		t.Errorf("outcome per contact: %q", rows)
	}
	if got := c.text("[data-result-links]"); !strings.Contains(got, "Successful\n5") {
		t.Errorf("quick filters: %q", got)
	}
	c.shot("broadcast-contacts")
	href, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`document.querySelector('[data-export=csv]').getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	// The page's own session downloads the file (synchronous XHR keeps
	// the evaluation simple).
	file, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`(function(){var x=new XMLHttpRequest();x.open('GET',`+
		fmt.Sprintf("%q", href)+`,false);x.send();return x.status+'\n'+x.getResponseHeader('Content-Disposition')+'\n'+x.responseText;})()`))
	if err != nil {
		t.Fatal(err)
	}
	status, rest, _ := strings.Cut(file, "\n")
	disposition, csvText, _ := strings.Cut(rest, "\n")
	records, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if status != "200" || !strings.Contains(disposition, fmt.Sprintf("broadcast-%d-contacts.csv", cp.ID)) || err != nil || len(records) != 6 {
		t.Fatalf("CSV download: %s %s, %d records, %v", status, disposition, len(records), err)
	}
	for _, r := range records[1:] {
		if r[4] != "Successful" || r[5] != "1" || r[6] != "SMS" || r[7] != "delivered" {
			t.Errorf("CSV record %v", r)
		}
	}
}
