package engine

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// TestRowCacheKeepsNoBodies holds a sent e-mail's row without its body (it
// waits for opens and bounces, and a campaign has many) and a row whose
// webhook events carry the body with it; the rows handed in are not
// changed, and final rows are forgotten.
func TestRowCacheKeepsNoBodies(t *testing.T) {
	body := json.RawMessage(`{"subject":"Autumn sale","html":"<p>Hello</p>"}`)
	mail := &herald.Message{ID: "a", Status: herald.StatusSent, Payload: body}
	hooked := &herald.Message{ID: "b", Status: herald.StatusSent, Payload: body, WebhookURL: "https://hooks.example.com/h"}
	done := &herald.Message{ID: "c", Status: herald.StatusDelivered, Payload: body}
	c := newRowCache()
	c.put(map[string]store.MessageRow{"a": {Message: mail}, "b": {Message: hooked}, "c": {Message: done}})
	if r, ok := c.get("a"); !ok || r.Payload != nil || r.Status != herald.StatusSent {
		t.Errorf("held e-mail = %+v, %v; want it without its body", r.Message, ok)
	}
	if r, ok := c.get("b"); !ok || string(r.Payload) != string(body) {
		t.Errorf("held row with a webhook = %+v, %v; want its body", r.Message, ok)
	}
	if _, ok := c.get("c"); ok {
		t.Error("a final row is held")
	}
	if string(mail.Payload) != string(body) {
		t.Error("the row handed in lost its body")
	}
}
