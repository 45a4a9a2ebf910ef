package storetest

import (
	"fmt"
	"testing"

	"github.com/heraldhq/herald"
)

// testBulkValues checks that values of every type, with characters that
// need escaping in JSON and numbers that JSON writes with an exponent,
// come out of a bulk write as they went in and land in their slots:
// through the insert that passes over existing numbers (skip) and the one
// that inserts only the new rows of a batch (override).
func testBulkValues(t *testing.T, f *fixture) {
	attrs := map[string]*herald.Attribute{}
	for _, a := range []struct {
		name string
		typ  herald.AttributeType
		opts []string
	}{{"City", herald.AttrText, nil}, {"Score", herald.AttrNumber, nil}, {"Born", herald.AttrDate, nil},
		{"VIP", herald.AttrBool, nil}, {"Kind", herald.AttrList, []string{"Gold", "Plain"}}, {"Mail", herald.AttrEmail, nil}} {
		attrs[a.name] = f.attribute(t, a.name, a.typ, a.opts...)
	}
	f.createContact(t, &herald.Contact{Phone: "+34600000009", Attributes: map[string]string{"Name": "Old"}})
	rows := []map[string]string{
		{"Name": `Quote "q" and \ back`, "City": "İstanbul", "Score": "-2.5", "Born": "1990-02-03", "VIP": "yes", "Kind": "gold"},
		{"Name": "tab\tnew\nline ü \u2028 \x01", "Score": "1e21", "Born": "1970-01-01", "VIP": "no", "Mail": "a@b.example"},
		{"Name": "Zed", "Score": "12345678901234567", "City": "madrid"},
		{"Name": "Nil", "Score": "0"},
	}
	batch := func() []herald.Contact {
		var cs []herald.Contact
		for i, r := range rows {
			cs = append(cs, herald.Contact{Phone: fmt.Sprintf("+3460000000%d", i+1), Attributes: r})
		}
		cs = append(cs, herald.Contact{Phone: "+34600000001", Attributes: map[string]string{"Name": "Repeat"}},
			herald.Contact{Phone: "+34600000009", Attributes: map[string]string{"Name": "Skipped"}})
		return cs
	}
	res, err := f.s.UpsertContacts(f.ctx, f.account.ID, batch(), herald.DupSkip)
	noErr(t, "UpsertContacts(skip)", err)
	equal(t, "skip result", []int{res.Created, res.Updated, res.Skipped, len(res.Errors)}, []int{4, 0, 2, 0})
	checkBulkValues(t, f, attrs, rows)
	old, err := f.s.ContactByAddress(f.ctx, f.account.ID, herald.ChannelSMS, "+34600000009")
	noErr(t, "ContactByAddress(old)", err)
	equal(t, "skipped contact", old.Attributes, map[string]string{"Name": "Old"})
	for _, c := range []struct {
		filter herald.Filter
		want   int
	}{
		{herald.Filter{Field: attrs["City"].ColumnKey(), Op: herald.OpEq, Value: "ISTANBUL"}, 1},
		{herald.Filter{Field: attrs["Score"].ColumnKey(), Op: herald.OpRange, Min: "-3", Max: "-2"}, 1},
		{herald.Filter{Field: attrs["Score"].ColumnKey(), Op: herald.OpRange, Min: "1e16"}, 2},
		{herald.Filter{Field: attrs["Score"].ColumnKey(), Op: herald.OpEq, Value: "0"}, 1},
		{herald.Filter{Field: attrs["Born"].ColumnKey(), Op: herald.OpRange, Max: "1970-01-01"}, 1},
		{herald.Filter{Field: attrs["VIP"].ColumnKey(), Op: herald.OpEq, Value: "no"}, 1},
		{herald.Filter{Field: attrs["Kind"].ColumnKey(), Op: herald.OpEq, Value: "Gold"}, 1},
		{herald.Filter{Field: attrs["Mail"].ColumnKey(), Op: herald.OpNonEmpty}, 1},
	} {
		n, err := f.s.CountContacts(f.ctx, f.account.ID, []herald.Filter{c.filter})
		noErr(t, "CountContacts", err)
		if n != c.want {
			t.Errorf("count of %+v = %d; want %d", c.filter, n, c.want)
		}
	}
	// Override: two new rows among existing ones.
	rows[0]["City"], rows[2]["Score"] = "Sevilla", "7"
	rows = append(rows, map[string]string{"Name": "New \"one\"", "Score": "0.1"}, map[string]string{"Name": "New two", "VIP": "true"})
	res, err = f.s.UpsertContacts(f.ctx, f.account.ID, batch(), herald.DupOverride)
	noErr(t, "UpsertContacts(override)", err)
	equal(t, "override result", []int{res.Created, res.Updated, res.Skipped}, []int{2, 5, 1})
	rows[0]["Name"] = "Repeat" // the repeated number overrides the first
	checkBulkValues(t, f, attrs, rows)
}

// checkBulkValues checks the contacts +346000000N (N from 1) against rows:
// the values as their attributes parse them.
func checkBulkValues(t *testing.T, f *fixture, attrs map[string]*herald.Attribute, rows []map[string]string) {
	t.Helper()
	for i, r := range rows {
		c, err := f.s.ContactByAddress(f.ctx, f.account.ID, herald.ChannelSMS, fmt.Sprintf("+3460000000%d", i+1))
		noErr(t, "ContactByAddress", err)
		want := map[string]string{}
		for name, raw := range r {
			if a := attrs[name]; a != nil {
				v, err := a.ParseValue(raw)
				noErr(t, "ParseValue", err)
				raw = v.Display
			}
			want[name] = raw
		}
		equal(t, fmt.Sprintf("row %d", i+1), c.Attributes, want)
	}
}
