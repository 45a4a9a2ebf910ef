package api_test

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/api"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
	"github.com/heraldhq/herald/internal/templates"
)

// TestTemplatesAPI runs the content and conversation template scenarios
// on both engines.
func TestTemplatesAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		svc := templates.New(s, nil)
		f.srv = httptest.NewServer(api.New(api.Deps{Store: s, Auth: f.auth, Clock: herald.SystemClock{},
			Log: slog.New(slog.DiscardHandler), Templates: svc, ConversationTemplates: svc}))
		t.Cleanup(f.srv.Close)
		t.Run("content templates", f.testContentTemplates)
		t.Run("conversation templates", f.testConversationTemplates)
	})
}

// wantViolations fails unless r is a 422 naming each field with its code.
func (f *fixture) wantViolations(r response, fieldCodes ...string) {
	f.t.Helper()
	p := f.want(r, 422).problem(f.t)
	for i := 0; i+1 < len(fieldCodes); i += 2 {
		if v, ok := p.violation(fieldCodes[i]); !ok || v.Code != fieldCodes[i+1] {
			f.t.Errorf("violations %+v; want %s %s", p.Violations, fieldCodes[i], fieldCodes[i+1])
		}
	}
}

func (f *fixture) testContentTemplates(t *testing.T) {
	f.t = t
	card := map[string]any{"card": map[string]any{"title": "Hi {{attribute.name}}", "text": "Your code: {{code}}",
		"suggestions": []map[string]any{{"type": "url", "text": "Shop", "url": "https://shop.example.com"}}}}
	in := map[string]any{"name": "Autumn", "channel": 2, "payload": card}
	var tp herald.Template
	r := f.want(f.do("POST", "/api/v1/templates", f.keyA, in, "Idempotency-Key", "tpl-1"), 201)
	r.json(t, &tp)
	if tp.ID == 0 || tp.Channel != herald.ChannelRCS || strings.Join(tp.Variables, ",") != "attribute.name,code" {
		t.Fatalf("created %+v; want an RCS template with variables attribute.name and code", tp)
	}
	if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/templates/%d", tp.ID) {
		t.Errorf("Location = %q", loc)
	}
	var again herald.Template
	f.want(f.do("POST", "/api/v1/templates", f.keyA, in, "Idempotency-Key", "tpl-1"), 201).json(t, &again)
	if again.ID != tp.ID {
		t.Errorf("a repeated Idempotency-Key created template %d, want %d again", again.ID, tp.ID)
	}
	f.wantViolations(f.do("POST", "/api/v1/templates", f.keyA, in), "name", herald.VTaken)
	f.wantViolations(f.do("POST", "/api/v1/templates", f.keyA, map[string]any{"name": "Long", "channel": "rcs",
		"payload": map[string]any{"card": map[string]any{"title": strings.Repeat("t", 201)}}}), "payload.card.title", herald.VTooLong)
	f.wantViolations(f.do("POST", "/api/v1/templates", f.keyA, map[string]any{"channel": "telegram", "payload": card}),
		"name", herald.VRequired, "channel", herald.VUnknown)
	f.wantViolations(f.do("POST", "/api/v1/templates", f.keyA, map[string]any{"name": "x", "channel": 1}), "payload", herald.VRequired)
	var sms herald.Template
	f.want(f.do("POST", "/api/v1/templates", f.keyA, map[string]any{"name": "Plain", "channel": "sms",
		"payload": map[string]any{"text": "Hello"}}), 201).json(t, &sms)

	var page struct {
		Items []herald.Template `json:"items"`
		Next  string            `json:"next"`
	}
	f.want(f.do("GET", "/api/v1/templates?f.channel=eq:rcs", f.keyA, nil), 200).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != tp.ID {
		t.Errorf("list of RCS templates = %+v", page.Items)
	}
	f.want(f.do("GET", "/api/v1/templates?sort=name&desc=1&limit=1", f.keyA, nil), 200).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != sms.ID || page.Next == "" {
		t.Errorf("first page by name descending = %+v, next %q", page.Items, page.Next)
	}
	f.want(f.do("GET", "/api/v1/templates", f.keyB, nil), 200).json(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("account B sees %+v", page.Items)
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/templates/%d", tp.ID), f.keyB, nil), 404)

	path := fmt.Sprintf("/api/v1/templates/%d", sms.ID)
	f.wantViolations(f.do("PUT", path, f.keyA, map[string]any{"name": "Plain"}), "channel", herald.VRequired)
	var got herald.Template
	f.want(f.do("PATCH", path, f.keyA, map[string]any{"name": "Plain text"}), 200).json(t, &got)
	if got.Name != "Plain text" || string(got.Payload) != `{"text":"Hello"}` {
		t.Errorf("PATCH name = %+v; want the payload kept", got)
	}
	f.want(f.do("PUT", path, f.keyA, map[string]any{"name": "Viber", "channel": 3, "payload": map[string]any{"text": "Hi {{name}}"}}), 200).json(t, &got)
	if got.Channel != herald.ChannelViber || strings.Join(got.Variables, ",") != "name" {
		t.Errorf("PUT = %+v; want a Viber template with the variable name", got)
	}
	f.wantViolations(f.do("PATCH", path, f.keyA, map[string]any{"payload": map[string]any{"text": strings.Repeat("v", 1001)}}),
		"payload.text", herald.VTooLong)
	f.want(f.do("DELETE", path, f.keyB, nil), 404)
	f.want(f.do("DELETE", path, f.keyA, nil), 204)
	f.want(f.do("GET", path, f.keyA, nil), 404)
}

func (f *fixture) testConversationTemplates(t *testing.T) {
	f.t = t
	in := map[string]any{"name": "Welcome", "channel": "sms", "text": "Hi {{attribute.name}}, welcome!"}
	var ct herald.ConversationTemplate
	f.want(f.do("POST", "/api/v1/conversation-templates", f.keyA, in, "Idempotency-Key", "ct-1"), 201).json(t, &ct)
	if ct.ID == 0 || ct.Channel != herald.ChannelSMS || ct.MediaIDs == nil {
		t.Fatalf("created %+v", ct)
	}
	f.wantViolations(f.do("POST", "/api/v1/conversation-templates", f.keyA, in), "name", herald.VTaken)
	f.wantViolations(f.do("POST", "/api/v1/conversation-templates", f.keyA, map[string]any{"name": "Long", "channel": 3,
		"text": strings.Repeat("x", 1001)}), "text", herald.VTooLong)
	f.wantViolations(f.do("POST", "/api/v1/conversation-templates", f.keyA, map[string]any{"name": "File", "channel": 2,
		"mediaIds": []int64{42}}), "mediaIds[0]", herald.VUnknown)
	f.wantViolations(f.do("POST", "/api/v1/conversation-templates", f.keyA, map[string]any{"name": "Empty", "channel": 2}),
		"text", herald.VRequired)

	path := fmt.Sprintf("/api/v1/conversation-templates/%d", ct.ID)
	var got herald.ConversationTemplate
	f.want(f.do("PATCH", path, f.keyA, map[string]any{"channel": "rcs"}), 200).json(t, &got)
	if got.Channel != herald.ChannelRCS || got.Text != ct.Text {
		t.Errorf("PATCH channel = %+v", got)
	}
	f.wantViolations(f.do("PUT", path, f.keyA, map[string]any{"name": "Welcome", "channel": 2}), "text", herald.VRequired)
	f.want(f.do("GET", path, f.keyB, nil), 404)
	var page struct {
		Items []herald.ConversationTemplate `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/conversation-templates?f.text=contains:WELCOME", f.keyA, nil), 200).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != ct.ID {
		t.Errorf("search by text = %+v", page.Items)
	}
	f.want(f.do("DELETE", path, f.keyA, nil), 204)
	f.want(f.do("GET", path, f.keyA, nil), 404)
}
