package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

func testSMPP(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "smpp")
	other := addFixture(t, f.s, "smpp-other")
	testSMPPCredentials(t, f, other)
	testUnmatchedReceipts(t, f)
	testSMPPOutbox(t, f)
}

// testSMPPCredentials checks the credentials' round trip, the system_id's
// uniqueness ignoring case, and that an account sees only its own.
func testSMPPCredentials(t *testing.T, f, other *fixture) {
	ctx := f.ctx // a user's actor, for the audit entries
	c := &herald.SMPPCredential{AccountID: f.account.ID, SystemID: "Acme", PasswordHash: "hash-1",
		AllowedIPs: []string{"192.0.2.0/24", "198.51.100.7"}, Throughput: 50, MaxBinds: 2, SenderID: "sandbox"}
	noErr(t, "CreateSMPPCredential", f.s.CreateSMPPCredential(ctx, c))
	if c.ID == 0 || c.CreatedAt.IsZero() {
		t.Fatalf("created credential %+v", c)
	}
	b := &herald.SMPPCredential{AccountID: f.account.ID, SystemID: "beta", PasswordHash: "hash-2", AllowedIPs: []string{}}
	noErr(t, "CreateSMPPCredential beta", f.s.CreateSMPPCredential(ctx, b))
	dup := &herald.SMPPCredential{AccountID: other.account.ID, SystemID: "ACME", PasswordHash: "x", AllowedIPs: []string{}}
	wantCode(t, "CreateSMPPCredential with a taken system_id", f.s.CreateSMPPCredential(ctx, dup), herald.EINVALID)

	got, err := f.s.SMPPCredential(ctx, f.account.ID, c.ID)
	noErr(t, "SMPPCredential", err)
	want := *c
	want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
	equal(t, "SMPPCredential", *got, want)
	if !got.CreatedAt.Equal(c.CreatedAt.Truncate(time.Microsecond)) && !got.CreatedAt.Equal(c.CreatedAt) {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, c.CreatedAt)
	}
	_, err = f.s.SMPPCredential(ctx, other.account.ID, c.ID)
	wantCode(t, "SMPPCredential of another account", err, herald.ENOTFOUND)

	bySys, err := f.s.SMPPCredentialBySystemID(ctx, "aCmE")
	noErr(t, "SMPPCredentialBySystemID", err)
	if bySys.ID != c.ID || bySys.PasswordHash != "hash-1" {
		t.Errorf("SMPPCredentialBySystemID = %+v", bySys)
	}
	_, err = f.s.SMPPCredentialBySystemID(ctx, "nobody")
	wantCode(t, "SMPPCredentialBySystemID unknown", err, herald.ENOTFOUND)

	list, err := f.s.SMPPCredentials(ctx, f.account.ID)
	noErr(t, "SMPPCredentials", err)
	if len(list) != 2 || list[0].ID != c.ID || list[1].ID != b.ID {
		t.Errorf("SMPPCredentials = %+v", list)
	}
	none, err := f.s.SMPPCredentials(ctx, other.account.ID)
	if err != nil || len(none) != 0 {
		t.Errorf("SMPPCredentials of another account = %+v, %v", none, err)
	}

	// An update without a password hash keeps the old one.
	c.AllowedIPs, c.Throughput, c.MaxBinds, c.SenderID, c.PasswordHash = []string{}, 0, 0, "", ""
	noErr(t, "UpdateSMPPCredential", f.s.UpdateSMPPCredential(ctx, c))
	got, err = f.s.SMPPCredentialBySystemID(ctx, "acme")
	noErr(t, "SMPPCredentialBySystemID after update", err)
	if got.PasswordHash != "hash-1" || len(got.AllowedIPs) != 0 || got.Throughput != 0 || got.SenderID != "" {
		t.Errorf("updated credential %+v", got)
	}
	c.PasswordHash = "hash-3"
	noErr(t, "UpdateSMPPCredential with a password", f.s.UpdateSMPPCredential(ctx, c))
	if got, _ = f.s.SMPPCredentialBySystemID(ctx, "acme"); got == nil || got.PasswordHash != "hash-3" {
		t.Errorf("password hash after update: %+v", got)
	}
	b.SystemID = "ACME"
	wantCode(t, "UpdateSMPPCredential to a taken system_id", f.s.UpdateSMPPCredential(ctx, b), herald.EINVALID)
	moved := *c
	moved.AccountID = other.account.ID
	wantCode(t, "UpdateSMPPCredential of another account", f.s.UpdateSMPPCredential(ctx, &moved), herald.ENOTFOUND)

	wantCode(t, "DeleteSMPPCredential of another account", f.s.DeleteSMPPCredential(ctx, other.account.ID, b.ID), herald.ENOTFOUND)
	noErr(t, "DeleteSMPPCredential", f.s.DeleteSMPPCredential(ctx, f.account.ID, b.ID))
	wantCode(t, "DeleteSMPPCredential twice", f.s.DeleteSMPPCredential(ctx, f.account.ID, b.ID), herald.ENOTFOUND)
	checkSMPPAudit(t, f, other, c.ID, b.ID)
}

// checkSMPPAudit checks the entries testSMPPCredentials' changes wrote:
// one per change that succeeded, with details, and never a password hash.
func checkSMPPAudit(t *testing.T, f, other *fixture, acme, beta int64) {
	t.Helper()
	page, err := f.s.ListAudit(f.ctx, f.account.ID, herald.ListQuery{Limit: 100})
	noErr(t, "ListAudit", err)
	type row struct {
		action string
		object string
		ops    int
	}
	var got []row
	for _, e := range slices.Backward(page.Items) {
		if !strings.Contains(e.Action, "SMPP") {
			continue
		}
		r := row{action: e.Action, ops: len(e.Details)}
		if len(e.Details) > 0 {
			r.object = e.Details[0].ObjectID
		}
		got = append(got, r)
		if e.Login != "auditor" || e.UserID != 9001 {
			t.Errorf("%q entry actor = %d %q, want 9001 auditor", e.Action, e.UserID, e.Login)
		}
		for _, d := range e.Details {
			if d.Table != "smpp_credentials" || (d.OldValue == "" && d.NewValue == "") {
				t.Errorf("%q detail = %+v, want smpp_credentials and a value", e.Action, d)
			}
			for _, hash := range []string{"hash-1", "hash-2", "hash-3", "password_hash", "passwordHash"} {
				if strings.Contains(d.OldValue+d.NewValue, hash) {
					t.Errorf("%q detail %+v reveals %q", e.Action, d, hash)
				}
			}
		}
		if e.Action == "Changed SMPP account" && len(e.Details) > 0 && !strings.Contains(e.Details[0].OldValue, `"systemId":"Acme"`) {
			t.Errorf("change detail old value = %s, want the credential before the change", e.Details[0].OldValue)
		}
	}
	a, b := fmt.Sprint(acme), fmt.Sprint(beta)
	equal(t, "SMPP audit entries (oldest first)", got, []row{
		{"Added new SMPP account", a, 1}, {"Added new SMPP account", b, 1},
		{"Changed SMPP account", a, 1}, // no new password: no password detail
		{"Changed SMPP account", a, 2}, // a new password: {"password":"changed"}
		{"Deleted SMPP account", b, 1},
	})
	// The failed changes (a taken system_id, another account's credential)
	// wrote nothing.
	equal(t, "audit of the other account", auditActions(t, other), []string{"Added new account"})
}

// testUnmatchedReceipts checks that unmatched receipts are kept and listed
// newest first, per connection or all.
func testUnmatchedReceipts(t *testing.T, f *fixture) {
	ctx := context.Background()
	at := msgBase()
	for i, conn := range []int64{7, 8, 7} {
		r := &herald.UnmatchedReceipt{ConnectionID: conn, ProviderID: fmt.Sprintf("id%d", i), Stat: "DELIVRD", Err: "000",
			Raw: "id:x stat:DELIVRD", ReceivedAt: at.Add(time.Duration(i) * time.Second)}
		noErr(t, "RecordUnmatchedReceipt", f.s.RecordUnmatchedReceipt(ctx, r))
		if r.ID == 0 {
			t.Fatalf("unmatched receipt without an ID: %+v", r)
		}
	}
	got, err := f.s.UnmatchedReceipts(ctx, 7, 10)
	noErr(t, "UnmatchedReceipts", err)
	if len(got) != 2 || got[0].ProviderID != "id2" || got[1].ProviderID != "id0" {
		t.Fatalf("UnmatchedReceipts(7) = %+v", got)
	}
	if r := got[1]; r.ConnectionID != 7 || r.Stat != "DELIVRD" || r.Err != "000" || r.Raw != "id:x stat:DELIVRD" || !r.ReceivedAt.Equal(at) {
		t.Errorf("unmatched receipt %+v", r)
	}
	all, err := f.s.UnmatchedReceipts(ctx, 0, 2)
	noErr(t, "UnmatchedReceipts(all)", err)
	if len(all) != 2 || all[0].ProviderID != "id2" || all[1].ProviderID != "id1" {
		t.Errorf("UnmatchedReceipts(0, 2) = %+v", all)
	}
}

// testSMPPOutbox checks the outbox: the cursors start at the end on a new
// installation, status events of SMPP messages and MO messages of accounts
// with credentials are offered once each, pending deliveries page by ID
// per system_id, and IDs are never reused after a dequeue.
func testSMPPOutbox(t *testing.T, f *fixture) {
	ctx := context.Background()
	var offered []store.SMPPSource
	pick := func(src store.SMPPSource) (herald.SMPPDelivery, bool) {
		offered = append(offered, src)
		if src.Kind == herald.SMPPMO {
			return herald.SMPPDelivery{AccountID: src.Message.AccountID, SystemID: src.SystemID, Kind: herald.SMPPMO,
				MessageID: src.Message.ID, Source: src.Message.Destination, Text: "mo", SubmittedAt: src.At}, true
		}
		return herald.SMPPDelivery{AccountID: src.Message.AccountID, SystemID: src.Message.CorrelationID, Kind: herald.SMPPReceipt,
			MessageID: src.Message.ID, Status: src.Status, ProviderCode: src.Code, Source: "5.0.Acme", Dest: "1.1.46700000001",
			RegisteredDelivery: 1, SubmittedAt: src.Message.AcceptedAt}, true
	}
	old := f.newMessage(300)
	old.Origin, old.CorrelationID = herald.OriginSMPP, "acme"
	insertMessages(t, f.s, 0, "", old)
	insertEvent(t, f, old.ID, herald.StatusSent)
	n, err := f.s.FillSMPPOutbox(ctx, 100, pick)
	if err != nil || n != 0 || len(offered) != 0 {
		t.Fatalf("first FillSMPPOutbox = %d, %v, offered %+v; want nothing (the cursors start at the end)", n, err, offered)
	}

	smpp := f.newMessage(301)
	smpp.Origin, smpp.CorrelationID = herald.OriginSMPP, "acme"
	api := f.newMessage(302) // not an SMPP message: its events are not offered
	mo := f.newMessage(303)
	mo.Direction, mo.Origin = herald.MO, herald.OriginAPI
	insertMessages(t, f.s, 0, "", smpp, api, mo)
	insertEvent(t, f, smpp.ID, herald.StatusSent)
	insertEvent(t, f, api.ID, herald.StatusSent)
	insertEvent(t, f, smpp.ID, herald.StatusDelivered)
	n, err = f.s.FillSMPPOutbox(ctx, 100, pick)
	noErr(t, "FillSMPPOutbox", err)
	if n != 3 || len(offered) != 3 {
		t.Fatalf("FillSMPPOutbox = %d, offered %+v; want 2 receipts and 1 MO", n, offered)
	}
	if o := offered[1]; o.Kind != herald.SMPPReceipt || o.Message.ID != smpp.ID || o.Status != herald.StatusDelivered ||
		o.Message.CorrelationID != "acme" || o.Message.CallbackData != "cb" {
		t.Errorf("offered receipt %+v", o)
	}
	if o := offered[2]; o.Kind != herald.SMPPMO || o.Message.ID != mo.ID || o.SystemID != "Acme" || string(o.Message.Payload) == "" {
		t.Errorf("offered MO %+v", o)
	}
	if n, err = f.s.FillSMPPOutbox(ctx, 100, pick); n != 0 || err != nil {
		t.Errorf("FillSMPPOutbox again = %d, %v; want nothing new", n, err)
	}

	pending, err := f.s.PendingSMPPDeliveries(ctx, "ACME", 0, 10)
	noErr(t, "PendingSMPPDeliveries", err)
	if len(pending) != 3 || pending[0].ID >= pending[1].ID || pending[1].ID >= pending[2].ID {
		t.Fatalf("PendingSMPPDeliveries = %+v", pending)
	}
	if d := pending[1]; d.Kind != herald.SMPPReceipt || d.MessageID != smpp.ID || d.Status != herald.StatusDelivered ||
		d.RegisteredDelivery != 1 || d.Source != "5.0.Acme" || !d.SubmittedAt.Equal(smpp.AcceptedAt) || d.CreatedAt.IsZero() {
		t.Errorf("pending receipt %+v", d)
	}
	page, err := f.s.PendingSMPPDeliveries(ctx, "acme", pending[0].ID, 1)
	if err != nil || len(page) != 1 || page[0].ID != pending[1].ID {
		t.Errorf("PendingSMPPDeliveries after %d = %+v, %v", pending[0].ID, page, err)
	}
	if none, err := f.s.PendingSMPPDeliveries(ctx, "other", 0, 10); err != nil || len(none) != 0 {
		t.Errorf("PendingSMPPDeliveries of another system_id = %+v, %v", none, err)
	}
	systems, err := f.s.SMPPOutboxSystems(ctx)
	if err != nil || len(systems) != 2 { // "acme" (receipts) and "Acme" (MO, the credential's spelling)
		t.Errorf("SMPPOutboxSystems = %v, %v", systems, err)
	}

	// Dequeue everything, the highest ID included: the next delivery must
	// get a higher ID, since the server offers past the highest it offered.
	last := pending[2].ID
	noErr(t, "DeleteSMPPDeliveries", f.s.DeleteSMPPDeliveries(ctx, pending[0].ID, pending[1].ID, pending[2].ID))
	noErr(t, "DeleteSMPPDeliveries of nothing", f.s.DeleteSMPPDeliveries(ctx))
	if left, _ := f.s.PendingSMPPDeliveries(ctx, "acme", 0, 10); len(left) != 0 {
		t.Fatalf("after DeleteSMPPDeliveries: %+v", left)
	}
	insertEvent(t, f, smpp.ID, herald.StatusDelivered)
	if n, err = f.s.FillSMPPOutbox(ctx, 100, pick); n != 1 || err != nil {
		t.Fatalf("FillSMPPOutbox after a dequeue = %d, %v", n, err)
	}
	next, err := f.s.PendingSMPPDeliveries(ctx, "acme", last, 10)
	if err != nil || len(next) != 1 || next[0].ID <= last {
		t.Errorf("the delivery after dequeuing ID %d: %+v, %v (an ID was reused)", last, next, err)
	}
}

// insertEvent commits an applied status event of message id.
func insertEvent(t *testing.T, f *fixture, id string, st herald.MessageStatus) {
	t.Helper()
	ctx := context.Background()
	e := herald.MessageEvent{AccountID: f.account.ID, MessageID: id, Type: herald.EventStatus, Status: st,
		Detail: herald.DetailSent, ProviderCode: "code-" + string(st), At: msgBase().Add(time.Hour), Applied: true}
	noErr(t, "InsertEvents", f.s.MessageTx(ctx, func(x *store.MessageTx) error { return x.InsertEvents(ctx, []herald.MessageEvent{e}) }))
}
