package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testContactDirectory checks what messaging needs from contacts.
func testContactDirectory(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("Lookup", func(t *testing.T) { testContactLookup(t, newFixture(t, open, "Acme")) })
	t.Run("Ensure", func(t *testing.T) { testContactEnsure(t, newFixture(t, open, "Acme")) })
	t.Run("OptOuts", func(t *testing.T) { testOptOuts(t, newFixture(t, open, "Acme")) })
	t.Run("OptOutWords", func(t *testing.T) { testOptOutWords(t, newFixture(t, open, "Acme")) })
}

// createContact inserts a contact or fails t.
func (f *fixture) createContact(t *testing.T, c *herald.Contact) *herald.Contact {
	t.Helper()
	c.AccountID = f.account.ID
	noErr(t, "CreateContact("+c.Phone+")", f.s.CreateContact(f.ctx, c))
	return c
}

// testContactLookup checks Contact and ContactByAddress on every kind of
// address, and that another account finds nothing.
func testContactLookup(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	c := f.createContact(t, &herald.Contact{Phone: "34 600 111 222", Email: "Luz@Example.com",
		Identities: map[string]string{"telegram": "77001", "viber": "vb-luz"},
		Attributes: map[string]string{"name": "Luz", "Surname": "Vega López"}, Tags: []string{"VIP", "vip", " Madrid "}})
	equal(t, "normalised phone and country", []string{c.Phone, c.Country, c.Email}, []string{"+34600111222", "ES", "luz@example.com"})
	got, err := f.s.Contact(f.ctx, f.account.ID, c.ID)
	noErr(t, "Contact", err)
	equal(t, "attributes by their names", got.Attributes, map[string]string{"Name": "Luz", "Surname": "Vega López"})
	equal(t, "tags (case-insensitive, trimmed)", got.Tags, []string{"Madrid", "VIP"})
	equal(t, "identities", got.Identities, map[string]string{"telegram": "77001", "viber": "vb-luz"})
	recent(t, "CreatedAt", got.CreatedAt)
	for _, tc := range []struct {
		ch   herald.Channel
		addr string
	}{
		{herald.ChannelSMS, "+34600111222"}, {herald.ChannelWhatsApp, "0034 600-111-222"}, {herald.ChannelRCS, "34600111222"},
		{herald.ChannelEmail, "LUZ@example.com"}, {herald.ChannelTelegram, "77001"}, {herald.ChannelViber, "vb-luz"},
	} {
		found, err := f.s.ContactByAddress(f.ctx, f.account.ID, tc.ch, tc.addr)
		noErr(t, "ContactByAddress("+tc.ch.String()+", "+tc.addr+")", err)
		equal(t, "contact found by "+tc.ch.String(), found.ID, c.ID)
		_, err = g.s.ContactByAddress(g.ctx, g.account.ID, tc.ch, tc.addr)
		wantCode(t, "ContactByAddress from another account", err, herald.ENOTFOUND)
	}
	_, err = f.s.ContactByAddress(f.ctx, f.account.ID, herald.ChannelTelegram, "nobody")
	wantCode(t, "unknown telegram ID", err, herald.ENOTFOUND)
	// Many numbers at once: the same contact as one lookup gives, none for
	// a number nobody has, and nothing of another account.
	noErr(t, "AddOptOut", f.s.AddOptOut(f.ctx, herald.OptOut{AccountID: f.account.ID, ContactID: c.ID, Channel: herald.ChannelSMS, By: "api"}))
	d := f.createContact(t, &herald.Contact{Phone: "+34600111333", Attributes: map[string]string{"name": "Dan"}})
	byPhone, err := f.s.ContactsByPhone(f.ctx, f.account.ID, []string{"+34600111222", "+34600999999", "+34600111333"})
	noErr(t, "ContactsByPhone", err)
	one, err := f.s.ContactByAddress(f.ctx, f.account.ID, herald.ChannelSMS, "+34600111222")
	noErr(t, "ContactByAddress", err)
	equal(t, "ContactsByPhone finds", len(byPhone), 2)
	equal(t, "ContactsByPhone's contact", *byPhone["+34600111222"], *one)
	equal(t, "ContactsByPhone's other contact", []any{byPhone["+34600111333"].ID, byPhone["+34600111333"].Attributes["Name"]}, []any{d.ID, "Dan"})
	other, err := g.s.ContactsByPhone(g.ctx, g.account.ID, []string{"+34600111222"})
	noErr(t, "ContactsByPhone from another account", err)
	equal(t, "ContactsByPhone from another account", len(other), 0)
	_, err = g.s.Contact(g.ctx, g.account.ID, c.ID)
	wantCode(t, "Contact of another account", err, herald.ENOTFOUND)
}

// testContactEnsure checks EnsureContact for new and known numbers and
// for channels that cannot create a contact.
func testContactEnsure(t *testing.T, f *fixture) {
	c, created, err := f.s.EnsureContact(f.ctx, f.account.ID, herald.ChannelSMS, "905321234567")
	noErr(t, "EnsureContact(new)", err)
	if !created || c.Phone != "+905321234567" || c.Country != "TR" {
		t.Fatalf("EnsureContact(new) = %+v, %v; want a new Turkish contact", c, created)
	}
	again, created, err := f.s.EnsureContact(f.ctx, f.account.ID, herald.ChannelViber, "+90 532 123 45 67")
	noErr(t, "EnsureContact(known)", err)
	if created || again.ID != c.ID {
		t.Fatalf("EnsureContact(known) = %d, %v; want %d, false", again.ID, created, c.ID)
	}
	_, _, err = f.s.EnsureContact(f.ctx, f.account.ID, herald.ChannelTelegram, "chat-1")
	wantCode(t, "EnsureContact(telegram, unknown)", err, herald.EINVALID)
	_, _, err = f.s.EnsureContact(f.ctx, f.account.ID, herald.ChannelSMS, "12")
	wantCode(t, "EnsureContact(bad number)", err, herald.EINVALID)
}

// testOptOuts checks opt-outs of a whole channel and of one sender ID,
// and that an MO message lifts them.
func testOptOuts(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	c := f.createContact(t, &herald.Contact{Phone: "+34600111222"})
	id, acc := c.ID, f.account.ID
	opted := func(ch herald.Channel, sender string) bool {
		t.Helper()
		ok, err := f.s.OptedOut(f.ctx, acc, id, ch, sender)
		noErr(t, "OptedOut", err)
		return ok
	}
	noErr(t, "AddOptOut(sms, Bottle)", f.s.AddOptOut(f.ctx, herald.OptOut{AccountID: acc, ContactID: id, Channel: herald.ChannelSMS, SenderID: "Bottle", By: herald.OptOutByWord("STOP")}))
	noErr(t, "AddOptOut again", f.s.AddOptOut(f.ctx, herald.OptOut{AccountID: acc, ContactID: id, Channel: herald.ChannelSMS, SenderID: "Bottle", By: "api"}))
	if !opted(herald.ChannelSMS, "Bottle") || opted(herald.ChannelSMS, "Other") || opted(herald.ChannelWhatsApp, "Bottle") {
		t.Fatal("a sender opt-out must block exactly that sender on that channel")
	}
	noErr(t, "AddOptOut(whatsapp, whole)", f.s.AddOptOut(f.ctx, herald.OptOut{AccountID: acc, ContactID: id, Channel: herald.ChannelWhatsApp, By: herald.OptOutByUser("ann")}))
	if !opted(herald.ChannelWhatsApp, "Anyone") {
		t.Fatal("a whole-channel opt-out must block every sender")
	}
	outs, err := f.s.ContactOptOuts(f.ctx, acc, id)
	noErr(t, "ContactOptOuts", err)
	if len(outs) != 2 || outs[0].By != "word:STOP" || outs[0].SenderID != "Bottle" || outs[1].By != "user:ann" {
		t.Fatalf("opt-outs = %+v; want the first setter kept and both listed", outs)
	}
	recent(t, "opt-out time", outs[0].At)
	wantCode(t, "AddOptOut for another account's contact",
		g.s.AddOptOut(g.ctx, herald.OptOut{AccountID: g.account.ID, ContactID: id, Channel: herald.ChannelSMS}), herald.ENOTFOUND)
	noErr(t, "LiftOptOut(sms, Bottle)", f.s.LiftOptOut(f.ctx, acc, id, herald.ChannelSMS, "Bottle"))
	noErr(t, "LiftOptOut(whatsapp, X)", f.s.LiftOptOut(f.ctx, acc, id, herald.ChannelWhatsApp, "X"))
	if opted(herald.ChannelSMS, "Bottle") || opted(herald.ChannelWhatsApp, "X") {
		t.Fatal("an MO message must lift the sender's and the whole channel's opt-out")
	}
	noErr(t, "LiftOptOut with none left", f.s.LiftOptOut(f.ctx, acc, id, herald.ChannelSMS, "Bottle"))
	if a := auditActions(t, f); !slices.Contains(a, "Opted out contact") || !slices.Contains(a, "Lifted opt-out") {
		t.Errorf("audit = %v; want the opt-out and its lifting", a)
	}
}

// testOptOutWords checks matching by channel, sender and time window.
func testOptOutWords(t *testing.T, f *fixture) {
	acc := f.account.ID
	from := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
	till := from.AddDate(0, 4, 0)
	words := []herald.OptOutWord{
		{AccountID: acc, Word: "STOP", Channel: herald.ChannelSMS},
		{AccountID: acc, Word: "Unsubscribe", Channel: herald.ChannelWhatsApp, From: &from, Till: &till},
		{AccountID: acc, Word: "baja", Channel: herald.ChannelSMS, SenderID: "Bottle"},
	}
	for i := range words {
		noErr(t, "CreateOptOutWord", f.s.CreateOptOutWord(f.ctx, &words[i]))
	}
	bad := herald.OptOutWord{AccountID: acc, Word: " ", Channel: 99, From: &till, Till: &from}
	err := f.s.CreateOptOutWord(f.ctx, &bad)
	wantViolation(t, "CreateOptOutWord(bad)", err, "word", herald.VRequired)
	wantViolation(t, "CreateOptOutWord(bad)", err, "effectiveTill", herald.VRange)
	in := from.AddDate(0, 1, 0)
	for _, tc := range []struct {
		ch           herald.Channel
		sender, text string
		at           time.Time
		want         string
	}{
		{herald.ChannelSMS, "Any", "  stop ", in, "STOP"},
		{herald.ChannelSMS, "Any", "stop please", in, ""},
		{herald.ChannelViber, "Any", "STOP", in, ""},
		{herald.ChannelWhatsApp, "X", "UNSUBSCRIBE", in, "Unsubscribe"},
		{herald.ChannelWhatsApp, "X", "unsubscribe", till, ""},
		{herald.ChannelWhatsApp, "X", "unsubscribe", from.Add(-time.Second), ""},
		{herald.ChannelSMS, "Bottle", "BAJA", in, "baja"},
		{herald.ChannelSMS, "Other", "baja", in, ""},
	} {
		w, err := f.s.MatchOptOutWord(f.ctx, acc, tc.ch, tc.sender, tc.text, tc.at)
		noErr(t, "MatchOptOutWord", err)
		got := ""
		if w != nil {
			got = w.Word
			if want := map[string]string{"baja": "Bottle"}[w.Word]; w.SenderID != want {
				t.Errorf("MatchOptOutWord(%q) has sender %q, want %q", tc.text, w.SenderID, want)
			}
		}
		if got != tc.want {
			t.Errorf("MatchOptOutWord(%s, %q, %q, %s) = %q; want %q", tc.ch, tc.sender, tc.text, tc.at, got, tc.want)
		}
	}
	w := words[0]
	w.Word, w.Channel = "ALTO", herald.ChannelViber
	noErr(t, "UpdateOptOutWord", f.s.UpdateOptOutWord(f.ctx, &w))
	if got, _ := f.s.MatchOptOutWord(f.ctx, acc, herald.ChannelViber, "", "alto", in); got == nil || got.Word != "ALTO" {
		t.Errorf("after the change: %+v", got)
	}
	page, err := f.s.ListOptOutWords(f.ctx, acc, herald.ListQuery{Filters: []herald.Filter{{Field: "channel", Op: herald.OpEq, Value: "sms"}}})
	noErr(t, "ListOptOutWords", err)
	equal(t, "words on sms", ids(page.Items, func(w herald.OptOutWord) int64 { return w.ID }), []int64{words[2].ID})
	noErr(t, "DeleteOptOutWord", f.s.DeleteOptOutWord(f.ctx, acc, w.ID))
	_, err = f.s.OptOutWord(f.ctx, acc, w.ID)
	wantCode(t, "OptOutWord after delete", err, herald.ENOTFOUND)
}
