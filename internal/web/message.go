package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/heraldhq/herald"
)

// messageData is the data of a message's page.
type messageData struct {
	Message    *herald.Message
	Text       string // the text of the content, or its JSON
	Rich       bool   // Text is JSON
	Events     []herald.MessageEvent
	Chain      *herald.Chain
	Steps      []chainStepView
	Deliveries []deliveryView
	Refresh    int
	Email      *emailView // an e-mail's subject, parts, opens and clicks
}

// chainStepView is one step of a message's fallback chain.
type chainStepView struct {
	herald.ChainStep
	N       int
	Current bool // the message this page shows
	Status  herald.MessageStatus
}

// deliveryView is a webhook delivery with its attempts.
type deliveryView struct {
	herald.WebhookDelivery
	Attempts []herald.WebhookAttempt
}

// showMessage shows a message with its status timeline, its fallback
// chain and the webhook deliveries about it.
func (p *Portal) showMessage(w http.ResponseWriter, r *http.Request) {
	ms, err := p.messageStore()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	acc := state(r).User.AccountID
	ctx := r.Context()
	m, err := ms.Message(ctx, acc, r.PathValue("id"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := &messageData{Message: m}
	d.Text, d.Rich = contentText(m.Payload)
	if d.Email = emailContent(m); d.Email != nil {
		if es, ok := ms.(herald.EmailEventStore); ok {
			if d.Email.Events, err = es.EmailEvents(ctx, acc, m.ID, 200); err != nil {
				p.fail(w, r, err)
				return
			}
		}
	}
	if d.Events, err = ms.MessageEvents(ctx, acc, m.ID); err != nil {
		p.fail(w, r, err)
		return
	}
	if err := p.loadChain(r, ms, d); err != nil {
		p.fail(w, r, err)
		return
	}
	if d.Deliveries, err = p.messageDeliveries(r, m.ID); err != nil {
		p.fail(w, r, err)
		return
	}
	if !m.Status.Final() || (d.Chain != nil && d.Chain.Outcome == herald.ChainRunning) {
		d.Refresh = liveRefresh
	}
	pg := p.newPage(r, "Message "+shortID(m.ID))
	pg.Active = "messages"
	pg.Data = d
	p.render(w, r, "message", pg)
}

// loadChain fills the fallback chain of d's message with each step's
// message status.
func (p *Portal) loadChain(r *http.Request, ms MessageStore, d *messageData) error {
	m := d.Message
	if m.ChainID == "" {
		return nil
	}
	c, err := ms.Chain(r.Context(), m.AccountID, m.ChainID)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	d.Chain = c
	for i, s := range c.Steps {
		v := chainStepView{ChainStep: s, N: i + 1, Current: s.MessageID == m.ID}
		if s.MessageID != "" {
			sm, err := ms.Message(r.Context(), m.AccountID, s.MessageID)
			if err != nil && herald.ErrorCode(err) != herald.ENOTFOUND {
				return err
			}
			if sm != nil {
				v.Status = sm.Status
			}
		}
		d.Steps = append(d.Steps, v)
	}
	return nil
}

// messageDeliveries returns the webhook deliveries about message id with
// their attempts, or none when the portal has no webhook service.
func (p *Portal) messageDeliveries(r *http.Request, id string) ([]deliveryView, error) {
	if p.webhooks == nil {
		return nil, nil
	}
	acc := state(r).User.AccountID
	ds, err := p.webhooks.MessageDeliveries(r.Context(), acc, id)
	if err != nil {
		return nil, err
	}
	out := make([]deliveryView, 0, len(ds))
	for _, d := range ds {
		as, err := p.webhooks.WebhookAttempts(r.Context(), acc, d.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, deliveryView{WebhookDelivery: d, Attempts: as})
	}
	return out, nil
}

// contentText returns a payload's text, or its indented JSON when it has
// no text (rich content); rich is true then.
func contentText(payload json.RawMessage) (text string, rich bool) {
	if len(payload) == 0 {
		return "", false
	}
	var t struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(payload, &t) == nil && t.Text != "" {
		return t.Text, false
	}
	var b bytes.Buffer
	if json.Indent(&b, payload, "", "  ") != nil {
		return string(payload), true
	}
	return b.String(), true
}

// shortID is the first block of a UUID, for titles.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

// statusClass is the CSS class of a status pill.
func statusClass(s herald.MessageStatus) string {
	switch {
	case s.Failure():
		return "status status-bad"
	case s == herald.StatusDelivered || s == herald.StatusSeen || s == herald.StatusReceived:
		return "status status-ok"
	}
	return "status"
}
