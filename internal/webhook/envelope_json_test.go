package webhook_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/webhook"
)

// TestEnvelopeJSONMatchesMarshal checks AppendJSON against encoding/json,
// byte for byte, for a plain status event, one with every optional field
// and characters that need escaping, an inbound one and a chain switch.
func TestEnvelopeJSONMatchesMarshal(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 30, 0, 123456000, time.UTC)
	plain := &herald.Message{ID: "0192a4c6-5b1e-7f00-8000-000000000001", AccountID: 7, Direction: herald.MT,
		Channel: herald.ChannelSMS, SenderID: "Herald", Destination: "+34600111222", Payload: json.RawMessage(`{"text":"hi"}`),
		Origin: herald.OriginAPI, AcceptedAt: at}
	full := *plain
	full.ContactID, full.CorrelationID, full.CallbackData, full.ChainID = 42, "corr <1> & \"2\"", "cb\u2028\n", "chain-1"
	full.Step, full.Error, full.Encoding, full.Segments = 1, "bad\tthing é", "UCS-2", 3
	full.Payload = json.RawMessage(`{"text":"héllo <b>€</b>"}`)
	inbound := *plain
	inbound.Direction = herald.MO
	ev := &herald.MessageEvent{Status: herald.StatusDelivered, Detail: herald.DetailDelivered, ProviderCode: "DELIVRD", At: at}
	sw := &herald.MessageEvent{Status: herald.StatusFailed, Detail: herald.DetailSwitched, At: at.Add(time.Second),
		Switch: &herald.SwitchInfo{FromStep: 0, ToStep: 1, FromChannel: herald.ChannelRCS, ToChannel: herald.ChannelSMS, NextMessageID: "n", Reason: "timeout"}}
	envs := []webhook.Envelope{
		webhook.StatusEnvelope(plain, ev),
		webhook.StatusEnvelope(&full, ev),
		webhook.StatusEnvelope(&full, sw),
		webhook.InboundEnvelope(&inbound, 9),
	}
	nilAttachments := webhook.StatusEnvelope(plain, ev)
	nilAttachments.Data.Attachments = nil
	envs = append(envs, nilAttachments)
	for i, env := range envs {
		want, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		if got := env.AppendJSON(nil); string(got) != string(want) {
			t.Errorf("envelope %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
