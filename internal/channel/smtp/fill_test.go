package smtp

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/render"
)

// fillMessage renders tmpl for attrs as a broadcast does and returns its
// message, with the e-mail handed over as a content.EmailFill of names'
// values.
func fillMessage(t testing.TB, tmpl string, names []string, attrs map[string]string) *herald.Message {
	t.Helper()
	c, err := content.Decode(herald.ChannelEmail, json.RawMessage(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	personalize := func(attrs map[string]string) *content.Email {
		r := &render.Renderer{Options: render.Options{EmptyMissingAttributes: true}, Attrs: attrs}
		out, err := content.Personalize(c, r.Text, r.HTML)
		if err != nil {
			t.Fatal(err)
		}
		return out.(*content.Email)
	}
	slots := map[string]string{}
	vals := make([]string, len(names))
	for i, n := range names {
		slots[n], vals[i] = content.Slot(i), attrs[n]
	}
	e := personalize(attrs)
	payload, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	m := email("ana@example.com", string(payload))
	m.Content = &content.EmailFill{Slots: personalize(slots), Values: vals}
	return m
}

// TestFilledSlotsSameBytes checks that an e-mail composed by filling its
// values into its step's prepared e-mail has the bytes of one composed
// from its payload, and that values or slots that filling cannot carry
// are composed from the rendered e-mail instead.
func TestFilledSlotsSameBytes(t *testing.T) {
	templates := []struct {
		json     string
		fillable bool
	}{
		{`{"subject": "Hola {{attribute.name}}", "subtitle": "Para {{attribute.name}} & co", "html": "<html><head><title>Hi {{attribute.name}}</title></head><body class=\"x\"><p>Hola {{attribute.name}}, de {{attribute.City}}</p><a href=\"https://shop.test/a?b=1&amp;c=2\">Ver {{attribute.name}}</a>\n<p>{{attribute.name}}</p></BODY></html>"}`, true},
		{`{"subject": "T", "text": "Hola {{attribute.name}}\nleave: *|UNSUB|*", "html": "<body><p>{{attribute.City}}</p></body>"}`, true},
		{`{"subject": "T", "text": "Hi {{attribute.name}} </BODY> x {{attribute.City}}"}`, true},
		{`{"subject": "T", "html": "{{attribute.name}} <a href=\"https://x.test\">y</a> {{attribute.City}}"}`, true},
		{`{"subject": "T", "html": "<body><a href=\"*|UNSUB|*\">Leave</a> {{attribute.name}}</body>"}`, true},
		{`{"subject": "T", "text": "Leave: *|UN{{attribute.name}}|* or </bo{{attribute.City}}> x", "html": "<body><p>{{attribute.City}}</p></body>"}`, true},
		{`{"subject": "T", "text": "Hi </bo{{attribute.City}}> x {{attribute.name}}"}`, true},
		{`{"subject": "T", "text": "Hi {{attribute.name}} | x", "html": "<body><p>a | b {{attribute.name}}</p></body>"}`, true},
		{`{"subject": "T", "html": "<body><a href=\"https://shop.test/{{attribute.name}}\">x</a></body>"}`, false},
		{`{"subject": "T", "html": "<body><p>Leave: *|UN{{attribute.name}}|* {{attribute.City}}</p></body>"}`, false},
		{`{"subject": "T", "html": "<body><p>&{{attribute.name}}; &not{{attribute.City}};</p></body>"}`, false},
		{`{"subject": "T", "html": "<body><!-- {{attribute.name}} --><p>x</p></body>"}`, false},
	}
	values := []map[string]string{
		{"name": "Ana María", "City": "Sevilla"},
		{"name": "User 1", "City": "A.B-C_d@e+f"},
		{"name": "  Bo  ", "City": "x"},
		{"name": "<b>&amp;</b>", "City": "x\"y'z"},
		{"name": "", "City": "x"},
		{"name": "a  b", "City": "in"},
		{"name": "x;y", "City": "a\nb"},
		{"name": "amp"},
		{"name": "SUB", "City": "dy"},
	}
	settings := []string{`{"host": "h", "bounceAddress": "bounces@mail.shop.test", "fromName": "Shop"}`,
		`{"host": "h", "trackClicks": false, "trackOpens": false, "unsubscribe": false}`}
	names := []string{"name", "City"}
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
	for si, set := range settings {
		for ti, tmpl := range templates {
			c, err := h.Open(&herald.Connection{ID: 1, Name: "f", Type: Type, Settings: json.RawMessage(set)})
			if err != nil {
				t.Fatal(err)
			}
			var step *content.Email
			for vi, attrs := range values {
				m := fillMessage(t, tmpl.json, names, attrs)
				f := m.Content.(*content.EmailFill)
				if step == nil {
					step = f.Slots
				}
				f.Slots = step // one step: prepared once
				scratch, err := h.Open(&herald.Connection{ID: 2, Name: "s", Type: Type, Settings: json.RawMessage(set)})
				if err != nil {
					t.Fatal(err)
				}
				plain := *m
				plain.Content = nil
				if got, want := composeRaw(t, c, m), composeRaw(t, scratch, &plain); got != want {
					t.Errorf("settings %d, template %d, values %d:\nfilled  %q\npayload %q", si, ti, vi, got, want)
				}
			}
			if p, ok := c.prep.slots[step]; !ok || (p != nil) != tmpl.fillable {
				t.Errorf("settings %d, template %d: prepared %v (%v); want fillable %v", si, ti, p != nil, ok, tmpl.fillable)
			}
		}
	}
}

// TestPlainValue lists values that can and cannot be filled in.
func TestPlainValue(t *testing.T) {
	for v, want := range map[string]bool{"Ana": true, "Ana María": true, "User 1": true, "a.b-c_d@e+f,g": true, "日本": true,
		"": false, " a": false, "a ": false, "a  b": false, "a\tb": false, "a&b": false, "a<b": false, "a;b": false,
		"a'b": false, "a\u00a0b": false, "a\ue000": false, "\xff": false, "*|UNSUB|*": false} {
		if got := plainValue(v); got != want {
			t.Errorf("plainValue(%q) = %v, want %v", v, got, want)
		}
	}
}
