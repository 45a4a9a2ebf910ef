package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// newRequest inserts a registration request of the fixture's account.
func (f *fixture) newRequest(t *testing.T, ch herald.Channel, display string, status herald.SenderStatus) *herald.SenderID {
	t.Helper()
	sd := &herald.SenderID{AccountID: f.account.ID, Channel: ch, DisplayName: display, Status: status}
	if ch == herald.ChannelRCS {
		sd.SenderProfile = herald.SenderProfile{Description: "Best pancakes", LogoMediaID: 7, Color: "#112233",
			Phones:   []herald.SenderContact{{Value: "+1234567", Label: "Call us"}},
			Websites: []herald.SenderContact{{Value: "https://tansy.example", Label: "Shop"}, {Value: "https://tansy.example/b", Label: "Blog"}},
			Emails:   []herald.SenderContact{{Value: "tansy@example.com", Label: "Write"}}, PrivacyURL: "https://tansy.example/privacy"}
	}
	noErr(t, "ValidateRequest", sd.ValidateRequest())
	noErr(t, "CreateSender(request)", f.s.CreateSender(f.ctx, sd))
	return sd
}

// review applies r to sd and saves it.
func (f *fixture) review(t *testing.T, sd *herald.SenderID, r herald.SenderReview) {
	t.Helper()
	from := sd.Status
	noErr(t, "Apply review", r.Apply(sd))
	noErr(t, "UpdateSender(review)", f.s.UpdateSender(f.ctx, sd, from))
}

// testSenderRequests checks registration requests: they have no name or
// connection, keep their profile, move through the review under the
// status guard, route only when active and bound, free their name when
// canceled, and are listed per account and across accounts.
func testSenderRequests(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "requests")
	other := addFixture(t, f.s, "requests-other")
	rcsConn := f.newConnection(t, "rcs", herald.ChannelRCS)

	req := f.newRequest(t, herald.ChannelRCS, "Tansy's pancakes", herald.SenderSubmitted)
	draft := f.newRequest(t, herald.ChannelSMS, "TANSY", herald.SenderDraft)
	got, err := f.s.Sender(f.ctx, f.account.ID, req.ID)
	noErr(t, "Sender(request)", err)
	equal(t, "request as stored", *got, *req)
	if got.ConnectionID != 0 || got.Name != "" || got.Color != "#112233" || len(got.Websites) != 2 {
		t.Errorf("request = %+v", got)
	}
	recent(t, "UpdatedAt", got.UpdatedAt)

	stale := *req
	stale.Description = "changed"
	wantCode(t, "UpdateSender from a status it left", f.s.UpdateSender(f.ctx, &stale, herald.SenderDraft), herald.ECONFLICT)
	bind := *req
	bind.ConnectionID = rcsConn.ID
	wantViolation(t, "UpdateSender binding a nameless sender ID", f.s.UpdateSender(f.ctx, &bind, req.Status), "name", herald.VRequired)

	f.review(t, req, herald.SenderReview{Status: herald.SenderInProgress, Name: "tansy@rbm.example"})
	found, err := f.s.SenderByName(f.ctx, f.account.ID, herald.ChannelRCS, "TANSY@rbm.example")
	noErr(t, "SenderByName(in progress)", err)
	if found.ID != req.ID || found.Routable() {
		t.Errorf("SenderByName(in progress) = %+v, want request %d, not routable", found, req.ID)
	}
	routable, err := f.s.Senders(f.ctx, f.account.ID)
	noErr(t, "Senders", err)
	if len(routable) != 0 {
		t.Errorf("Senders lists requests: %+v", routable)
	}

	f.review(t, req, herald.SenderReview{Status: herald.SenderActive, Name: req.Name, Agreement: "ACC_FOR_NN (EUR)", ConnectionID: rcsConn.ID})
	routable, err = f.s.Senders(f.ctx, f.account.ID)
	noErr(t, "Senders after activation", err)
	if len(routable) != 1 || routable[0].ID != req.ID || !routable[0].Routable() {
		t.Errorf("Senders after activation = %+v", routable)
	}
	onConn, err := f.s.SenderOnConnection(f.ctx, rcsConn.ID, "tansy@rbm.example")
	noErr(t, "SenderOnConnection(active)", err)
	equal(t, "SenderOnConnection", onConn.ID, req.ID)

	f.review(t, req, herald.SenderReview{Status: herald.SenderBlocked, Reason: "Spam reports", Name: req.Name, Agreement: req.Agreement})
	_, err = f.s.SenderOnConnection(f.ctx, rcsConn.ID, "tansy@rbm.example")
	wantCode(t, "SenderOnConnection(blocked)", err, herald.ENOTFOUND)
	got, err = f.s.Sender(f.ctx, f.account.ID, req.ID)
	noErr(t, "Sender(blocked)", err)
	if got.Status != herald.SenderBlocked || got.Reason != "Spam reports" || got.ConnectionID != 0 {
		t.Errorf("blocked = %+v", got)
	}

	testSenderNames(t, f, req)
	testSenderLists(t, f, other, req, draft)

	actions := auditActions(t, f)
	for _, want := range []string{"Requested sender ID", "Changed sender ID status to In progress",
		"Changed sender ID status to Active", "Changed sender ID status to Blocked", "Changed sender ID status to Canceled"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit has no %q: %q", want, actions)
		}
	}
}

// testSenderNames checks that a live sender ID holds its name and a
// canceled one frees it: req is blocked, named tansy@rbm.example.
func testSenderNames(t *testing.T, f *fixture, req *herald.SenderID) {
	t.Helper()
	second := f.newRequest(t, herald.ChannelRCS, "Tansy again", herald.SenderSubmitted)
	from := second.Status
	second.Status, second.Name = herald.SenderInProgress, "TANSY@rbm.example"
	wantViolation(t, "UpdateSender to a live sender ID's name", f.s.UpdateSender(f.ctx, second, from), "name", herald.VTaken)

	f.review(t, req, herald.SenderReview{Status: herald.SenderCanceled, Name: req.Name, Agreement: req.Agreement})
	noErr(t, "UpdateSender to a canceled sender ID's name", f.s.UpdateSender(f.ctx, second, from))
	found, err := f.s.SenderByName(f.ctx, f.account.ID, herald.ChannelRCS, "tansy@rbm.example")
	noErr(t, "SenderByName after a cancel", err)
	equal(t, "SenderByName finds the live one", found.ID, second.ID)
}

// testSenderLists checks ListSenders and ListAllSenders with filters and
// sorting, and AnySender.
func testSenderLists(t *testing.T, f, other *fixture, req, draft *herald.SenderID) {
	t.Helper()
	foreign := other.newRequest(t, herald.ChannelSMS, "GLOBEX", herald.SenderSubmitted)

	page, err := f.s.ListSenders(f.ctx, f.account.ID, herald.ListQuery{})
	noErr(t, "ListSenders", err)
	all := ids(page.Items, func(s herald.SenderID) int64 { return s.ID })
	if len(all) != 3 || all[0] < all[1] || slices.Contains(all, foreign.ID) {
		t.Errorf("ListSenders = %v, want the account's 3, newest first", all)
	}
	page, err = f.s.ListSenders(f.ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "status", Op: herald.OpEq, Value: "draft"}}})
	noErr(t, "ListSenders(status=draft)", err)
	equal(t, "ListSenders(status=draft)", ids(page.Items, func(s herald.SenderID) int64 { return s.ID }), []int64{draft.ID})
	page, err = f.s.ListSenders(f.ctx, f.account.ID, herald.ListQuery{Sort: "displayName"})
	noErr(t, "ListSenders by displayName", err)
	if names := senderStrings(page.Items, func(s herald.SenderID) string { return strings.ToLower(s.DisplayName) }); !slices.IsSorted(names) {
		t.Errorf("ListSenders by displayName = %q", names)
	}
	page, err = f.s.ListSenders(f.ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "agreement", Op: herald.OpContains, Value: "EUR"}}})
	noErr(t, "ListSenders(agreement)", err)
	equal(t, "ListSenders(agreement contains EUR)", ids(page.Items, func(s herald.SenderID) int64 { return s.ID }), []int64{req.ID})
	_, err = f.s.ListSenders(f.ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "account", Op: herald.OpEq, Value: "x"}}})
	wantCode(t, "ListSenders by account", err, herald.EINVALID)

	page, err = f.s.ListAllSenders(f.ctx, herald.ListQuery{Filters: []herald.Filter{{Field: "account", Op: herald.OpEq, Value: "requests-other"}}})
	noErr(t, "ListAllSenders(account)", err)
	if len(page.Items) != 1 || page.Items[0].ID != foreign.ID || page.Items[0].AccountName != "requests-other" {
		t.Errorf("ListAllSenders(account=requests-other) = %+v", page.Items)
	}
	page, err = f.s.ListAllSenders(f.ctx, herald.ListQuery{Filters: []herald.Filter{{Field: "status", Op: herald.OpEq, Value: "submitted"}}, Sort: "account"})
	noErr(t, "ListAllSenders(submitted)", err)
	if names := senderStrings(page.Items, func(s herald.SenderID) string { return s.AccountName }); !slices.Contains(names, "requests-other") || !slices.IsSorted(names) {
		t.Errorf("ListAllSenders(submitted) by account = %q", names)
	}
	sd, err := f.s.AnySender(f.ctx, foreign.ID)
	noErr(t, "AnySender", err)
	if sd.AccountID != other.account.ID || sd.AccountName != "requests-other" || sd.DisplayName != "GLOBEX" {
		t.Errorf("AnySender = %+v", sd)
	}
	_, err = f.s.AnySender(f.ctx, 987654)
	wantCode(t, "AnySender(unknown)", err, herald.ENOTFOUND)
}

// senderStrings maps sender IDs to one of their texts.
func senderStrings(items []herald.SenderID, f func(herald.SenderID) string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = f(s)
	}
	return out
}
