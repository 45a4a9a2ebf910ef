package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testContacts checks ContactStore, AttributeStore and TargetStore.
func testContacts(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("Validation", func(t *testing.T) { testContactValidation(t, newFixture(t, open, "Acme")) })
	t.Run("Attributes", func(t *testing.T) { testAttributes(t, newFixture(t, open, "Acme")) })
	t.Run("ListAndTargets", func(t *testing.T) { testContactTargets(t, newFixture(t, open, "Acme")) })
	t.Run("MassEdit", func(t *testing.T) { testMassEdit(t, newFixture(t, open, "Acme")) })
	t.Run("Upsert", func(t *testing.T) { testUpsert(t, newFixture(t, open, "Acme")) })
	t.Run("BulkValues", func(t *testing.T) { testBulkValues(t, newFixture(t, open, "Acme")) })
}

// attribute creates an attribute or fails t.
func (f *fixture) attribute(t *testing.T, name string, typ herald.AttributeType, options ...string) *herald.Attribute {
	t.Helper()
	a := &herald.Attribute{AccountID: f.account.ID, Name: name, Type: typ, Options: options}
	noErr(t, "CreateAttribute("+name+")", f.s.CreateAttribute(f.ctx, a))
	return a
}

// testContactValidation checks the rules of one contact.
func testContactValidation(t *testing.T, f *fixture) {
	f.attribute(t, "Age", herald.AttrNumber)
	f.attribute(t, "Birthday", herald.AttrDate)
	f.attribute(t, "Gender", herald.AttrList, "f", "m")
	bad := &herald.Contact{AccountID: f.account.ID, Phone: "12", Email: "nope",
		Attributes: map[string]string{"Age": "old", "Birthday": "31.02.2000", "Gender": "x", "Shoe size": "42"},
		Identities: map[string]string{"icq": "1"}}
	err := f.s.CreateContact(f.ctx, bad)
	for _, field := range []string{"phone", "email", "attributes.Age", "attributes.Birthday", "attributes.Gender", "identities.icq"} {
		wantViolation(t, "CreateContact(bad) "+field, err, field, violationCode(err, field))
	}
	wantViolation(t, "unknown attribute", err, "attributes.Shoe size", herald.VUnknown)
	wantViolation(t, "missing phone", f.s.CreateContact(f.ctx, &herald.Contact{AccountID: f.account.ID}), "phone", herald.VRequired)
	c := f.createContact(t, &herald.Contact{Phone: "+34 600 000 001", Attributes: map[string]string{"age": " 25 ", "birthday": "05.06.2001", "gender": "F"}})
	equal(t, "canonical values", c.Attributes, map[string]string{"Age": "25", "Birthday": "2001-06-05", "Gender": "f"})
	wantViolation(t, "duplicate phone", f.s.CreateContact(f.ctx, &herald.Contact{AccountID: f.account.ID, Phone: "0034600000001"}), "phone", herald.VTaken)
	d := f.createContact(t, &herald.Contact{Phone: "+34600000002", Identities: map[string]string{"telegram": "t1"}})
	d.Identities = map[string]string{"telegram": "t1"}
	c.Identities = map[string]string{"telegram": "t1"}
	wantViolation(t, "identity of another contact", f.s.UpdateContact(f.ctx, c), "identities.telegram", herald.VTaken)
	c.Identities, c.Attributes["Age"], c.Phone = nil, "", "+34 600 000 009"
	noErr(t, "UpdateContact", f.s.UpdateContact(f.ctx, c))
	got, err := f.s.Contact(f.ctx, f.account.ID, c.ID)
	noErr(t, "Contact", err)
	equal(t, "after update", []any{got.Phone, got.Attributes}, []any{"+34600000009", map[string]string{"Birthday": "2001-06-05", "Gender": "f"}})
	g := addFixture(t, f.s, "Other")
	wantCode(t, "DeleteContact of another account", g.s.DeleteContact(g.ctx, g.account.ID, d.ID), herald.ENOTFOUND)
	noErr(t, "DeleteContact", f.s.DeleteContact(f.ctx, f.account.ID, d.ID))
	_, err = f.s.Contact(f.ctx, f.account.ID, d.ID)
	wantCode(t, "Contact after delete", err, herald.ENOTFOUND)
}

// violationCode returns the code of err's violation of field, or "none".
func violationCode(err error, field string) string {
	for _, v := range herald.ErrorViolations(err) {
		if v.Field == field {
			return v.Code
		}
	}
	return "none"
}

// testAttributes checks defaults, renaming, removal with values and limits.
func testAttributes(t *testing.T, f *fixture) {
	attrs, err := f.s.Attributes(f.ctx, f.account.ID)
	noErr(t, "Attributes", err)
	if len(attrs) != 2 || attrs[0].Name != "Name" || attrs[1].Name != "Surname" || !attrs[0].ShowInProfile {
		t.Fatalf("default attributes = %+v; want Name and Surname shown in the profile", attrs)
	}
	city := f.attribute(t, "City", herald.AttrText)
	wantViolation(t, "taken name", f.s.CreateAttribute(f.ctx, &herald.Attribute{AccountID: f.account.ID, Name: "CITY", Type: herald.AttrText}), "name", herald.VTaken)
	wantViolation(t, "list without options", f.s.CreateAttribute(f.ctx, &herald.Attribute{AccountID: f.account.ID, Name: "L", Type: herald.AttrList}), "options", herald.VRequired)
	c := f.createContact(t, &herald.Contact{Phone: "+34600000001", Attributes: map[string]string{"City": "Madrid", "Name": "Ana"}})
	tg := &herald.Target{AccountID: f.account.ID, Name: "Madrid", Filters: []herald.Filter{
		{Field: city.ColumnKey(), Op: herald.OpEq, Value: "madrid"}, {Field: "phone", Op: herald.OpNonEmpty}}}
	noErr(t, "CreateTarget", f.s.CreateTarget(f.ctx, tg))
	city.Name = "Town"
	noErr(t, "rename", f.s.UpdateAttribute(f.ctx, city))
	got, _ := f.s.Contact(f.ctx, f.account.ID, c.ID)
	equal(t, "values follow the rename", got.Attributes, map[string]string{"Town": "Madrid", "Name": "Ana"})
	city.Type = herald.AttrNumber
	wantViolation(t, "type change", f.s.UpdateAttribute(f.ctx, city), "type", herald.VPolicy)
	noErr(t, "DeleteAttribute", f.s.DeleteAttribute(f.ctx, f.account.ID, city.ID))
	got, _ = f.s.Contact(f.ctx, f.account.ID, c.ID)
	equal(t, "values after removal", got.Attributes, map[string]string{"Name": "Ana"})
	again := f.attribute(t, "Town", herald.AttrText) // takes the freed slot: no old values come back
	got, _ = f.s.Contact(f.ctx, f.account.ID, c.ID)
	equal(t, "a new attribute starts empty", got.Attributes, map[string]string{"Name": "Ana"})
	tgt, err := f.s.Target(f.ctx, f.account.ID, tg.ID)
	noErr(t, "Target", err)
	equal(t, "target filters without the removed attribute", tgt.Filters, []herald.Filter{{Field: "phone", Op: herald.OpNonEmpty}})
	_ = again
	for i := 0; i < 16; i++ {
		f.attribute(t, fmt.Sprintf("N%d", i), herald.AttrNumber)
	}
	wantViolation(t, "no free number slot", f.s.CreateAttribute(f.ctx, &herald.Attribute{AccountID: f.account.ID, Name: "One more", Type: herald.AttrBool}), "type", herald.VRange)
}

// testContactTargets builds contacts and checks filters, sorting,
// targets and their counts.
func testContactTargets(t *testing.T, f *fixture) {
	city := f.attribute(t, "City", herald.AttrText)
	gender := f.attribute(t, "Gender", herald.AttrList, "female", "male")
	age := f.attribute(t, "Age", herald.AttrNumber)
	born := f.attribute(t, "Birthday", herald.AttrDate)
	vip := f.attribute(t, "VIP", herald.AttrBool)
	people := []struct {
		phone, name, city, gender, age, born, vip string
		tags                                      []string
	}{
		{"+34600000001", "Luz", "Madrid", "female", "22", "2003-01-10", "yes", []string{"Women"}},
		{"+34600000002", "Carmen", "MADRID", "female", "31", "1994-07-01", "no", nil},
		{"+34600000003", "Javier", "Madrid", "male", "20", "2005-03-03", "", []string{"Women"}},
		{"+905321234567", "Rıza", "İstanbul", "male", "40", "1985-12-31", "", nil},
		{"+905321234568", "Şule", "Istanbul", "female", "18", "", "yes", []string{"vip"}},
		{"+34600000006", "Ana", "", "female", "25", "2000-02-29", "", nil},
	}
	byPhone := map[string]int64{}
	for _, p := range people {
		c := f.createContact(t, &herald.Contact{Phone: p.phone, Tags: p.tags, Attributes: map[string]string{
			"Name": p.name, "City": p.city, "Gender": p.gender, "Age": p.age, "Birthday": p.born, "VIP": p.vip}})
		byPhone[p.phone] = c.ID
	}
	noErr(t, "AddOptOut", f.s.AddOptOut(f.ctx, herald.OptOut{AccountID: f.account.ID, ContactID: byPhone["+34600000002"], Channel: herald.ChannelSMS}))
	cases := []struct {
		name    string
		filters []herald.Filter
		want    []string
	}{
		{"women 18-25 in Madrid", []herald.Filter{{Field: gender.ColumnKey(), Op: herald.OpEq, Value: "Female"},
			{Field: age.ColumnKey(), Op: herald.OpRange, Min: "18", Max: "25"}, {Field: city.ColumnKey(), Op: herald.OpEq, Value: "madrid"}},
			[]string{"+34600000001"}},
		{"Istanbul folds Turkish i", []herald.Filter{{Field: city.ColumnKey(), Op: herald.OpEq, Value: "istanbul"}}, []string{"+905321234567", "+905321234568"}},
		{"no city", []herald.Filter{{Field: city.ColumnKey(), Op: herald.OpEmpty}}, []string{"+34600000006"}},
		{"born in the 2000s", []herald.Filter{{Field: born.ColumnKey(), Op: herald.OpRange, Min: "2000-01-01", Max: "2005-03-03"}},
			[]string{"+34600000001", "+34600000003", "+34600000006"}},
		{"birthday on a day", []herald.Filter{{Field: born.ColumnKey(), Op: herald.OpEq, Value: "2000-02-29"}}, []string{"+34600000006"}},
		{"VIP", []herald.Filter{{Field: vip.ColumnKey(), Op: herald.OpEq, Value: "true"}}, []string{"+34600000001", "+905321234568"}},
		{"tag Women", []herald.Filter{{Field: "tags", Op: herald.OpEq, Value: "women"}}, []string{"+34600000001", "+34600000003"}},
		{"no tags", []herald.Filter{{Field: "tags", Op: herald.OpEmpty}}, []string{"+34600000002", "+905321234567", "+34600000006"}},
		{"opted out of SMS", []herald.Filter{{Field: "optOut", Op: herald.OpEq, Value: "sms"}}, []string{"+34600000002"}},
		{"name contains", []herald.Filter{{Field: "attr.1", Op: herald.OpContains, Value: "ARM"}}, nil}, // attr.1 may not be Name: checked below
		{"phone as typed", []herald.Filter{{Field: "phone", Op: herald.OpEq, Value: "0034 600 000 003"}}, []string{"+34600000003"}},
		{"Turkish numbers", []herald.Filter{{Field: "country", Op: herald.OpEq, Value: "tr"}}, []string{"+905321234567", "+905321234568"}},
		{"a tag nobody has", []herald.Filter{{Field: "tags", Op: herald.OpEq, Value: "nobody"}}, nil},
	}
	attrs, _ := f.s.Attributes(f.ctx, f.account.ID)
	for _, a := range attrs {
		if a.Name == "Name" {
			cases[9].filters[0].Field, cases[9].want = a.ColumnKey(), []string{"+34600000002"}
		}
	}
	for _, tc := range cases {
		page, err := f.s.ListContacts(f.ctx, f.account.ID, herald.ListQuery{Filters: tc.filters, Sort: "phone"})
		noErr(t, "ListContacts "+tc.name, err)
		var got []string
		for _, c := range page.Items {
			got = append(got, c.Phone)
		}
		want := sortedStrings(tc.want)
		equal(t, tc.name, got, want)
		n, err := f.s.CountContacts(f.ctx, f.account.ID, tc.filters)
		noErr(t, "CountContacts "+tc.name, err)
		equal(t, tc.name+" count", n, len(tc.want))
	}
	testTargetLifecycle(t, f, cases[0].filters)
	page, err := f.s.ListContacts(f.ctx, f.account.ID, herald.ListQuery{Sort: age.ColumnKey(), Desc: true, Limit: 2})
	noErr(t, "sorted by age", err)
	if len(page.Items) != 2 || page.Items[0].Attributes["Age"] != "40" || page.Next == "" {
		t.Fatalf("first page by age desc = %+v", page.Items)
	}
	next, err := f.s.ListContacts(f.ctx, f.account.ID, herald.ListQuery{Sort: age.ColumnKey(), Desc: true, Limit: 2, Cursor: page.Next})
	noErr(t, "second page by age", err)
	equal(t, "second page ages", []string{next.Items[0].Attributes["Age"], next.Items[1].Attributes["Age"]}, []string{"25", "22"})
	_, err = f.s.ListContacts(f.ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: age.ColumnKey(), Op: herald.OpEq, Value: "old"}}})
	wantCode(t, "bad number filter", err, herald.EINVALID)
}

// sortedStrings returns ss sorted, nil for none.
func sortedStrings(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := append([]string(nil), ss...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// testTargetLifecycle saves filters as a target, counts, duplicates,
// renames and deletes it.
func testTargetLifecycle(t *testing.T, f *fixture, filters []herald.Filter) {
	g := addFixture(t, f.s, "Other")
	tg := &herald.Target{AccountID: f.account.ID, Name: "Women 18-25 in Madrid", Filters: filters}
	noErr(t, "CreateTarget", f.s.CreateTarget(f.ctx, tg))
	n, err := f.s.CountTarget(f.ctx, f.account.ID, tg.ID)
	noErr(t, "CountTarget", err)
	equal(t, "target count", n, 1)
	_, err = g.s.CountTarget(g.ctx, g.account.ID, tg.ID)
	wantCode(t, "CountTarget of another account", err, herald.ENOTFOUND)
	dup, err := f.s.DuplicateTarget(f.ctx, f.account.ID, tg.ID)
	noErr(t, "DuplicateTarget", err)
	dup2, err := f.s.DuplicateTarget(f.ctx, f.account.ID, tg.ID)
	noErr(t, "DuplicateTarget again", err)
	equal(t, "copy names", []string{dup.Name, dup2.Name}, []string{tg.Name + " (copy)", tg.Name + " (copy 2)"})
	dup.Name = strings.ToUpper(tg.Name)
	wantViolation(t, "taken target name", f.s.UpdateTarget(f.ctx, dup), "name", herald.VTaken)
	bad := &herald.Target{AccountID: f.account.ID, Name: "Bad", Filters: []herald.Filter{{Field: "shoe", Op: herald.OpEq, Value: "1"}}}
	wantViolation(t, "unknown filter column", f.s.CreateTarget(f.ctx, bad), "filters.shoe", herald.VUnknown)
	noErr(t, "AddTargetLaunch", f.s.AddTargetLaunch(f.ctx, f.account.ID, tg.ID))
	page, err := f.s.ListTargets(f.ctx, f.account.ID, herald.ListQuery{Sort: "name"})
	noErr(t, "ListTargets", err)
	if len(page.Items) != 3 || page.Items[0].Launches != 1 {
		t.Fatalf("targets = %+v", page.Items)
	}
	noErr(t, "DeleteTarget", f.s.DeleteTarget(f.ctx, f.account.ID, dup2.ID))
	wantCode(t, "DeleteTarget again", f.s.DeleteTarget(f.ctx, f.account.ID, dup2.ID), herald.ENOTFOUND)
}

// testMassEdit checks editing and deleting selections.
func testMassEdit(t *testing.T, f *fixture) {
	city := f.attribute(t, "City", herald.AttrText)
	var all []int64
	for i, c := range []string{"Madrid", "Madrid", "Sevilla", ""} {
		all = append(all, f.createContact(t, &herald.Contact{Phone: fmt.Sprintf("+3460000000%d", i+1),
			Attributes: map[string]string{"City": c, "Name": "P"}}).ID)
	}
	madrid := herald.ContactSelection{All: true, Filters: []herald.Filter{{Field: city.ColumnKey(), Op: herald.OpEq, Value: "MADRID"}}}
	n, err := f.s.EditContacts(f.ctx, f.account.ID, madrid, herald.ContactEdit{AddTags: []string{"Madrileños"}, Set: map[string]string{"Name": "Vecino"}, Clear: []string{"Surname"}})
	noErr(t, "EditContacts", err)
	equal(t, "edited", n, 2)
	count := func(fs ...herald.Filter) int {
		n, err := f.s.CountContacts(f.ctx, f.account.ID, fs)
		noErr(t, "CountContacts", err)
		return n
	}
	equal(t, "tagged", count(herald.Filter{Field: "tags", Op: herald.OpEq, Value: "madrileños"}), 2)
	c, _ := f.s.Contact(f.ctx, f.account.ID, all[0])
	equal(t, "edited values", c.Attributes, map[string]string{"City": "Madrid", "Name": "Vecino"})
	_, err = f.s.EditContacts(f.ctx, f.account.ID, herald.ContactSelection{IDs: all[2:3]}, herald.ContactEdit{Clear: []string{"City"}, RemoveTags: []string{"nothing"}})
	noErr(t, "clear on a page selection", err)
	equal(t, "no city", count(herald.Filter{Field: city.ColumnKey(), Op: herald.OpEmpty}), 2)
	_, err = f.s.EditContacts(f.ctx, f.account.ID, madrid, herald.ContactEdit{RemoveTags: []string{"MADRILEÑOS"}})
	noErr(t, "remove tag", err)
	equal(t, "untagged (tags fold ASCII only)", count(herald.Filter{Field: "tags", Op: herald.OpNonEmpty}), 2)
	_, err = f.s.DeleteContacts(f.ctx, f.account.ID, herald.ContactSelection{All: true})
	wantCode(t, "delete everything", err, herald.EFORBIDDEN)
	_, err = f.s.DeleteContacts(f.ctx, f.account.ID, herald.ContactSelection{IDs: all})
	wantCode(t, "delete every contact by ID", err, herald.EFORBIDDEN)
	n, err = f.s.DeleteContacts(f.ctx, f.account.ID, madrid)
	noErr(t, "DeleteContacts", err)
	equal(t, "deleted", []int{n, count()}, []int{2, 2})
	g := addFixture(t, f.s, "Other")
	n, err = g.s.DeleteContacts(g.ctx, g.account.ID, herald.ContactSelection{IDs: all[2:3]})
	if err != nil || n != 0 {
		t.Fatalf("another account deleted %d (%v)", n, err)
	}
}

// testUpsert checks the duplicate policies of the bulk upsert.
func testUpsert(t *testing.T, f *fixture) {
	f.attribute(t, "City", herald.AttrText)
	f.createContact(t, &herald.Contact{Phone: "+34600000001", Attributes: map[string]string{"Name": "Ana", "City": "Madrid"}})
	batch := func() []herald.Contact {
		return []herald.Contact{
			{Phone: "34600000001", Attributes: map[string]string{"Name": "Anita", "Surname": "García", "City": ""}},
			{Phone: "+34600000002", Attributes: map[string]string{"Name": "Bea"}, Tags: []string{"new"}, Identities: map[string]string{"telegram": "b"}},
			{Phone: "bad"},
			{Phone: "+34600000003", Attributes: map[string]string{"Age": "3"}},
		}
	}
	res, err := f.s.UpsertContacts(f.ctx, f.account.ID, batch(), herald.DupEnrich)
	noErr(t, "UpsertContacts(enrich)", err)
	if res.Created != 1 || res.Updated != 1 || len(res.Errors) != 2 || res.Errors[0].Index != 2 || res.Errors[1].Index != 3 {
		t.Fatalf("enrich result = %+v", res)
	}
	c, _ := f.s.ContactByAddress(f.ctx, f.account.ID, herald.ChannelSMS, "+34600000001")
	equal(t, "enriched", c.Attributes, map[string]string{"Name": "Ana", "Surname": "García", "City": "Madrid"})
	b, _ := f.s.ContactByAddress(f.ctx, f.account.ID, herald.ChannelTelegram, "b")
	equal(t, "created with tags", []any{b.Phone, b.Tags}, []any{"+34600000002", []string{"new"}})
	res, err = f.s.UpsertContacts(f.ctx, f.account.ID, batch(), herald.DupOverride)
	noErr(t, "UpsertContacts(override)", err)
	equal(t, "override result", []int{res.Created, res.Updated}, []int{0, 2})
	c, _ = f.s.Contact(f.ctx, f.account.ID, c.ID)
	equal(t, "overridden", c.Attributes, map[string]string{"Name": "Anita", "Surname": "García"})
	res, err = f.s.UpsertContacts(f.ctx, f.account.ID, batch()[:2], herald.DupSkip)
	noErr(t, "UpsertContacts(skip)", err)
	equal(t, "skip result", []int{res.Created, res.Updated, res.Skipped}, []int{0, 0, 2})
	_, err = f.s.UpsertContacts(f.ctx, f.account.ID, nil, "merge")
	wantViolation(t, "bad policy", err, "policy", herald.VUnknown)
}
