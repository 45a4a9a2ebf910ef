package webhook

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald"
)

// Envelope is the body of one event: the same shape for every event type.
type Envelope struct {
	ID      string      `json:"id"`      // the event ID; receivers de-duplicate by it
	Type    string      `json:"type"`    // message.status or message.inbound
	Time    time.Time   `json:"time"`    // when the event happened
	Account int64       `json:"account"` // the account (tenant)
	Data    MessageData `json:"data"`
}

// MessageData is the message an event is about, shaped after the outbound
// message event of the reference webhook (messageId, messageType,
// direction, status, body, contentType, attachments, contactId,
// conversationId, dateAdded, source) with Herald's status detail, routing
// and correlation fields.
type MessageData struct {
	MessageID      string               `json:"messageId"`
	MessageType    string               `json:"messageType"` // the channel's name for people: "SMS", "RCS", ...
	Channel        herald.Channel       `json:"channel"`     // the channel's API number
	Direction      string               `json:"direction"`   // outbound or inbound
	Status         herald.MessageStatus `json:"status"`
	Detail         herald.StatusDetail  `json:"detail"`
	ProviderCode   string               `json:"providerCode"`
	Body           string               `json:"body"`
	ContentType    string               `json:"contentType"`
	Attachments    []string             `json:"attachments"`
	ContactID      string               `json:"contactId,omitempty"`
	ConversationID string               `json:"conversationId,omitempty"`
	DateAdded      time.Time            `json:"dateAdded"`
	Source         herald.Origin        `json:"source"`
	SenderID       string               `json:"senderId"`
	To             string               `json:"to,omitempty"`   // outbound: the destination
	From           string               `json:"from,omitempty"` // inbound: the contact's address
	CorrelationID  string               `json:"correlationId,omitempty"`
	CallbackData   string               `json:"callbackData,omitempty"`
	ChainID        string               `json:"chainId,omitempty"`
	Step           int                  `json:"step"`
	Error          string               `json:"error,omitempty"`
	Encoding       string               `json:"encoding,omitempty"`
	Segments       int                  `json:"segments,omitempty"`
	Switch         *herald.SwitchInfo   `json:"switch,omitempty"` // a fallback chain moved on
}

// NewEventID returns a new event ID (a UUIDv7).
func NewEventID() string { return uuid.Must(uuid.NewV7()).String() }

// Text returns the plain text of a payload: its "text" field, or for an
// e-mail its "subject" when it has no text.
func Text(payload json.RawMessage) string {
	var p struct {
		Text    string `json:"text"`
		Subject string `json:"subject"`
	}
	if len(payload) == 0 || json.Unmarshal(payload, &p) != nil {
		return ""
	}
	if p.Text != "" {
		return p.Text
	}
	return p.Subject
}

// messageData describes m in its status st.
func messageData(m *herald.Message, e *herald.MessageEvent, threadID int64) MessageData {
	d := MessageData{
		MessageID: m.ID, MessageType: m.Channel.Label(), Channel: m.Channel, Direction: "outbound",
		Status: e.Status, Detail: e.Detail, ProviderCode: e.ProviderCode, Body: Text(m.Payload),
		ContentType: "text/plain", Attachments: []string{}, DateAdded: m.AcceptedAt, Source: m.Origin,
		SenderID: m.SenderID, To: m.Destination, CorrelationID: m.CorrelationID, CallbackData: m.CallbackData,
		ChainID: m.ChainID, Step: m.Step, Error: m.Error, Encoding: m.Encoding, Segments: m.Segments, Switch: e.Switch,
	}
	if m.ContactID != 0 {
		d.ContactID = strconv.FormatInt(m.ContactID, 10)
	}
	if threadID != 0 {
		d.ConversationID = strconv.FormatInt(threadID, 10)
	}
	if m.Direction == herald.MO {
		d.Direction, d.To, d.From = "inbound", "", m.Destination
	}
	return d
}

// StatusEnvelope returns the message.status envelope of event e of m.
func StatusEnvelope(m *herald.Message, e *herald.MessageEvent) Envelope {
	return Envelope{ID: NewEventID(), Type: herald.EventMessageStatus, Time: e.At, Account: m.AccountID, Data: messageData(m, e, 0)}
}

// InboundEnvelope returns the message.inbound envelope of m, received on
// thread threadID (0 for none).
func InboundEnvelope(m *herald.Message, threadID int64) Envelope {
	e := &herald.MessageEvent{Status: m.Status, Detail: m.Detail, ProviderCode: m.ProviderCode, At: m.AcceptedAt}
	return Envelope{ID: NewEventID(), Type: herald.EventMessageInbound, Time: m.AcceptedAt, Account: m.AccountID, Data: messageData(m, e, threadID)}
}

// DeliveryInfo is the delivery-info notification format: a flat report
// per status with a numeric code (7500 delivered, 7208 expired, 7200
// unknown, ...; see docs/webhooks.md).
type DeliveryInfo struct {
	Notification struct {
		Info struct {
			Channel         string `json:"deliveryChannel"`
			PushID          string `json:"pushId"`
			Description     string `json:"Description"`
			DestinationType string `json:"destinationType"`
			TimeStamp       string `json:"timeStamp"`
			Code            string `json:"code"`
			DeliveryStatus  string `json:"deliveryStatus"`
			DeviceID        string `json:"deviceid"`
			Destination     string `json:"destination"`
		} `json:"deliveryInfo"`
		CorrelationID string `json:"correlationid"`
		CallbackData  string `json:"callbackData"`
		TransID       string `json:"transid"`
	} `json:"deliveryInfoNotification"`
}

// infoCode is the delivery-info code, description and delivery status of a
// message status.
type infoCode struct{ code, description, status string }

// deliveryInfoCode maps a status to its delivery-info code. The reference
// gives 7500 (delivered), 7208 (expired) and 7200 (unknown); the others
// extend its pattern: 74xx in progress, 75xx reached the device, 72xx did
// not.
func deliveryInfoCode(st herald.MessageStatus) (infoCode, bool) {
	switch st {
	case herald.StatusSent:
		return infoCode{"7400", "Submitted", "Submitted"}, true
	case herald.StatusDelivered:
		return infoCode{"7500", "Delivered", "Delivered"}, true
	case herald.StatusSeen:
		return infoCode{"7501", "Read", "Delivered"}, true
	case herald.StatusUndelivered:
		return infoCode{"7201", "Undelivered", "Un-Delivered"}, true
	case herald.StatusExpired:
		return infoCode{"7208", "Message expired", "Un-Delivered"}, true
	case herald.StatusFailed:
		return infoCode{"7202", "Failed", "Failed"}, true
	case herald.StatusRejected:
		return infoCode{"7203", "Rejected", "Failed"}, true
	case herald.StatusCanceled:
		return infoCode{"7204", "Canceled", "Failed"}, true
	case herald.StatusAccepted, herald.StatusScheduled, herald.StatusQueued, herald.StatusSending, herald.StatusReceived:
		return infoCode{}, false
	}
	return infoCode{"7200", "Unknown Status", "Failed"}, true
}

// destinationType names the kind of address of ch.
func destinationType(ch herald.Channel) string {
	switch ch.Address() {
	case herald.AddressEmail:
		return "email"
	case herald.AddressPushToken:
		return "pushToken"
	case herald.AddressChatID:
		return "chatId"
	}
	return "msisdn"
}

// DeliveryInfoFor returns the delivery-info notification of event e of m;
// false for events the format has no code for (progress statuses, channel
// switches and inbound messages).
func DeliveryInfoFor(m *herald.Message, e *herald.MessageEvent) (DeliveryInfo, bool) {
	var d DeliveryInfo
	c, ok := deliveryInfoCode(e.Status)
	if !ok || e.Type == herald.EventSwitch || m.Direction == herald.MO {
		return d, false
	}
	n := &d.Notification
	n.Info.Channel, n.Info.Description, n.Info.DestinationType = m.Channel.Label(), c.description, destinationType(m.Channel)
	n.Info.TimeStamp, n.Info.Code, n.Info.DeliveryStatus = e.At.UTC().Format("2006-01-02T15:04:05.000"), c.code, c.status
	n.Info.Destination = strings.TrimPrefix(m.Destination, "+")
	if m.Channel.Address() == herald.AddressPushToken {
		n.Info.PushID, n.Info.DeviceID = m.ProviderID, m.Destination
	}
	n.CorrelationID, n.CallbackData, n.TransID = m.CorrelationID, m.CallbackData, m.ID
	return d, true
}
