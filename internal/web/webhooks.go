package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// webhooksTable is the Webhook deliveries list.
func webhooksTable() tableSpec {
	return tableSpec{ID: "webhooks", Path: "/webhooks", Columns: herald.WebhookDeliveryColumns()}
}

// webhooksData is the data of the Webhook deliveries page.
type webhooksData struct {
	Table *table
}

// listWebhooks shows the webhook deliveries, newest first, each with its
// attempts as the row's details and a Redeliver action.
func (p *Portal) listWebhooks(w http.ResponseWriter, r *http.Request) {
	if p.webhooks == nil {
		p.fail(w, r, errNoMessaging)
		return
	}
	t, q, ok := p.beginTable(w, r, webhooksTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Webhook deliveries")
	pg.Active = "webhooks"
	t.Empty = "No webhook deliveries match. Give an API key a webhook URL to receive message statuses and replies."
	acc := state(r).User.AccountID
	if t.Err == "" {
		list, err := p.webhooks.ListWebhookDeliveries(r.Context(), acc, q)
		if err != nil && p.listFailed(w, r, t, err) {
			return
		}
		for i := range list.Items {
			d := &list.Items[i]
			as, err := p.webhooks.WebhookAttempts(r.Context(), acc, d.ID)
			if err != nil {
				p.fail(w, r, err)
				return
			}
			t.addRow(deliveryCells(pg, d), deliveryActions(pg, d), attemptsDetail(pg, as))
		}
		t.setCursors(list.Next, list.Prev, r)
	}
	pg.Data = webhooksData{Table: t}
	p.render(w, r, "webhooks", pg)
}

// deliveryCells are the cells of one delivery.
func deliveryCells(pg *page, d *herald.WebhookDelivery) map[string]cell {
	last := ""
	if d.Attempts > 0 {
		last = "network error"
		if d.LastStatus > 0 {
			last = strconv.Itoa(d.LastStatus)
		}
	}
	state := cell{Text: string(d.State)}
	if d.State == herald.DeliveryFailed {
		state.Badge = "failed"
		state.Text = ""
	}
	msg := cell{Text: d.MessageID, Mono: true}
	if d.MessageID != "" && pg.Can(string(herald.PermMessagesView)) {
		msg.Href = "/messages/" + d.MessageID
	}
	return map[string]cell{
		"id":         {Text: strconv.FormatInt(d.ID, 10), Mono: true},
		"createdAt":  {Text: pg.Time(d.CreatedAt)},
		"eventType":  {Text: d.EventType, Mono: true},
		"messageId":  msg,
		"url":        {Text: d.URL, Mono: true, Muted: true},
		"state":      state,
		"attempts":   {Text: strconv.Itoa(d.Attempts)},
		"lastStatus": {Text: last, Mono: true},
	}
}

// deliveryActions is a delivery's Redeliver action, for those who manage
// API keys (and so the receivers).
func deliveryActions(pg *page, d *herald.WebhookDelivery) []rowAction {
	if !pg.Can(string(herald.PermAPIKeysManage)) {
		return nil
	}
	return []rowAction{{Label: "Redeliver", Icon: "refresh", Href: fmt.Sprintf("/webhooks/%d/redeliver", d.ID),
		Confirm: "Send this webhook event again? The receiver gets it once more, with the same event ID."}}
}

// attemptsDetail is the expandable table of a delivery's attempts.
func attemptsDetail(pg *page, as []herald.WebhookAttempt) *detailTable {
	if len(as) == 0 {
		return nil
	}
	d := &detailTable{Caption: fmt.Sprintf("%d %s", len(as), plural(len(as), "attempt", "attempts")),
		Header: []string{"Time", "URL", "Status code", "Duration", "Error"}}
	for _, a := range as {
		code := "—"
		if a.StatusCode > 0 {
			code = strconv.Itoa(a.StatusCode)
		}
		d.Rows = append(d.Rows, []string{pg.Time(a.At), a.URL, code, strconv.FormatInt(a.DurationMS, 10) + " ms", a.Error})
	}
	return d
}

// confirmRedeliver is the confirmation page of Redeliver without scripts.
func (p *Portal) confirmRedeliver(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return
	}
	p.confirm(w, r, "webhooks", confirmData{Heading: "Redeliver webhook",
		Message: "Send this webhook event again? The receiver gets it once more, with the same event ID.",
		Action:  fmt.Sprintf("/webhooks/%d/redeliver", id), Button: "Redeliver", Cancel: "/webhooks"})
}

// redeliverWebhook queues a delivery again for an immediate attempt.
func (p *Portal) redeliverWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok || p.webhooks == nil {
		p.notFound(w, r)
		return
	}
	if err := p.webhooks.RedeliverWebhook(r.Context(), state(r).User.AccountID, id); err != nil {
		p.actionFailed(w, r, "/webhooks", err)
		return
	}
	p.redirect(w, r, "/webhooks", fmt.Sprintf("Delivery %d is queued to be sent again.", id))
}
