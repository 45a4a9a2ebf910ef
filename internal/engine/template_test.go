package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/templates"
	"github.com/heraldhq/herald/internal/webhook"
)

// template saves a content template through the templates service.
func (h *harness) template(name string, ch herald.Channel, payload string) *herald.Template {
	h.t.Helper()
	tp := &herald.Template{AccountID: h.account.ID, Name: name, Channel: ch, Payload: json.RawMessage(payload)}
	must(h.t, templates.New(h.s, nil).CreateTemplate(context.Background(), tp))
	return tp
}

// byTemplate is an SMS request to phone that sends template id with params.
func (h *harness) byTemplate(phone string, id int64, params map[string]string) *herald.SendRequest {
	req := h.sms(phone, "")
	req.Steps[0].Payload, req.Steps[0].Template = nil, &herald.TemplateRef{ID: id, Params: params}
	return req
}

// testTemplates sends content templates by ID (reference 001 section
// 12.3.1): params fill variables and override attributes, and a missing
// value, a wrong channel or an unknown ID is a violation naming the field.
func (h *harness) testTemplates(t *testing.T) {
	h.contacts.add("+34677777777", map[string]string{"name": "Ana", "city": "Madrid"})
	tp := h.template("Greeting", herald.ChannelSMS, `{"text": "Hi {{attribute.name}} from {{attribute.city}}, code {{code}}"}`)
	m := h.send(h.byTemplate("+34677777777", tp.ID, map[string]string{"code": "42", "attribute.city": "Lima"}))
	if got := webhook.Text(m.Payload); got != "Hi Ana from Lima, code 42" {
		t.Errorf("personalised = %q, want the contact's name, the city from params and the code", got)
	}
	if m.Template == nil || m.Template.ID != tp.ID || m.Template.Params["code"] != "42" {
		t.Errorf("message template = %+v, want the reference with its params", m.Template)
	}
	stored, err := h.s.Message(context.Background(), h.account.ID, m.ID)
	must(t, err)
	if stored.Template == nil || stored.Template.ID != tp.ID || webhook.Text(stored.Payload) != "Hi Ana from Lima, code 42" {
		t.Errorf("stored message = template %+v, payload %s", stored.Template, stored.Payload)
	}
	static := h.template("Static", herald.ChannelSMS, `{"text": "No variables"}`)
	if got := webhook.Text(h.send(h.byTemplate("+34600123456", static.ID, map[string]string{})).Payload); got != "No variables" {
		t.Errorf("static template = %q", got)
	}
	long := h.template("Long", herald.ChannelSMS, `{"text": "{{filler}}"}`)
	rcs := h.template("Rich", herald.ChannelRCS, `{"text": "Hi"}`)
	big := make([]byte, 1600)
	for i := range big {
		big[i] = 'x'
	}
	cases := []struct {
		name  string
		req   *herald.SendRequest
		field string
	}{
		{"missing variable", h.byTemplate("+34677777777", tp.ID, map[string]string{}), "template.params.code"},
		{"attribute of no contact", h.byTemplate("+34600123457", tp.ID, map[string]string{"code": "1"}), "template.params.attribute.name"},
		{"unknown template", h.byTemplate("+34677777777", 999999, nil), "template.id"},
		{"other channel", h.byTemplate("+34677777777", rcs.ID, nil), "template.id"},
		{"too long once personalised", h.byTemplate("+34677777777", long.ID, map[string]string{"filler": string(big)}), "template.payload.text"},
	}
	for _, c := range cases {
		_, err := h.e.Send(context.Background(), c.req)
		found := false
		for _, v := range herald.ErrorViolations(err) {
			found = found || v.Field == c.field
		}
		if !found {
			t.Errorf("%s: Send = %v, want a violation of %q", c.name, err, c.field)
		}
	}
}
