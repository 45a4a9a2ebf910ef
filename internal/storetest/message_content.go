package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// echoRenderer is a PayloadRenderer that shows what it was given.
func echoRenderer(c *store.SharedContent, values json.RawMessage) (json.RawMessage, error) {
	return json.Marshal(map[string]any{"content": c.ID, "account": c.AccountID, "broadcast": c.BroadcastID,
		"channel": c.Channel, "payload": c.Payload, "params": c.Params, "values": values})
}

// echoed is what echoRenderer returns for a message of c with values.
func echoed(t *testing.T, c *store.SharedContent, values string) string {
	t.Helper()
	b, err := echoRenderer(c, json.RawMessage(values))
	noErr(t, "echoRenderer", err)
	return string(b)
}

// testSharedContents checks messages stored as a reference to a shared
// content: every reader gets the payload the renderer makes from the
// stored content and the message's values; other rows are as they were.
func testSharedContents(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "contents")
	other := addFixture(t, f.s, "contents-other")
	ctx := context.Background()
	c := &store.SharedContent{AccountID: f.account.ID, BroadcastID: 12, Channel: herald.ChannelEmail,
		Payload: json.RawMessage(`{"subject":"Hi {{attribute.name}}","html":"<p>x</p>"}`), Params: map[string]string{"code": "7"}}
	hooked, quiet, plain := f.newMessage(1), f.newMessage(2), f.newMessage(3)
	quiet.WebhookURL = ""
	rows := []store.MessageRow{
		{Message: hooked, ContentID: -1, ContentValues: json.RawMessage(`{"name":"Ana"}`), ClaimUntil: 1000, ClaimedBy: "a"},
		{Message: quiet, ContentID: -1, ContentValues: json.RawMessage(`{"name":"Bo"}`), ClaimUntil: 1000, ClaimedBy: "a"},
		{Message: plain, ClaimUntil: 1000, ClaimedBy: "a"},
	}
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		if err := x.InsertContent(ctx, c); err != nil {
			return err
		}
		rows[0].ContentID, rows[1].ContentID = c.ID, c.ID
		return x.InsertMessages(ctx, rows)
	}))
	if c.ID == 0 || c.CreatedAt.IsZero() {
		t.Fatalf("InsertContent left %+v", c)
	}

	_, err := f.s.Message(ctx, f.account.ID, hooked.ID)
	if err == nil {
		t.Error("a message stored by reference was read without a renderer")
	}
	f.s.SetPayloadRenderer(echoRenderer)
	got, err := f.s.SharedContent(ctx, f.account.ID, c.ID)
	noErr(t, "SharedContent", err)
	equal(t, "SharedContent", *got, *c)
	_, err = f.s.SharedContent(ctx, other.account.ID, c.ID)
	wantCode(t, "SharedContent of another account", err, herald.ENOTFOUND)

	want := map[string]string{hooked.ID: echoed(t, c, `{"name":"Ana"}`), quiet.ID: echoed(t, c, `{"name":"Bo"}`), plain.ID: string(plain.Payload)}
	check := func(what string, ms []herald.Message) {
		t.Helper()
		if len(ms) != len(want) {
			t.Fatalf("%s: %d messages, want %d", what, len(ms), len(want))
		}
		for _, m := range ms {
			if string(m.Payload) != want[m.ID] {
				t.Errorf("%s: message %s payload\n got %s\nwant %s", what, m.ID, m.Payload, want[m.ID])
			}
		}
	}
	var one []herald.Message
	for id := range want {
		m, err := f.s.Message(ctx, f.account.ID, id)
		noErr(t, "Message", err)
		one = append(one, *m)
	}
	check("Message", one)
	page, err := f.s.ListMessages(ctx, f.account.ID, herald.ListQuery{Limit: 10})
	noErr(t, "ListMessages", err)
	check("ListMessages", page.Items)
	var each []herald.Message
	noErr(t, "EachMessage", f.s.EachMessage(ctx, f.account.ID, herald.ListQuery{}, func(m *herald.Message) error {
		each = append(each, *m)
		return nil
	}))
	check("EachMessage", each)
	testLockedContents(t, f, want, hooked, quiet)
	rows2, err := f.s.ClaimDueMessages(ctx, "b", 1_000_000, 2_000_000, 10, nil)
	noErr(t, "ClaimDueMessages", err)
	claimed := make([]herald.Message, len(rows2))
	for i, r := range rows2 {
		claimed[i] = *r.Message
	}
	check("ClaimDueMessages", claimed)
}

// testLockedContents checks the status writer's reads: the payload of a
// message with a webhook is rendered, the others are read without it, and
// an update keeps the reference.
func testLockedContents(t *testing.T, f *fixture, want map[string]string, hooked, quiet *herald.Message) {
	ctx := context.Background()
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		rows, err := x.LockMessages(ctx, []string{hooked.ID, quiet.ID})
		if err != nil {
			return err
		}
		if got := string(rows[hooked.ID].Payload); got != want[hooked.ID] {
			t.Errorf("locked message with a webhook: payload %s, want %s", got, want[hooked.ID])
		}
		if got := rows[quiet.ID].Payload; len(got) != 0 {
			t.Errorf("locked message without a webhook: payload %s, want none", got)
		}
		r := rows[quiet.ID]
		r.Status, r.ProviderCode = herald.StatusSent, "250"
		return x.UpdateMessages(ctx, []store.MessageRow{r})
	}))
	m, err := f.s.Message(ctx, f.account.ID, quiet.ID)
	noErr(t, "Message after update", err)
	if m.Status != herald.StatusSent || string(m.Payload) != want[quiet.ID] {
		t.Errorf("after update: status %s, payload %s; want sent, %s", m.Status, m.Payload, want[quiet.ID])
	}
	delete(want, quiet.ID) // sent: no longer claimed
}
