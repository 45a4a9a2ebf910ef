package storetest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testTemplates checks the content templates of TemplateStore.
func testTemplates(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "templates")
	other := addFixture(t, f.s, "templates-other")

	sms := &herald.Template{AccountID: f.account.ID, Name: " Cakes free ", Channel: herald.ChannelSMS,
		Payload: json.RawMessage(`{"text":"Hi {{attribute.name}}, code {{code}}"}`), Variables: []string{"attribute.name", "code"}}
	noErr(t, "CreateTemplate", f.s.CreateTemplate(f.ctx, sms))
	recent(t, "CreatedAt", sms.CreatedAt)
	if sms.ID == 0 || sms.Name != "Cakes free" || sms.UpdatedAt != sms.CreatedAt || sms.CreatedBy != 9001 {
		t.Fatalf("CreateTemplate set %+v; want an ID, the trimmed name, equal times and the actor as creator", sms)
	}
	rcs := &herald.Template{AccountID: f.account.ID, Name: "Autumn", Channel: herald.ChannelRCS, Payload: json.RawMessage(`{"text":"Sale"}`)}
	noErr(t, "CreateTemplate(no variables)", f.s.CreateTemplate(f.ctx, rcs))
	equal(t, "Variables of a template without placeholders", rcs.Variables, []string{})
	wantViolation(t, "CreateTemplate with a taken name", f.s.CreateTemplate(f.ctx,
		&herald.Template{AccountID: f.account.ID, Name: "CAKES FREE", Channel: herald.ChannelRCS, Payload: rcs.Payload}), "name", herald.VTaken)
	wantViolation(t, "CreateTemplate without a name", f.s.CreateTemplate(f.ctx,
		&herald.Template{AccountID: f.account.ID, Channel: herald.ChannelRCS, Payload: rcs.Payload}), "name", herald.VRequired)
	wantViolation(t, "CreateTemplate on Telegram", f.s.CreateTemplate(f.ctx,
		&herald.Template{AccountID: f.account.ID, Name: "tg", Channel: herald.ChannelTelegram, Payload: rcs.Payload}), "channel", herald.VUnknown)
	theirs := &herald.Template{AccountID: other.account.ID, Name: "Cakes free", Channel: herald.ChannelSMS, Payload: rcs.Payload}
	noErr(t, "CreateTemplate of the same name in another account", f.s.CreateTemplate(other.ctx, theirs))

	got, err := f.s.Template(f.ctx, f.account.ID, sms.ID)
	noErr(t, "Template", err)
	equal(t, "Template", *got, *sms)
	_, err = f.s.Template(f.ctx, other.account.ID, sms.ID)
	wantCode(t, "Template of another account", err, herald.ENOTFOUND)

	testTemplateEdits(t, f, other, sms, rcs)
}

// testTemplateEdits checks UpdateTemplate, ListTemplates and
// DeleteTemplate on the templates testTemplates made.
func testTemplateEdits(t *testing.T, f, other *fixture, sms, rcs *herald.Template) {
	t.Helper()
	created := sms.CreatedAt
	sms.Name, sms.Channel, sms.Payload, sms.Variables = "Cakes", herald.ChannelViber, json.RawMessage(`{"text":"{{x}}"}`), []string{"x"}
	noErr(t, "UpdateTemplate", f.s.UpdateTemplate(f.ctx, sms))
	got, err := f.s.Template(f.ctx, f.account.ID, sms.ID)
	noErr(t, "Template after update", err)
	equal(t, "Template after update", *got, *sms)
	if !got.CreatedAt.Equal(created) || got.UpdatedAt.Before(created) {
		t.Errorf("UpdateTemplate times: created %v updated %v; want created kept at %v", got.CreatedAt, got.UpdatedAt, created)
	}
	clash := *rcs
	clash.Name = "cakes"
	wantViolation(t, "UpdateTemplate to a taken name", f.s.UpdateTemplate(f.ctx, &clash), "name", herald.VTaken)
	foreign := *sms
	foreign.AccountID = other.account.ID
	wantCode(t, "UpdateTemplate in another account", f.s.UpdateTemplate(other.ctx, &foreign), herald.ENOTFOUND)

	page, err := f.s.ListTemplates(f.ctx, f.account.ID, herald.ListQuery{})
	noErr(t, "ListTemplates", err)
	equal(t, "ListTemplates (newest first)", ids(page.Items, func(t herald.Template) int64 { return t.ID }), []int64{rcs.ID, sms.ID})
	page, err = f.s.ListTemplates(f.ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "channel", Op: herald.OpEq, Value: "rcs"}}})
	noErr(t, "ListTemplates(channel=rcs)", err)
	equal(t, "ListTemplates(channel=rcs)", ids(page.Items, func(t herald.Template) int64 { return t.ID }), []int64{rcs.ID})
	page, err = f.s.ListTemplates(f.ctx, f.account.ID, herald.ListQuery{Sort: "name", Limit: 1})
	noErr(t, "ListTemplates by name", err)
	if len(page.Items) != 1 || page.Items[0].ID != rcs.ID || page.Next == "" {
		t.Fatalf("ListTemplates(sort=name, limit=1) = %+v, want Autumn and a next page", page)
	}
	page, err = f.s.ListTemplates(f.ctx, f.account.ID, herald.ListQuery{Sort: "name", Limit: 1, Cursor: page.Next})
	noErr(t, "ListTemplates next page", err)
	equal(t, "ListTemplates next page", ids(page.Items, func(t herald.Template) int64 { return t.ID }), []int64{sms.ID})
	_, err = f.s.ListTemplates(f.ctx, f.account.ID, herald.ListQuery{Sort: "payload"})
	wantViolation(t, "ListTemplates by an unsortable column", err, "sort", herald.VUnknown)

	noErr(t, "DeleteTemplate", f.s.DeleteTemplate(f.ctx, f.account.ID, sms.ID))
	_, err = f.s.Template(f.ctx, f.account.ID, sms.ID)
	wantCode(t, "Template after delete", err, herald.ENOTFOUND)
	wantCode(t, "DeleteTemplate again", f.s.DeleteTemplate(f.ctx, f.account.ID, sms.ID), herald.ENOTFOUND)
	wantCode(t, "DeleteTemplate of another account", f.s.DeleteTemplate(other.ctx, other.account.ID, rcs.ID), herald.ENOTFOUND)

	actions := auditActions(t, f)
	for _, a := range []string{"Added new template", "Changed template", "Deleted template"} {
		if !slices.Contains(actions, a) {
			t.Errorf("audit log %q lacks %q", actions, a)
		}
	}
}

// testConversationTemplates checks ConversationTemplateStore.
func testConversationTemplates(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "conversation templates")
	other := addFixture(t, f.s, "conversation templates-other")

	hi := &herald.ConversationTemplate{AccountID: f.account.ID, Name: "Welcome", Channel: herald.ChannelRCS,
		Text: "Hi {{attribute.name}}, welcome!", MediaIDs: []int64{7, 3}}
	noErr(t, "CreateConversationTemplate", f.s.CreateConversationTemplate(f.ctx, hi))
	recent(t, "CreatedAt", hi.CreatedAt)
	plain := &herald.ConversationTemplate{AccountID: f.account.ID, Name: "Problem?", Channel: herald.ChannelSMS, Text: "Can I help you?"}
	noErr(t, "CreateConversationTemplate without files", f.s.CreateConversationTemplate(f.ctx, plain))
	wantViolation(t, "CreateConversationTemplate with a taken name", f.s.CreateConversationTemplate(f.ctx,
		&herald.ConversationTemplate{AccountID: f.account.ID, Name: "WELCOME", Channel: herald.ChannelSMS, Text: "x"}), "name", herald.VTaken)
	wantViolation(t, "CreateConversationTemplate without text or files", f.s.CreateConversationTemplate(f.ctx,
		&herald.ConversationTemplate{AccountID: f.account.ID, Name: "empty", Channel: herald.ChannelSMS}), "text", herald.VRequired)
	noErr(t, "CreateConversationTemplate in another account", f.s.CreateConversationTemplate(other.ctx,
		&herald.ConversationTemplate{AccountID: other.account.ID, Name: "Welcome", Channel: herald.ChannelSMS, Text: "x"}))

	got, err := f.s.ConversationTemplate(f.ctx, f.account.ID, hi.ID)
	noErr(t, "ConversationTemplate", err)
	equal(t, "ConversationTemplate", *got, *hi)
	got, err = f.s.ConversationTemplate(f.ctx, f.account.ID, plain.ID)
	noErr(t, "ConversationTemplate without files", err)
	equal(t, "files of a template without files", got.MediaIDs, []int64{})
	_, err = f.s.ConversationTemplate(other.ctx, other.account.ID, hi.ID)
	wantCode(t, "ConversationTemplate of another account", err, herald.ENOTFOUND)

	hi.Text, hi.MediaIDs = "Hello", []int64{3}
	noErr(t, "UpdateConversationTemplate", f.s.UpdateConversationTemplate(f.ctx, hi))
	got, err = f.s.ConversationTemplate(f.ctx, f.account.ID, hi.ID)
	noErr(t, "ConversationTemplate after update", err)
	equal(t, "ConversationTemplate after update", *got, *hi)
	clash := *plain
	clash.Name = "welcome"
	wantViolation(t, "UpdateConversationTemplate to a taken name", f.s.UpdateConversationTemplate(f.ctx, &clash), "name", herald.VTaken)
	foreign := *hi
	foreign.AccountID = other.account.ID
	wantCode(t, "UpdateConversationTemplate in another account", f.s.UpdateConversationTemplate(other.ctx, &foreign), herald.ENOTFOUND)

	list := func(q herald.ListQuery) []int64 {
		t.Helper()
		page, err := f.s.ListConversationTemplates(f.ctx, f.account.ID, q)
		noErr(t, "ListConversationTemplates "+label(q), err)
		return ids(page.Items, func(t herald.ConversationTemplate) int64 { return t.ID })
	}
	equal(t, "newest first", list(herald.ListQuery{}), []int64{plain.ID, hi.ID})
	equal(t, "with files", list(herald.ListQuery{Filters: []herald.Filter{{Field: "files", Op: herald.OpRange, Min: "1"}}}), []int64{hi.ID})
	equal(t, "text contains", list(herald.ListQuery{Filters: []herald.Filter{{Field: "text", Op: herald.OpContains, Value: "HELP"}}}), []int64{plain.ID})
	equal(t, "on SMS", list(herald.ListQuery{Filters: []herald.Filter{{Field: "channel", Op: herald.OpEq, Value: "sms"}}}), []int64{plain.ID})
	equal(t, "by name", list(herald.ListQuery{Sort: "name"}), []int64{plain.ID, hi.ID})

	noErr(t, "DeleteConversationTemplate", f.s.DeleteConversationTemplate(f.ctx, f.account.ID, hi.ID))
	wantCode(t, "DeleteConversationTemplate again", f.s.DeleteConversationTemplate(f.ctx, f.account.ID, hi.ID), herald.ENOTFOUND)
	actions := auditActions(t, f)
	for _, a := range []string{"Added new conversation template", "Changed conversation template", "Deleted conversation template"} {
		if !slices.Contains(actions, a) {
			t.Errorf("audit log %q lacks %q", actions, a)
		}
	}
}
