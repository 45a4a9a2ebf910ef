package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// MessageReader reads messages, their history and chains.
type MessageReader interface {
	herald.MessageStore
	Chain(ctx context.Context, accountID int64, id string) (*herald.Chain, error)
}

// errNoMessaging answers message routes in a process without the engine.
var errNoMessaging = herald.Errorf(herald.EUNAVAILABLE, "Messaging is not available in this process.")

func (h *Handler) messageRoutes() []Route {
	s := herald.ScopeOmniAPI
	return []Route{
		{Method: "POST", Path: Prefix + "/messages", Scope: s, Create: true, Summary: "Send a message; 202 once it is committed", handle: h.sendMessage},
		{Method: "GET", Path: Prefix + "/messages", Scope: s, Summary: "List messages (the messages log and EDRs)", handle: h.listMessages},
		{Method: "GET", Path: Prefix + "/messages/{id}", Scope: s, Summary: "Get a message with its status history, chain and webhooks", handle: h.getMessage},
		{Method: "POST", Path: Prefix + "/messages/{id}/cancel", Scope: s, Summary: "Cancel a scheduled message", handle: h.cancelMessage},
		{Method: "POST", Path: Prefix + "/messages/batch", Scope: s, Create: true, Summary: "Send up to 1,000 messages; each is accepted (202) or refused on its own", handle: h.sendBatch},
	}
}

// templateInput is a template reference of a request.
type templateInput struct {
	ID     int64                      `json:"id"`
	Params map[string]json.RawMessage `json:"params"`
}

// ref returns the template reference with every parameter as text.
func (t *templateInput) ref() *herald.TemplateRef {
	if t == nil {
		return nil
	}
	out := &herald.TemplateRef{ID: t.ID, Params: map[string]string{}}
	for k, v := range t.Params {
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(bytes.TrimSpace(v))
		}
		out.Params[k] = s
	}
	return out
}

// sendFields are the fields a message and an omnimessage share
// (reference 001, section 12.3).
type sendFields struct {
	Contact         json.RawMessage `json:"contact"`
	Webhook         string          `json:"webhook"`
	CreateRecipient bool            `json:"createRecipient"`
	SendAt          string          `json:"sendAt"`
	Validity        *int64          `json:"validity"` // seconds
	CallbackData    string          `json:"callbackData"`
	CorrelationID   string          `json:"correlationId"`
}

// messageInput is the body of POST /messages.
type messageInput struct {
	sendFields
	Channel  json.RawMessage `json:"channel"`
	SenderID string          `json:"senderId"`
	Payload  json.RawMessage `json:"payload"`
	Template *templateInput  `json:"template"`
}

// request builds the engine's request for the calling key.
func (in *sendFields) request(c *call, vs *herald.Violations) *herald.SendRequest {
	req := &herald.SendRequest{AccountID: c.key.AccountID, APIKey: c.key, Contact: parseContact(in.Contact, vs),
		CreateRecipient: in.CreateRecipient, Webhook: strings.TrimSpace(in.Webhook), CallbackData: in.CallbackData,
		CorrelationID: in.CorrelationID, Origin: herald.OriginAPI, Traffic: herald.TrafficAPI}
	if in.SendAt != "" {
		if t, err := time.Parse(time.RFC3339Nano, in.SendAt); err != nil {
			vs.Add("sendAt", herald.VFormat, "sendAt must be an RFC 3339 time, such as 2026-05-01T09:00:00Z.")
		} else {
			req.SendAt = &t
		}
	}
	if in.Validity != nil {
		if *in.Validity <= 0 {
			vs.Add("validity", herald.VRange, "The validity is a number of seconds from 1 to %d.", 30*24*3600)
		} else {
			req.Validity = time.Duration(*in.Validity) * time.Second
		}
	}
	return req
}

// parseContact reads "contact": a phone number, an e-mail address or
// another address as a string, a contact ID as a number, or an object with
// id, phone, email or address.
func parseContact(raw json.RawMessage, vs *herald.Violations) herald.ContactRef {
	var ref herald.ContactRef
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ref
	}
	var s string
	switch {
	case json.Unmarshal(raw, &s) == nil:
		s = strings.TrimSpace(s)
		switch {
		case strings.Contains(s, "@"):
			ref.Email = s
		case strings.Trim(s, "+0123456789 ()-.") == "" && s != "":
			ref.Phone = s
		default:
			ref.Address = s
		}
	case json.Unmarshal(raw, &ref.ID) == nil:
	default:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ref); err != nil {
			vs.Add("contact", herald.VFormat, "contact must be a phone number, an e-mail address, a contact ID or an object with id, phone, email or address.")
		}
	}
	return ref
}

// parseChannel reads a channel given as its number or its name.
func parseChannel(raw json.RawMessage, field string, vs *herald.Violations) herald.Channel {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		vs.Add(field, herald.VRequired, "Choose a channel: 1 SMS, 2 RCS, 3 Viber, 4 WhatsApp, 5 WeChat, 6 Email, 7 Telegram, 8 Push, 9 TTS, 10 Mobile Push.")
		return 0
	}
	var n int
	if json.Unmarshal(raw, &n) == nil {
		if !herald.Channel(n).Valid() {
			vs.Add(field, herald.VUnknown, "Unknown channel %d.", n)
		}
		return herald.Channel(n)
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	ch, err := herald.ParseChannel(s)
	if err != nil {
		vs.Add(field, herald.VUnknown, "Unknown channel %q.", s)
	}
	return ch
}

func (h *Handler) sendMessage(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.deps.Messages == nil {
		return errNoMessaging
	}
	var in messageInput
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := h.deps.Messages.Send(r.Context(), in.sendRequest(c))
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/messages/"+m.ID)
	return writeMessage(w, http.StatusAccepted, m)
}

func (h *Handler) listMessages(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.deps.MessageStore == nil {
		return errNoMessaging
	}
	q, err := listQuery(r, herald.MessageColumns())
	if err != nil {
		return err
	}
	p, err := h.deps.MessageStore.ListMessages(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

// messageDetails is a message with its history, chain and webhooks.
type messageDetails struct {
	*herald.Message
	History  []herald.MessageEvent    `json:"history"`
	Chain    *herald.Chain            `json:"chain,omitempty"`
	Webhooks []herald.WebhookDelivery `json:"webhooks,omitempty"`
}

func (h *Handler) getMessage(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.deps.MessageStore == nil {
		return errNoMessaging
	}
	ctx, acc, id := r.Context(), c.key.AccountID, r.PathValue("id")
	m, err := h.deps.MessageStore.Message(ctx, acc, id)
	if err != nil {
		return err
	}
	evs, err := h.deps.MessageStore.MessageEvents(ctx, acc, id)
	if err != nil {
		return err
	}
	first := herald.MessageEvent{MessageID: m.ID, Type: herald.EventStatus, Status: herald.StatusAccepted,
		Detail: herald.DetailAccepted, At: m.AcceptedAt, Applied: true}
	if m.Direction == herald.MO {
		first.Status, first.Detail = herald.StatusReceived, herald.DetailReceived
	}
	d := messageDetails{Message: m, History: append([]herald.MessageEvent{first}, evs...)}
	if m.ChainID != "" {
		if d.Chain, err = h.deps.MessageStore.Chain(ctx, acc, m.ChainID); err != nil {
			return err
		}
	}
	if h.deps.Webhooks != nil {
		if d.Webhooks, err = h.deps.Webhooks.MessageDeliveries(ctx, acc, id); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, d)
}

func (h *Handler) cancelMessage(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.deps.Messages == nil {
		return errNoMessaging
	}
	m, err := h.deps.Messages.Cancel(r.Context(), c.key.AccountID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}
