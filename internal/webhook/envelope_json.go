package webhook

import (
	"encoding/json"

	"github.com/heraldhq/herald/internal/jsonw"
)

// AppendJSON appends e as JSON to b: what json.Marshal(e) writes, byte for
// byte (a test checks it), without reflection. The status writer encodes
// one envelope per status change and webhook.
func (e *Envelope) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonw.String(b, e.ID)
	b = append(b, `,"type":`...)
	b = jsonw.String(b, e.Type)
	b = append(b, `,"time":`...)
	b = jsonw.Time(b, e.Time)
	b = append(b, `,"account":`...)
	b = jsonw.Int(b, e.Account)
	b = append(b, `,"data":`...)
	b = e.Data.appendJSON(b)
	return append(b, '}')
}

// appendJSON appends d as json.Marshal would.
func (d *MessageData) appendJSON(b []byte) []byte {
	str := func(b []byte, key, v string) []byte {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		return jsonw.String(b, v)
	}
	opt := func(b []byte, key, v string) []byte {
		if v == "" {
			return b
		}
		return str(b, key, v)
	}
	b = append(b, `{"messageId":`...)
	b = jsonw.String(b, d.MessageID)
	b = str(b, "messageType", d.MessageType)
	b = append(b, `,"channel":`...)
	b = jsonw.Int(b, int64(d.Channel))
	b = str(b, "direction", d.Direction)
	b = str(b, "status", string(d.Status))
	b = append(b, `,"detail":{"code":`...)
	b = jsonw.Int(b, int64(d.Detail.Code))
	b = str(b, "name", d.Detail.Name)
	b = str(b, "description", d.Detail.Description)
	b = append(b, `,"permanent":`...)
	b = jsonw.Bool(b, d.Detail.Permanent)
	b = append(b, '}')
	b = str(b, "providerCode", d.ProviderCode)
	b = str(b, "body", d.Body)
	b = str(b, "contentType", d.ContentType)
	b = append(b, `,"attachments":`...)
	if d.Attachments == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, a := range d.Attachments {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.String(b, a)
		}
		b = append(b, ']')
	}
	b = opt(b, "contactId", d.ContactID)
	b = opt(b, "conversationId", d.ConversationID)
	b = append(b, `,"dateAdded":`...)
	b = jsonw.Time(b, d.DateAdded)
	b = str(b, "source", string(d.Source))
	b = str(b, "senderId", d.SenderID)
	b = opt(b, "to", d.To)
	b = opt(b, "from", d.From)
	b = opt(b, "correlationId", d.CorrelationID)
	b = opt(b, "callbackData", d.CallbackData)
	b = opt(b, "chainId", d.ChainID)
	b = append(b, `,"step":`...)
	b = jsonw.Int(b, int64(d.Step))
	b = opt(b, "error", d.Error)
	b = opt(b, "encoding", d.Encoding)
	if d.Segments != 0 {
		b = append(b, `,"segments":`...)
		b = jsonw.Int(b, int64(d.Segments))
	}
	if d.Switch != nil {
		sw, _ := json.Marshal(d.Switch) // plain fields always encode; rare
		b = append(b, `,"switch":`...)
		b = append(b, sw...)
	}
	return append(b, '}')
}
