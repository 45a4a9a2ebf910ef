package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// TestMessageJSONMatchesMarshal checks appendMessage against
// encoding/json byte for byte.
func TestMessageJSONMatchesMarshal(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 30, 0, 123456000, time.UTC)
	later := at.Add(time.Minute)
	plain := &herald.Message{ID: "0192a4c6-5b1e-7f00-8000-000000000001", AccountID: 7, Direction: herald.MT,
		Channel: herald.ChannelSMS, SenderID: "Herald", ConnectionID: 3, Destination: "+34600111222",
		Payload: json.RawMessage(`{"text":"hi"}`), Status: herald.StatusQueued, Detail: herald.DetailQueued,
		Origin: herald.OriginAPI, Traffic: herald.TrafficAPI, AcceptedAt: at, UpdatedAt: at}
	full := *plain
	full.ContactID, full.Template = 42, &herald.TemplateRef{ID: 9, Params: map[string]string{"b": "2", "a": "<1>"}}
	full.ProviderCode, full.ProviderID, full.Error, full.Encoding, full.Segments = "0", "p-1", "bad & \"worse\"", "UCS-2", 2
	full.CorrelationID, full.CallbackData, full.WebhookURL, full.ChainID, full.Step = "c\u2028", "é", "https://x.example/h?a=1&b=2", "chain", 1
	full.Attempts, full.SendAt, full.ValidUntil, full.SentAt, full.DeliveredAt, full.SeenAt = 2, &later, &later, &later, &later, &later
	full.Payload = json.RawMessage("{\"text\": \"héllo <b>€</b>\",\n \"x\": [1, 2]}")
	empty := *plain
	empty.Payload = nil
	zoned := *plain
	zoned.AcceptedAt = at.In(time.FixedZone("x", 2*3600))
	for i, m := range []*herald.Message{plain, &full, &empty, &zoned} {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendMessage(nil, m); string(got) != string(want) {
			t.Errorf("message %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
