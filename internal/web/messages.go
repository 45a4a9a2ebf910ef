package web

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// messagesTable is the Messages log.
func messagesTable() tableSpec {
	return tableSpec{ID: "messages", Path: "/messages", Columns: herald.MessageColumns()}
}

// messagesData is the data of the Messages log.
type messagesData struct {
	Table   *table
	Refresh int // seconds between live refreshes; 0 for none
}

// liveRefresh is how often the Messages log and a message's page reload
// while the user watches them.
const liveRefresh = 5

// listMessages shows the account's messages, newest first.
func (p *Portal) listMessages(w http.ResponseWriter, r *http.Request) {
	ms, err := p.messageStore()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	t, q, ok := p.beginTable(w, r, messagesTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "Messages")
	pg.Active = "messages"
	t.Empty = "No messages match. Send one from the Sandbox page or through the API."
	if t.Err == "" {
		list, err := ms.ListMessages(r.Context(), state(r).User.AccountID, q)
		if err == nil {
			fillTable(t, r, list, func(m *herald.Message) (map[string]cell, []rowAction, *detailTable) {
				return messageCells(pg, m), messageActions(pg, m), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	refresh := liveRefresh
	if q.Cursor != "" {
		refresh = 0 // a later page would move under the reader's eyes
	}
	pg.Data = messagesData{Table: t, Refresh: refresh}
	p.render(w, r, "messages", pg)
}

// messageCells are the cells of one message.
func messageCells(pg *page, m *herald.Message) map[string]cell {
	segs := ""
	if m.Segments > 0 {
		segs = strconv.Itoa(m.Segments)
	}
	contact := ""
	if m.ContactID > 0 {
		contact = strconv.FormatInt(m.ContactID, 10)
	}
	return map[string]cell{
		"acceptedAt":    {Text: pg.Time(m.AcceptedAt)},
		"id":            {Text: m.ID, Href: "/messages/" + m.ID, Mono: true},
		"channel":       {Text: m.Channel.String()},
		"direction":     {Text: directionLabel(m.Direction)},
		"senderId":      {Text: m.SenderID},
		"destination":   {Text: m.Destination, Mono: true},
		"preview":       {Text: messagePreview(m)},
		"contactId":     {Text: contact, Mono: true},
		"status":        {Text: string(m.Status), Badge: statusBadge(m)},
		"error":         {Text: m.Error, Muted: true},
		"sentAt":        {Text: pg.TimePtr(m.SentAt)},
		"deliveredAt":   {Text: pg.TimePtr(m.DeliveredAt)},
		"seenAt":        {Text: pg.TimePtr(m.SeenAt)},
		"chainId":       {Text: m.ChainID, Mono: true, Muted: true},
		"correlationId": {Text: m.CorrelationID, Mono: true},
		"origin":        {Text: string(m.Origin)},
		"segments":      {Text: segs},
	}
}

// directionLabel is "MT" or "MO".
func directionLabel(d herald.Direction) string {
	if d == herald.MO {
		return "MO"
	}
	return "MT"
}

// statusBadge marks the step of a fallback chain after its status.
func statusBadge(m *herald.Message) string {
	if m.ChainID != "" {
		return "step " + strconv.Itoa(m.Step+1)
	}
	return ""
}
