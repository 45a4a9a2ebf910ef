package storetest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// newConnection inserts a connection on channel assigned to the fixture's
// account.
func (f *fixture) newConnection(t *testing.T, name string, channel herald.Channel) *herald.Connection {
	t.Helper()
	c := &herald.Connection{Type: herald.ConnectorSandbox, Channel: channel, Name: name, TPS: 50,
		Settings: json.RawMessage(`{"latency":"10ms"}`), SealedSecrets: []byte("sealed"), Accounts: []int64{f.account.ID}}
	noErr(t, "Validate connection", c.Validate())
	noErr(t, "CreateConnection", f.s.CreateConnection(f.ctx, c))
	return c
}

func testConnections(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "conn")
	other := addFixture(t, f.s, "conn-other")
	c := f.newConnection(t, "Sandbox SMS", herald.ChannelSMS)
	if c.ID == 0 {
		t.Fatal("CreateConnection did not set the ID")
	}
	recent(t, "CreatedAt", c.CreatedAt)
	got, err := f.s.Connection(f.ctx, c.ID)
	noErr(t, "Connection", err)
	want := *c
	want.Secrets = nil // the store keeps only the sealed secrets
	equal(t, "Connection", *got, want)

	dup := &herald.Connection{Type: "sandbox", Channel: herald.ChannelRCS, Name: "sandbox sms"}
	noErr(t, "Validate", dup.Validate())
	wantViolation(t, "CreateConnection with a taken name", f.s.CreateConnection(f.ctx, dup), "name", herald.VTaken)

	noErr(t, "AssignConnection", f.s.AssignConnection(f.ctx, c.ID, other.account.ID))
	noErr(t, "AssignConnection again", f.s.AssignConnection(f.ctx, c.ID, other.account.ID))
	wantCode(t, "AssignConnection of an unknown connection", f.s.AssignConnection(f.ctx, 999999, other.account.ID), herald.ENOTFOUND)

	c.TPS, c.Name, c.SealedSecrets = 0, "Sandbox SMS 2", nil
	noErr(t, "UpdateConnection", f.s.UpdateConnection(f.ctx, c))
	got, err = f.s.Connection(f.ctx, c.ID)
	noErr(t, "Connection", err)
	equal(t, "Accounts", got.Accounts, []int64{f.account.ID, other.account.ID})
	if got.TPS != 0 || got.Name != "Sandbox SMS 2" || got.SealedSecrets != nil {
		t.Errorf("after update: %+v", got)
	}
	all, err := f.s.Connections(f.ctx)
	noErr(t, "Connections", err)
	if len(all) != 1 || all[0].ID != c.ID || len(all[0].Accounts) != 2 {
		t.Errorf("Connections = %+v", all)
	}
	_, err = f.s.Connection(f.ctx, 424242)
	wantCode(t, "Connection(unknown)", err, herald.ENOTFOUND)
	wantCode(t, "UpdateConnection(unknown)", f.s.UpdateConnection(f.ctx, &herald.Connection{ID: 424242, Name: "x", Type: "x", Channel: 1}), herald.ENOTFOUND)
}

func testSenders(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "senders")
	other := addFixture(t, f.s, "senders-other")
	sms := f.newConnection(t, "sms", herald.ChannelSMS)
	rcs := f.newConnection(t, "rcs", herald.ChannelRCS)

	sd := &herald.SenderID{AccountID: f.account.ID, Name: "Acme", Channel: herald.ChannelSMS, ConnectionID: sms.ID}
	noErr(t, "Validate", sd.Validate())
	noErr(t, "CreateSender", f.s.CreateSender(f.ctx, sd))
	recent(t, "CreatedAt", sd.CreatedAt)
	again := &herald.SenderID{AccountID: f.account.ID, Name: "ACME", Channel: herald.ChannelSMS, ConnectionID: sms.ID}
	wantViolation(t, "CreateSender twice", f.s.CreateSender(f.ctx, again), "name", herald.VTaken)
	onRCS := &herald.SenderID{AccountID: f.account.ID, Name: "Acme", Channel: herald.ChannelRCS, ConnectionID: rcs.ID}
	noErr(t, "CreateSender on RCS", f.s.CreateSender(f.ctx, onRCS))
	mismatch := &herald.SenderID{AccountID: f.account.ID, Name: "X", Channel: herald.ChannelRCS, ConnectionID: sms.ID}
	wantViolation(t, "CreateSender on another channel's connection", f.s.CreateSender(f.ctx, mismatch), "connectionId", herald.VFormat)
	foreign := &herald.SenderID{AccountID: other.account.ID, Name: "Acme", Channel: herald.ChannelSMS, ConnectionID: sms.ID}
	wantCode(t, "CreateSender on an unassigned connection", f.s.CreateSender(other.ctx, foreign), herald.ENOTFOUND)

	got, err := f.s.SenderByName(f.ctx, f.account.ID, herald.ChannelSMS, "acme")
	noErr(t, "SenderByName", err)
	equal(t, "SenderByName", *got, *sd)
	_, err = f.s.SenderByName(f.ctx, other.account.ID, herald.ChannelSMS, "acme")
	wantCode(t, "SenderByName in another account", err, herald.ENOTFOUND)
	_, err = f.s.SenderByName(f.ctx, f.account.ID, herald.ChannelViber, "acme")
	wantCode(t, "SenderByName on another channel", err, herald.ENOTFOUND)
	byConn, err := f.s.SenderOnConnection(f.ctx, sms.ID, "ACME")
	noErr(t, "SenderOnConnection", err)
	equal(t, "SenderOnConnection", *byConn, *sd)
	_, err = f.s.SenderOnConnection(f.ctx, sms.ID, "nobody")
	wantCode(t, "SenderOnConnection(unknown)", err, herald.ENOTFOUND)
	all, err := f.s.Senders(f.ctx, f.account.ID)
	noErr(t, "Senders", err)
	equal(t, "Senders", all, []herald.SenderID{*sd, *onRCS})
	testSenderEdits(t, f, other, sd, onRCS, sms)
}

// testSenderEdits checks Sender, UpdateSender, ListSenders and DeleteSender
// on the sender IDs testSenders made: sd on sms, onRCS on RCS.
func testSenderEdits(t *testing.T, f, other *fixture, sd, onRCS *herald.SenderID, sms *herald.Connection) {
	t.Helper()
	got, err := f.s.Sender(f.ctx, f.account.ID, sd.ID)
	noErr(t, "Sender", err)
	equal(t, "Sender", *got, *sd)
	_, err = f.s.Sender(other.ctx, other.account.ID, sd.ID)
	wantCode(t, "Sender of another account", err, herald.ENOTFOUND)

	sd.Name = " Acme2 "
	noErr(t, "UpdateSender", f.s.UpdateSender(f.ctx, sd, herald.SenderActive))
	got, err = f.s.Sender(f.ctx, f.account.ID, sd.ID)
	noErr(t, "Sender after update", err)
	equal(t, "Sender after update", *got, *sd)
	if sd.Name != "Acme2" {
		t.Errorf("UpdateSender kept the name %q, want it trimmed", sd.Name)
	}
	clash := *onRCS
	clash.Channel, clash.ConnectionID, clash.Name = herald.ChannelSMS, sms.ID, "ACME2"
	wantViolation(t, "UpdateSender to a taken name", f.s.UpdateSender(f.ctx, &clash, herald.SenderActive), "name", herald.VTaken)
	wrong := *sd
	wrong.Channel = herald.ChannelRCS
	wantViolation(t, "UpdateSender to another channel than the connection's", f.s.UpdateSender(f.ctx, &wrong, herald.SenderActive), "connectionId", herald.VFormat)
	foreign := *sd
	foreign.AccountID = other.account.ID
	wantCode(t, "UpdateSender in another account", f.s.UpdateSender(other.ctx, &foreign, herald.SenderActive), herald.ENOTFOUND)
	unassigned := *sd
	unassigned.ConnectionID = other.newConnection(t, "other sms 2", herald.ChannelSMS).ID
	wantCode(t, "UpdateSender to an unassigned connection", f.s.UpdateSender(f.ctx, &unassigned, herald.SenderActive), herald.ENOTFOUND)

	page, err := f.s.ListSenders(f.ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "channel", Op: herald.OpEq, Value: "rcs"}}})
	noErr(t, "ListSenders", err)
	if len(page.Items) != 1 || page.Items[0].ID != onRCS.ID || page.Items[0].ConnectionName != "rcs" {
		t.Errorf("ListSenders(channel=rcs) = %+v, want %q on rcs", page.Items, onRCS.Name)
	}
	page, err = f.s.ListSenders(f.ctx, f.account.ID, herald.ListQuery{Sort: "connection", Desc: true})
	noErr(t, "ListSenders by connection", err)
	equal(t, "ListSenders by connection", ids(page.Items, func(s herald.SenderID) int64 { return s.ID }), []int64{sd.ID, onRCS.ID})

	noErr(t, "DeleteSender", f.s.DeleteSender(f.ctx, f.account.ID, sd.ID))
	_, err = f.s.Sender(f.ctx, f.account.ID, sd.ID)
	wantCode(t, "Sender after delete", err, herald.ENOTFOUND)
	wantCode(t, "DeleteSender again", f.s.DeleteSender(f.ctx, f.account.ID, sd.ID), herald.ENOTFOUND)
	actions := auditActions(t, f)
	for _, want := range []string{"Added new sender ID", "Changed sender ID", "Deleted sender ID"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit has no %q: %q", want, actions)
		}
	}
}
