package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/jsonw"
)

// writeMessage answers with m as writeJSON would, without reflection: the
// answer to every accepted message.
func writeMessage(w http.ResponseWriter, status int, m *herald.Message) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	b := appendMessage(make([]byte, 0, 1024), m)
	_, err := w.Write(append(b, '\n'))
	return err
}

// appendMessage appends m as json.Marshal writes it, byte for byte (a
// test checks it).
func appendMessage(b []byte, m *herald.Message) []byte {
	str := func(b []byte, key, v string) []byte {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		return jsonw.String(b, v)
	}
	num := func(b []byte, key string, n int64) []byte {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		return jsonw.Int(b, n)
	}
	tm := func(b []byte, key string, t *time.Time) []byte {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		if t == nil {
			return append(b, "null"...)
		}
		return jsonw.Time(b, *t)
	}
	b = append(b, `{"id":`...)
	b = jsonw.String(b, m.ID)
	b = str(b, "direction", string(m.Direction))
	b = num(b, "channel", int64(m.Channel))
	b = str(b, "senderId", m.SenderID)
	b = num(b, "connectionId", m.ConnectionID)
	b = num(b, "contactId", m.ContactID)
	b = str(b, "destination", m.Destination)
	b = append(b, `,"payload":`...)
	b = appendRaw(b, m.Payload)
	if m.Template != nil {
		t, _ := json.Marshal(m.Template) // an ID and a string map always encode
		b = append(b, `,"template":`...)
		b = append(b, t...)
	}
	b = str(b, "status", string(m.Status))
	b = append(b, `,"detail":{"code":`...)
	b = jsonw.Int(b, int64(m.Detail.Code))
	b = str(b, "name", m.Detail.Name)
	b = str(b, "description", m.Detail.Description)
	b = append(b, `,"permanent":`...)
	b = jsonw.Bool(b, m.Detail.Permanent)
	b = append(b, '}')
	b = str(b, "providerCode", m.ProviderCode)
	b = str(b, "providerId", m.ProviderID)
	b = str(b, "error", m.Error)
	if m.Encoding != "" {
		b = str(b, "encoding", m.Encoding)
	}
	if m.Segments != 0 {
		b = num(b, "segments", int64(m.Segments))
	}
	b = str(b, "origin", string(m.Origin))
	b = str(b, "trafficType", string(m.Traffic))
	b = str(b, "correlationId", m.CorrelationID)
	b = str(b, "callbackData", m.CallbackData)
	b = str(b, "webhook", m.WebhookURL)
	if m.ChainID != "" {
		b = str(b, "chainId", m.ChainID)
	}
	b = num(b, "step", int64(m.Step))
	b = num(b, "attempts", int64(m.Attempts))
	b = tm(b, "sendAt", m.SendAt)
	b = tm(b, "validUntil", m.ValidUntil)
	b = tm(b, "acceptedAt", &m.AcceptedAt)
	b = tm(b, "sentAt", m.SentAt)
	b = tm(b, "deliveredAt", m.DeliveredAt)
	b = tm(b, "seenAt", m.SeenAt)
	b = tm(b, "updatedAt", &m.UpdatedAt)
	return append(b, '}')
}

// appendRaw appends a raw JSON value as json.Marshal does: null when
// empty, else compacted with <, > and & escaped. A value with nothing to
// compact or escape is copied.
func appendRaw(b []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	if bytes.ContainsAny(raw, " \t\r\n<>&\u2028\u2029") || !json.Valid(raw) {
		out, err := json.Marshal(raw)
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, out...)
	}
	return append(b, raw...)
}
