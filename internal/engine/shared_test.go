package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// sharedSteps are a personalised e-mail (attributes spelled in several
// cases, HTML that JSON would escape) and a static SMS.
var sharedSteps = []herald.BroadcastStep{
	{Channel: herald.ChannelEmail, SenderID: "news@shop.example", Payload: json.RawMessage(`{"subject":"Hola {{attribute.Name}} & co",
		"subtitle":"<Solo> {{attribute.CITY}}","html":"<p>Hola {{attribute.name}}, de {{attribute.city}}</p><a href=\"https://shop.example/?a=1&b=2\">Oferta</a>",
		"text":"Hola {{attribute.Name}}"}`)},
}

// sharedRecipients have values that need escaping, a missing attribute,
// and attribute keys in other cases than the content's.
var sharedRecipients = []BulkRecipient{
	{ContactID: 1, Email: "ana@example.com", Attrs: map[string]string{"Name": "Ana <b>&amp;</b> \"Ñ\"", "city": "Sevilla\u2028"}},
	{ContactID: 2, Email: "bo@example.com", Attrs: map[string]string{"NAME": "Bo"}},
	{ContactID: 3, Email: "cy@example.com", Attrs: map[string]string{"name": "Cy", "City": "</script>", "other": "x"}},
	{ContactID: 4, Email: "di@example.com"},
	{ContactID: 5, Email: "ed@example.com", Attrs: map[string]string{"Name": "Ed\xff\xfe", "city": "ok"}},
}

// TestSharedContentReadsBack commits a personalised e-mail broadcast and
// reads every message back (one by one, listed, claimed, and after the
// store and the engine are opened again): each payload is the bytes
// BuildBulk rendered, while the store keeps the content once.
func TestSharedContentReadsBack(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		s := openAt(t, dir)
		want, acct := commitShared(t, s)
		checkPayloads(t, s, acct, want)
		var stored int
		must(t, s.SQLiteDB().QueryRow("SELECT count(*) FROM messages WHERE payload = '' AND content_id <> 0").Scan(&stored))
		// The last recipient's name is not UTF-8, which JSON values
		// cannot carry unchanged: its message keeps its payload.
		if stored != len(want)-1 {
			t.Errorf("%d messages stored by reference, want %d", stored, len(want)-1)
		}
		_ = s.Close()
		s = openAt(t, dir) // a restart: nothing cached
		New(Config{}, Deps{Store: s})
		checkPayloads(t, s, acct, want)
		checkClaimed(t, s, want)
	})
	t.Run("postgres", func(t *testing.T) {
		s := storetest.OpenPostgres(t)
		want, acct := commitShared(t, s)
		checkPayloads(t, s, acct, want)
		checkClaimed(t, s, want)
	})
}

// openAt opens and migrates the SQLite store in dir.
func openAt(t *testing.T, dir string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "", dir, herald.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// sharedEngine starts an engine on s with a new account that has the
// sender ID sender on a sandbox connection of ch.
func sharedEngine(t *testing.T, s *store.Store, ch herald.Channel, sender string) (*Engine, *herald.Account) {
	t.Helper()
	ctx := context.Background()
	acct := &herald.Account{Name: "shared " + ch.String()}
	must(t, s.CreateAccount(ctx, acct))
	conn := &herald.Connection{Type: herald.ConnectorSandbox, Channel: ch, Name: ch.String(), Accounts: []int64{acct.ID}}
	must(t, s.CreateConnection(ctx, conn))
	must(t, s.CreateSender(ctx, &herald.SenderID{AccountID: acct.ID, Name: sender, Channel: ch, ConnectionID: conn.ID}))
	e := New(Config{}, Deps{Store: s})
	must(t, e.Start(ctx))
	t.Cleanup(func() { _ = e.Stop(context.Background()) })
	return e, acct
}

// commitShared plans, builds and commits sharedSteps to sharedRecipients
// in a new account of s, and returns each message's payload as BuildBulk
// made it, by message ID, with the account's ID.
func commitShared(t *testing.T, s *store.Store) (map[string][]byte, int64) {
	t.Helper()
	ctx := context.Background()
	e, acct := sharedEngine(t, s, herald.ChannelEmail, "news@shop.example")
	p, err := e.PlanBulk(ctx, acct.ID, 9, sharedSteps, []string{"Name", "City"})
	must(t, err)
	want := map[string][]byte{}
	var items []*BulkItem
	for i := range sharedRecipients {
		it, reason := e.BuildBulk(p, &sharedRecipients[i])
		if it == nil {
			t.Fatalf("recipient %d skipped: %s", i, reason)
		}
		// The payload BuildBulk made before e-mails were handed on
		// with slots.
		old, err := personalize(p.steps[0].content, bulkRenderer(p.steps[0].params, sharedRecipients[i].Attrs))
		must(t, err)
		want[it.ChainID()] = old.payload
		items = append(items, it)
		checkFill(t, it.p.row.Message, old.payload)
	}
	// Two batches: the second refers to the content the first stored.
	noExtra := func(context.Context, *store.MessageTx) error { return nil }
	must(t, e.CommitBulk(ctx, items[:2], noExtra))
	must(t, e.CommitBulk(ctx, items[2:], noExtra))
	if items[0].p.row.ContentID == 0 || items[3].p.row.ContentID != items[0].p.row.ContentID {
		t.Errorf("content IDs %d and %d; want one shared content", items[0].p.row.ContentID, items[3].p.row.ContentID)
	}
	c, err := s.SharedContent(ctx, acct.ID, items[0].p.row.ContentID)
	must(t, err)
	if c.BroadcastID != 9 || c.Channel != herald.ChannelEmail || !bytes.Equal(c.Payload, sharedSteps[0].Payload) {
		t.Errorf("shared content = %+v", c)
	}
	return want, acct.ID
}

// checkPayloads reads the messages back one by one and listed.
func checkPayloads(t *testing.T, s *store.Store, acct int64, want map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	for id, w := range want {
		m, err := s.Message(ctx, acct, id)
		must(t, err)
		if !bytes.Equal(m.Payload, w) {
			t.Errorf("message %s read back:\n got %s\nwant %s", id, m.Payload, w)
		}
	}
	page, err := s.ListMessages(ctx, acct, herald.ListQuery{Limit: 10})
	must(t, err)
	if len(page.Items) != len(want) {
		t.Fatalf("listed %d messages, want %d", len(page.Items), len(want))
	}
	for _, m := range page.Items {
		if !bytes.Equal(m.Payload, want[m.ID]) {
			t.Errorf("message %s listed:\n got %s\nwant %s", m.ID, m.Payload, want[m.ID])
		}
	}
}

// checkClaimed claims the messages as a dispatcher does after a restart.
func checkClaimed(t *testing.T, s *store.Store, want map[string][]byte) {
	t.Helper()
	now := time.Now().Add(time.Minute).UnixMilli()
	rows, err := s.ClaimDueMessages(context.Background(), "other", now, now+60_000, 100, nil)
	must(t, err)
	if len(rows) != len(want) {
		t.Fatalf("claimed %d messages, want %d", len(rows), len(want))
	}
	for _, r := range rows {
		if !bytes.Equal(r.Payload, want[r.ID]) {
			t.Errorf("message %s claimed:\n got %s\nwant %s", r.ID, r.Payload, want[r.ID])
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// checkFill checks the e-mail m hands the connector: its step's e-mail
// with slots, filled with its values, and the payload made from it for a
// connector that needs one, are the e-mail rendered for it (want); a
// message whose values are not all UTF-8 has that payload as before.
func checkFill(t *testing.T, m *herald.Message, want json.RawMessage) {
	t.Helper()
	if m.Content == nil { // a value that is not UTF-8: personalised as before
		if !bytes.Equal(m.Payload, want) {
			t.Errorf("payload\n got %s\nwant %s", m.Payload, want)
		}
		return
	}
	f, ok := m.Content.(*content.EmailFill)
	if !ok || len(m.Payload) != 0 {
		t.Fatalf("message content %T with payload %s, want a *content.EmailFill without", m.Content, m.Payload)
	}
	var e content.Email
	must(t, json.Unmarshal(want, &e))
	fill := func(s string, esc bool) string {
		for i, v := range f.Values {
			if esc {
				v = html.EscapeString(v)
			}
			s = strings.ReplaceAll(s, content.Slot(i), v)
		}
		return s
	}
	got := [4]string{fill(f.Slots.Subject, false), fill(f.Slots.Subtitle, false), fill(f.Slots.HTML, true), fill(f.Slots.Body, false)}
	if w := [4]string{e.Subject, e.Subtitle, e.HTML, e.Body}; got != w {
		t.Errorf("filled slots\n got %q\nwant %q", got, w)
	}
	withPayload := *m
	must(t, payloadFor(nil, &withPayload))
	if !bytes.Equal(withPayload.Payload, want) {
		t.Errorf("payload made for a connector:\n got %s\nwant %s", withPayload.Payload, want)
	}
}

// TestSharedContentOtherChannels stores a static and a personalised SMS
// broadcast by reference: each message reads back with the payload,
// encoding and segments BuildBulk made.
func TestSharedContentOtherChannels(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e, acct := sharedEngine(t, s, herald.ChannelSMS, "Shop")
		for _, text := range []string{"Hola a todos", "Hola {{attribute.Name}}, ñ € {{attribute.name}}"} {
			steps := []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "Shop", Payload: json.RawMessage(`{"text":` + strconv.Quote(text) + `}`)}}
			p, err := e.PlanBulk(ctx, acct.ID, 3, steps, []string{"Name"})
			must(t, err)
			var items []*BulkItem
			want := map[string]herald.Message{}
			for i, attrs := range []map[string]string{{"Name": "Ana"}, {"name": "Ω"}, nil} {
				it, reason := e.BuildBulk(p, &BulkRecipient{ContactID: int64(i + 1), Phone: fmt.Sprintf("+3460000000%d", i), Attrs: attrs})
				if it == nil {
					t.Fatalf("recipient %d skipped: %s", i, reason)
				}
				want[it.ChainID()] = *it.p.row.Message
				items = append(items, it)
			}
			must(t, e.CommitBulk(ctx, items, func(context.Context, *store.MessageTx) error { return nil }))
			for id, w := range want {
				m, err := s.Message(ctx, acct.ID, id)
				must(t, err)
				if !bytes.Equal(m.Payload, w.Payload) || m.Encoding != w.Encoding || m.Segments != w.Segments || len(w.Payload) == 0 {
					t.Errorf("%q: message read back with %s %s %d, want %s %s %d", text, m.Payload, m.Encoding, m.Segments,
						w.Payload, w.Encoding, w.Segments)
				}
			}
			if items[0].p.row.ContentID == 0 {
				t.Errorf("%q: not stored by reference", text)
			}
		}
	})
}
