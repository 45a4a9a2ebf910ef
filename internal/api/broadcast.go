package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
)

// Broadcasts is the broadcast service the API launches and controls
// broadcasts and templates with.
type Broadcasts interface {
	herald.BroadcastService
	herald.BroadcastTemplateService
}

// BroadcastStore reads broadcasts, their statistics and templates.
type BroadcastStore interface {
	herald.BroadcastStore
	herald.BroadcastTemplateStore
}

// errNoBroadcasts answers broadcast routes in a process without them.
var errNoBroadcasts = herald.Errorf(herald.EUNAVAILABLE, "Broadcasts are not available in this process.")

func (h *Handler) broadcastRoutes() []Route {
	s := herald.ScopeBroadcast
	p := Prefix + "/broadcasts"
	return []Route{
		{Method: "GET", Path: p, Scope: s, Summary: "List broadcasts (every run, newest first)", handle: h.listBroadcasts},
		{Method: "POST", Path: p, Scope: s, Create: true, Summary: "Create a broadcast as a draft, or launch it at once with launch: true", handle: h.createBroadcast},
		{Method: "POST", Path: p + "/count", Scope: s, Summary: "Count the contacts a recipients selection selects now", handle: h.countBroadcastRecipients},
		{Method: "GET", Path: p + "/{id}", Scope: s, Summary: "Get a broadcast with its fallback statistics", handle: h.getBroadcast},
		{Method: "PATCH", Path: p + "/{id}", Scope: s, Summary: "Change a draft, scheduled or rejected broadcast", handle: h.updateBroadcast},
		{Method: "DELETE", Path: p + "/{id}", Scope: s, Summary: "Delete a broadcast that never ran", handle: h.deleteBroadcast},
		{Method: "POST", Path: p + "/{id}/launch", Scope: s, Summary: "Launch a broadcast now (or at its scheduledAt; to moderation when moderated)", handle: h.launchBroadcast},
		{Method: "POST", Path: p + "/{id}/schedule", Scope: s, Summary: "Schedule a broadcast for scheduledAt", handle: h.scheduleBroadcast},
		{Method: "POST", Path: p + "/{id}/pause", Scope: s, Summary: "Pause a broadcast in progress", handle: h.broadcastAction((Broadcasts).Pause)},
		{Method: "POST", Path: p + "/{id}/resume", Scope: s, Summary: "Resume a paused broadcast", handle: h.broadcastAction((Broadcasts).Resume)},
		{Method: "POST", Path: p + "/{id}/abort", Scope: s, Summary: "Abort a broadcast", handle: h.broadcastAction((Broadcasts).Abort)},
		{Method: "POST", Path: p + "/{id}/relaunch-failed", Scope: s, Create: true, Summary: "Launch a new broadcast for the contacts whose chain failed", handle: h.relaunchFailed},
		{Method: "POST", Path: p + "/{id}/copy", Scope: s, Create: true, Summary: "Copy a broadcast into a new draft", handle: h.copyBroadcast},
		{Method: "GET", Path: p + "/{id}/statistics", Scope: s, Summary: "Fallback and per-channel message statistics of a broadcast", handle: h.broadcastStatistics},
		{Method: "GET", Path: p + "/{id}/recipients", Scope: s, Summary: "List a broadcast's recipients with their outcome", handle: h.listBroadcastRecipients},
		{Method: "GET", Path: p + "/{id}/recipients/export", Scope: s, Summary: "Export a broadcast's recipients with their outcome as CSV", handle: h.exportBroadcastRecipients},
	}
}

// broadcastJSON is a broadcast as the API answers it: with its progress.
type broadcastJSON struct {
	*herald.Broadcast
	Progress herald.Progress `json:"progress"`
}

// writeBroadcast answers with b.
func writeBroadcast(w http.ResponseWriter, status int, b *herald.Broadcast) error {
	return writeJSON(w, status, broadcastJSON{Broadcast: b, Progress: b.Stats.Progress()})
}

// broadcasts returns the service and the store, or EUNAVAILABLE.
func (h *Handler) broadcasts() (Broadcasts, BroadcastStore, error) {
	bs, ok := h.deps.Store.(BroadcastStore)
	if h.deps.Broadcasts == nil || !ok {
		return nil, nil, errNoBroadcasts
	}
	return h.deps.Broadcasts, bs, nil
}

// broadcastStepInput is one step of a broadcast's fallback chain; the channel is a
// number or a name.
type broadcastStepInput struct {
	Channel     json.RawMessage  `json:"channel"`
	SenderID    string           `json:"senderId"`
	Payload     json.RawMessage  `json:"payload"`
	Template    *templateInput   `json:"template"`
	Criterion   herald.Criterion `json:"successCriterion"`
	WaitingTime int              `json:"waitingTime"` // seconds
}

// broadcastInput is the body of POST and PATCH /broadcasts (and of
// broadcast templates, whose schedule it carries); absent fields keep
// their value on PATCH.
type broadcastInput struct {
	Name        *string               `json:"name"`
	Description *string               `json:"description"`
	Type        *herald.BroadcastType `json:"type"`
	Recipients  *herald.Recipients    `json:"recipients"`
	Steps       *[]broadcastStepInput `json:"steps"`
	RCSCheck    *bool                 `json:"rcsCheck"`
	ChatbotID   *int64                `json:"chatbotId"`
	ScheduledAt json.RawMessage       `json:"scheduledAt"` // RFC 3339, or null to clear
	Launch      bool                  `json:"launch"`      // POST /broadcasts: launch at once
	Schedule    json.RawMessage       `json:"schedule"`    // templates: a schedule, or null to remove it
}

// definition is the part of a broadcast and a template that inputs set.
type definition struct {
	Name, Description *string
	Type              *herald.BroadcastType
	Recipients        *herald.Recipients
	Steps             *[]herald.BroadcastStep
	RCSCheck          *bool
	ChatbotID         *int64
}

// read checks the input's steps and times, adding violations to vs.
func (in *broadcastInput) read(vs *herald.Violations) definition {
	d := definition{Name: in.Name, Description: in.Description, Type: in.Type, Recipients: in.Recipients, RCSCheck: in.RCSCheck, ChatbotID: in.ChatbotID}
	if in.Steps != nil {
		steps := make([]herald.BroadcastStep, len(*in.Steps))
		for i, s := range *in.Steps {
			steps[i] = herald.BroadcastStep{Channel: parseChannel(s.Channel, fmt.Sprintf("steps[%d].channel", i), vs),
				SenderID: s.SenderID, Payload: s.Payload, Template: s.Template.ref(), Criterion: s.Criterion, WaitingTime: s.WaitingTime}
			if len(bytes.TrimSpace(s.Payload)) == 0 || string(bytes.TrimSpace(s.Payload)) == "null" {
				steps[i].Payload = nil
			}
		}
		d.Steps = &steps
	}
	return d
}

// parseTime reads an optional RFC 3339 time: set reports whether the
// field was given, t is nil for null.
func parseTime(raw json.RawMessage, field string, vs *herald.Violations) (t *time.Time, set bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	if string(raw) == "null" {
		return nil, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if v, err := time.Parse(time.RFC3339, s); err == nil {
			v = v.UTC()
			return &v, true
		}
	}
	vs.Add(field, herald.VFormat, "%s must be an RFC 3339 time, such as 2026-05-01T09:00:00+02:00.", field)
	return nil, true
}

// apply copies the definition onto b.
func (d definition) apply(b *herald.Broadcast) {
	set(&b.Name, d.Name)
	set(&b.Description, d.Description)
	set(&b.Type, d.Type)
	set(&b.Recipients, d.Recipients)
	set(&b.Steps, d.Steps)
	set(&b.RCSCheck, d.RCSCheck)
	set(&b.ChatbotID, d.ChatbotID)
}

func (h *Handler) listBroadcasts(w http.ResponseWriter, r *http.Request, c *call) error {
	_, bs, err := h.broadcasts()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.BroadcastColumns())
	if err != nil {
		return err
	}
	p, err := bs.ListBroadcasts(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	out := list[broadcastJSON]{Items: make([]broadcastJSON, len(p.Items)), Next: p.Next, Prev: p.Prev}
	for i := range p.Items {
		out.Items[i] = broadcastJSON{Broadcast: &p.Items[i], Progress: p.Items[i].Stats.Progress()}
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) createBroadcast(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, err := h.broadcasts()
	if err != nil {
		return err
	}
	var in broadcastInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var vs herald.Violations
	d := in.read(&vs)
	at, _ := parseTime(in.ScheduledAt, "scheduledAt", &vs)
	if err := vs.Err(); err != nil {
		return err
	}
	b := &herald.Broadcast{AccountID: c.key.AccountID, LaunchType: herald.LaunchAPI, ScheduledAt: at}
	d.apply(b)
	b, err = svc.Create(r.Context(), b, in.Launch)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/broadcasts/"+itoa(b.ID))
	return writeBroadcast(w, http.StatusCreated, b)
}

// loadBroadcast reads the {id} broadcast of the caller's account.
func (h *Handler) loadBroadcast(r *http.Request, c *call) (Broadcasts, BroadcastStore, *herald.Broadcast, error) {
	svc, bs, err := h.broadcasts()
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := bs.Broadcast(r.Context(), c.key.AccountID, id)
	return svc, bs, b, err
}

func (h *Handler) getBroadcast(w http.ResponseWriter, r *http.Request, c *call) error {
	_, _, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	return writeBroadcast(w, http.StatusOK, b)
}

func (h *Handler) updateBroadcast(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	var in broadcastInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var vs herald.Violations
	d := in.read(&vs)
	at, atSet := parseTime(in.ScheduledAt, "scheduledAt", &vs)
	if in.Launch {
		vs.Add("launch", herald.VUnknown, "Launch with POST /broadcasts/{id}/launch.")
	}
	if err := vs.Err(); err != nil {
		return err
	}
	d.apply(b)
	if atSet {
		b.ScheduledAt = at
	}
	b, err = svc.Update(r.Context(), b)
	if err != nil {
		return err
	}
	return writeBroadcast(w, http.StatusOK, b)
}

func (h *Handler) deleteBroadcast(w http.ResponseWriter, r *http.Request, c *call) error {
	_, bs, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	if err := bs.DeleteBroadcast(r.Context(), c.key.AccountID, b.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) countBroadcastRecipients(w http.ResponseWriter, r *http.Request, c *call) error {
	_, bs, err := h.broadcasts()
	if err != nil {
		return err
	}
	var in struct {
		Recipients herald.Recipients `json:"recipients"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := bs.CountRecipients(r.Context(), c.key.AccountID, in.Recipients)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

func (h *Handler) launchBroadcast(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	b, err = svc.Launch(r.Context(), c.key.AccountID, b.ID, herald.LaunchAPI)
	if err != nil {
		return err
	}
	return writeBroadcast(w, http.StatusOK, b)
}

func (h *Handler) scheduleBroadcast(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	var in struct {
		ScheduledAt json.RawMessage `json:"scheduledAt"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var vs herald.Violations
	at, _ := parseTime(in.ScheduledAt, "scheduledAt", &vs)
	if at == nil && !vs.Has("scheduledAt") {
		vs.Add("scheduledAt", herald.VRequired, "Give the time to launch at.")
	}
	if err := vs.Err(); err != nil {
		return err
	}
	if !b.Status.Launchable() {
		return herald.Errorf(herald.ECONFLICT, "The broadcast is %s; only drafts can be scheduled.", b.Status.Label())
	}
	if err := (&herald.Broadcast{Name: "x", ScheduledAt: at}).CheckLaunch(h.now()); hasField(err, "scheduledAt") {
		return herald.Violations{{Field: "scheduledAt", Code: herald.VRange, Message: "The scheduled time is in the past; choose a later time."}}.Err()
	}
	if b.Status != herald.BroadcastScheduled {
		b.ScheduledAt = at
		if b, err = svc.Update(r.Context(), b); err != nil {
			return err
		}
		b, err = svc.Launch(r.Context(), c.key.AccountID, b.ID, herald.LaunchAPI)
	} else {
		b.ScheduledAt = at
		b, err = svc.Update(r.Context(), b)
	}
	if err != nil {
		return err
	}
	return writeBroadcast(w, http.StatusOK, b)
}

// hasField reports whether err has a violation of field.
func hasField(err error, field string) bool {
	return herald.Violations(herald.ErrorViolations(err)).Has(field)
}

// now returns the API clock's time.
func (h *Handler) now() time.Time {
	if h.deps.Clock != nil {
		return h.deps.Clock.Now()
	}
	return time.Now()
}

// broadcastAction answers an action on the {id} broadcast.
func (h *Handler) broadcastAction(do func(s Broadcasts, ctx context.Context, accountID, id int64) (*herald.Broadcast, error)) func(w http.ResponseWriter, r *http.Request, c *call) error {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		svc, _, b, err := h.loadBroadcast(r, c)
		if err != nil {
			return err
		}
		if b, err = do(svc, r.Context(), c.key.AccountID, b.ID); err != nil {
			return err
		}
		return writeBroadcast(w, http.StatusOK, b)
	}
}

func (h *Handler) relaunchFailed(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	nb, err := svc.RelaunchFailed(r.Context(), c.key.AccountID, b.ID, herald.LaunchAPI)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/broadcasts/"+itoa(nb.ID))
	return writeBroadcast(w, http.StatusCreated, nb)
}

func (h *Handler) copyBroadcast(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	nb, err := svc.Copy(r.Context(), c.key.AccountID, b.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/broadcasts/"+itoa(nb.ID))
	return writeBroadcast(w, http.StatusCreated, nb)
}

// statisticsJSON is the answer of GET /broadcasts/{id}/statistics.
type statisticsJSON struct {
	ID       int64                  `json:"id"`
	Status   herald.BroadcastStatus `json:"status"`
	Fallback herald.FallbackStats   `json:"fallback"`
	Progress herald.Progress        `json:"progress"`
	Channels []herald.ChannelStats  `json:"channels"`
}

func (h *Handler) broadcastStatistics(w http.ResponseWriter, r *http.Request, c *call) error {
	_, bs, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	chans, err := bs.BroadcastChannelStats(r.Context(), c.key.AccountID, b.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, statisticsJSON{ID: b.ID, Status: b.Status, Fallback: b.Stats, Progress: b.Stats.Progress(), Channels: chans})
}

func (h *Handler) listBroadcastRecipients(w http.ResponseWriter, r *http.Request, c *call) error {
	_, bs, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.BroadcastRecipientColumns())
	if err != nil {
		return err
	}
	p, err := bs.ListBroadcastRecipients(r.Context(), c.key.AccountID, b.ID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

// exportBroadcastRecipients streams the recipients matching the filters
// as CSV from a database cursor, flushing as it goes: memory does not
// grow with the number of recipients.
func (h *Handler) exportBroadcastRecipients(w http.ResponseWriter, r *http.Request, c *call) error {
	_, bs, b, err := h.loadBroadcast(r, c)
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.BroadcastRecipientColumns())
	if err != nil {
		return err
	}
	if q.Sort == "" {
		q.Sort = "seq"
	}
	ctx := r.Context()
	if err := h.deps.Store.RecordAudit(ctx, &herald.AuditEntry{AccountID: c.key.AccountID, Action: "Exported broadcast recipients"}); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="broadcast-`+itoa(b.ID)+`-recipients.csv"`)
	hd.Set("Cache-Control", "no-store")
	if err := WriteRecipientsCSV(ctx, w, func(fn func(*herald.BroadcastRecipient) error) error {
		return bs.EachBroadcastRecipient(ctx, c.key.AccountID, b.ID, q, fn)
	}); err != nil {
		h.deps.Log.Error("exporting broadcast recipients", "broadcast", b.ID, "err", err)
	}
	return nil
}

// WriteRecipientsCSV writes a header and one CSV row per recipient that
// each yields, flushing every few hundred rows (and w too when it can), so
// a client sees the file grow. The portal's export uses it too.
func WriteRecipientsCSV(ctx context.Context, w http.ResponseWriter, each func(fn func(*herald.BroadcastRecipient) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"seq", "phone", "email", "contact_id", "state", "reason", "outcome", "channel", "status", "message_id", "updated_at", "result"}); err != nil {
		return err
	}
	n := 0
	err := each(func(x *herald.BroadcastRecipient) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ch, at := "", ""
		if x.Channel != 0 {
			ch = x.Channel.String()
		}
		if x.UpdatedAt != nil {
			at = x.UpdatedAt.UTC().Format(time.RFC3339)
		}
		// Phone numbers are E.164 ("+" and digits): no formula.
		row := []string{strconv.FormatInt(x.Seq, 10), x.Phone, defuseCell(x.Email), strconv.FormatInt(x.ContactID, 10), string(x.State),
			x.Reason, string(x.Outcome), ch, string(x.Status), x.MessageID, at, string(x.Result)}
		if err := cw.Write(row); err != nil {
			return err
		}
		if n++; n%256 == 0 {
			cw.Flush()
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		return cw.Error()
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// defuseCell keeps a spreadsheet from reading a cell as a formula.
func defuseCell(s string) string {
	if s != "" && bytes.ContainsRune([]byte("=+-@\t\r"), rune(s[0])) {
		return "'" + s
	}
	return s
}
