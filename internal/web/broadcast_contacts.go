package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/listquery"
	"github.com/heraldhq/herald/internal/outcome"
	"github.com/heraldhq/herald/internal/sheet"
)

// The per-contact outcome list of a broadcast run: every recipient of its
// snapshot with the chain's outcome, the step and channel reached, the
// last status and its time, filtered and paged by the table component and
// exported as CSV or XLSX from a database cursor.

// contactOutcomesTableID is the outcome list's table, for the column
// choice (one choice for every broadcast).
const contactOutcomesTableID = "broadcast-contacts"

// contactOutcomesTable is the outcome list of broadcast id.
func contactOutcomesTable(id int64) tableSpec {
	return tableSpec{ID: contactOutcomesTableID, Path: contactOutcomesPath(id), Columns: herald.BroadcastRecipientColumns()}
}

// contactOutcomesPath is the outcome list of broadcast id.
func contactOutcomesPath(id int64) string {
	return "/broadcasts/" + strconv.FormatInt(id, 10) + "/contacts"
}

// resultLink is a quick filter by chain outcome, with its count.
type resultLink struct {
	Label   string
	Count   int
	URL     string
	Current bool
}

// contactOutcomesData is the data of the outcome list.
type contactOutcomesData struct {
	Broadcast *herald.Broadcast
	Table     *table
	Results   []resultLink
	CSVURL    string
	XLSXURL   string
}

// loadOwnBroadcast loads the {id} broadcast of the signed-in user's
// account (another account's is not found); it answered the request when
// ok is false.
func (p *Portal) loadOwnBroadcast(w http.ResponseWriter, r *http.Request) (herald.BroadcastStore, *herald.Broadcast, bool) {
	bs, ok := p.broadcastReader(w, r)
	if !ok {
		return nil, nil, false
	}
	b, ok := loadByID(p, w, r, getInAccount(r, bs.Broadcast))
	return bs, b, ok
}

// listBroadcastContacts shows the outcome per contact of a broadcast.
func (p *Portal) listBroadcastContacts(w http.ResponseWriter, r *http.Request) {
	bs, b, ok := p.loadOwnBroadcast(w, r)
	if !ok {
		return
	}
	acc := state(r).User.AccountID
	pg, t, ok := listPage[herald.BroadcastRecipient]{Spec: contactOutcomesTable(b.ID), Title: b.Name + ": contacts", Active: "broadcast",
		Empty: "No contacts match.",
		List: func(ctx context.Context, q herald.ListQuery) (herald.Page[herald.BroadcastRecipient], error) {
			return bs.ListBroadcastRecipients(ctx, acc, b.ID, q)
		},
		Row: func(pg *page, x *herald.BroadcastRecipient) (map[string]cell, []rowAction, *detailTable) {
			return outcomeCells(pg, x), outcomeActions(pg, x), nil
		},
	}.begin(p, w, r)
	if !ok {
		return
	}
	params := exportParams(r)
	path := contactOutcomesPath(b.ID)
	pg.Data = contactOutcomesData{Broadcast: b, Table: t, Results: resultLinks(path, b.Stats, r.URL.Query()),
		CSVURL:  path + "/export" + encode(with(params, "format", sheet.FormatCSV)),
		XLSXURL: path + "/export" + encode(with(params, "format", sheet.FormatXLSX))}
	p.render(w, r, "broadcast_contacts", pg)
}

// resultLinks are the quick filters by chain outcome, with the counts of
// the broadcast's fallback statistics.
func resultLinks(path string, st herald.FallbackStats, v url.Values) []resultLink {
	v.Del(listquery.ParamCursor)
	cur := v.Get(listquery.FilterPrefix + "result")
	all := with(v, listquery.FilterPrefix+"result", "")
	links := []resultLink{{Label: "All", Count: st.Total, URL: path + encode(all), Current: cur == ""}}
	for _, x := range []struct {
		r herald.RecipientResult
		n int
	}{{herald.ResultSuccessful, st.Successful}, {herald.ResultUnsuccessful, st.Unsuccessful},
		{herald.ResultInProgress, st.InProgress()}, {herald.ResultNotInitiated, st.NotInitiated}} {
		f := listquery.FormatFilter(herald.Filter{Field: "result", Op: herald.OpEq, Value: string(x.r)})
		links = append(links, resultLink{Label: x.r.Label(), Count: x.n, Current: cur == f,
			URL: path + encode(with(all, listquery.FilterPrefix+"result", f))})
	}
	return links
}

// outcomeCells are the cells of one recipient.
func outcomeCells(pg *page, x *herald.BroadcastRecipient) map[string]cell {
	phone := cell{Text: x.Phone, Mono: true}
	if x.ContactID != 0 && pg.Can(string(herald.PermContactsView)) {
		phone.Href = "/contacts/" + strconv.FormatInt(x.ContactID, 10)
	}
	msg := cell{Text: x.MessageID, Mono: true, Muted: true}
	if x.MessageID != "" && pg.Can(string(herald.PermMessagesView)) {
		msg.Href = "/messages/" + x.MessageID
	}
	result := cell{Text: x.Result.Label()}
	return map[string]cell{
		"seq":       {Text: strconv.FormatInt(x.Seq, 10), Mono: true},
		"phone":     phone,
		"email":     {Text: x.Email},
		"contactId": {Text: idText(x.ContactID), Mono: true},
		"state":     {Text: string(x.State)},
		"outcome":   {Text: string(x.Outcome)},
		"result":    result,
		"step":      {Text: outcome.Step(x)},
		"channel":   {Text: outcome.Channel(x)},
		"status":    {Badge: string(x.Status)},
		"updatedAt": {Text: pg.TimePtr(x.UpdatedAt)},
		"reason":    {Text: x.Reason, Muted: true},
		"messageId": msg,
	}
}

// outcomeActions is a recipient's "View message" action.
func outcomeActions(pg *page, x *herald.BroadcastRecipient) []rowAction {
	if x.MessageID == "" || !pg.Can(string(herald.PermMessagesView)) {
		return nil
	}
	return []rowAction{{Label: "View message", Icon: "eye", Href: "/messages/" + x.MessageID}}
}

// exportBroadcastContacts streams the outcome list, with its filters and
// order, as CSV or XLSX (format=csv|xlsx). Rows come from a database
// cursor and are written one by one, so the export's memory does not grow
// with the number of recipients.
func (p *Portal) exportBroadcastContacts(w http.ResponseWriter, r *http.Request) {
	bs, b, ok := p.loadOwnBroadcast(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = sheet.FormatCSV
	}
	if sheet.ContentType(format) == "" {
		p.errorPage(w, r, http.StatusBadRequest, "Unknown export format; use csv or xlsx.")
		return
	}
	q, err := listquery.Parse(r.URL.Query(), herald.BroadcastRecipientColumns())
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if q.Sort == "" {
		q.Sort = "seq"
	}
	acc := state(r).User.AccountID
	ctx := r.Context()
	if err := p.store.RecordAudit(ctx, &herald.AuditEntry{AccountID: acc, Action: "Exported broadcast contacts"}); err != nil {
		p.fail(w, r, err)
		return
	}
	name := "broadcast-" + strconv.FormatInt(b.ID, 10) + "-contacts." + format
	h := w.Header()
	h.Set("Content-Type", sheet.ContentType(format))
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	src := func(ctx context.Context, fn func(*herald.BroadcastRecipient) error) error {
		return bs.EachBroadcastRecipient(ctx, acc, b.ID, q, fn)
	}
	if err := outcome.Write(ctx, w, format, accountLocation(r), src); err != nil {
		// The status is sent; a cut-off file is all we can do, and log it.
		p.log.Error("exporting broadcast contacts", "account", acc, "broadcast", b.ID, "format", format, "err", err)
	}
}
