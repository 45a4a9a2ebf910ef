package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// The Broadcast section (reference 001 section 7): the Broadcasts tab (every
// run, with its progress), the broadcast form (recipients, type, the
// fallback chain built in the message constructor, when to launch), a
// broadcast's page with live progress and statistics, and the Templates tab
// (broadcast templates with their schedules). The pages work on the
// broadcast service, so the checks before launch and moderation apply as
// they do in the API.

// Broadcasts is the broadcast service the pages launch and control
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

// Subscriber subscribes to the events bus (events.Bus does): fn is called
// for every event on subject until unsubscribe.
type Subscriber interface {
	Subscribe(subject string, fn func(subject string, data []byte)) (unsubscribe func() error, err error)
}

// errNoBroadcasts answers the broadcast pages in a process without them.
var errNoBroadcasts = herald.Errorf(herald.EUNAVAILABLE, "Broadcasts are not available in this process.")

// broadcastsPath is the Broadcasts tab.
const broadcastsPath = "/broadcasts"

// setBroadcastDeps fills the broadcast service, its store (from Store) and
// the events bus.
func (p *Portal) setBroadcastDeps(deps Deps) {
	p.broadcasts = deps.Broadcasts
	p.bstore, _ = deps.Store.(BroadcastStore)
	p.events = deps.Events
}

// broadcastDeps returns the service and its store, or fails the request
// with 503 when the process runs without them.
func (p *Portal) broadcastDeps(w http.ResponseWriter, r *http.Request) (Broadcasts, BroadcastStore, bool) {
	if p.broadcasts == nil || p.bstore == nil {
		p.fail(w, r, errNoBroadcasts)
		return nil, nil, false
	}
	return p.broadcasts, p.bstore, true
}

// broadcastReads returns the broadcast store for the pages that only read
// (and draw forms), or fails the request with 503.
func (p *Portal) broadcastReads(w http.ResponseWriter, r *http.Request) (BroadcastStore, bool) {
	if p.bstore == nil {
		p.fail(w, r, errNoBroadcasts)
		return nil, false
	}
	return p.bstore, true
}

// broadcastsTable is the Broadcasts table.
func broadcastsTable() tableSpec {
	return tableSpec{ID: "broadcasts", Path: broadcastsPath, Columns: herald.BroadcastColumns()}
}

// broadcastPath is the page of broadcast id.
func broadcastPath(id int64) string { return broadcastsPath + "/" + strconv.FormatInt(id, 10) }

// listBroadcasts shows the Broadcasts tab: every run, newest first.
func (p *Portal) listBroadcasts(w http.ResponseWriter, r *http.Request) {
	bs, ok := p.broadcastReads(w, r)
	if !ok {
		return
	}
	manage := state(r).User.Can(herald.PermBroadcastsManage)
	listPage[herald.Broadcast]{Spec: broadcastsTable(), Title: "Broadcasts", Active: "broadcast",
		Empty: "No broadcasts yet. A broadcast sends one fallback chain to many contacts at once.",
		List:  listInAccount(r, bs.ListBroadcasts),
		Row: func(pg *page, b *herald.Broadcast) (map[string]cell, []rowAction, *detailTable) {
			return broadcastCells(pg, b), broadcastActions(b, manage), nil
		},
	}.show(p, w, r, "broadcasts")
}

// broadcastCells are the cells of one broadcast run.
func broadcastCells(pg *page, b *herald.Broadcast) map[string]cell {
	c := map[string]cell{
		"id":          {Text: strconv.FormatInt(b.ID, 10), Mono: true, Href: broadcastPath(b.ID)},
		"name":        {Text: b.Name, Href: broadcastPath(b.ID)},
		"progress":    {Progress: newProgressBar(b.Stats, b.Status)},
		"type":        {Text: b.Type.Label()},
		"status":      {Text: b.Status.Label(), Status: broadcastStatusClass(b.Status)},
		"scheduledAt": {Text: pg.TimePtr(b.ScheduledAt)},
		"contacts":    {Text: strconv.Itoa(b.Contacts)},
		"launchedAt":  {Text: pg.TimePtr(b.LaunchedAt)},
		"launchType":  {Text: launchTypeLabel(b.LaunchType)},
		"finishedAt":  {Text: pg.TimePtr(b.FinishedAt)},
		"description": {Text: b.Description, Muted: true},
		"createdBy":   {Text: b.CreatedBy},
		"createdAt":   {Text: pg.Time(b.CreatedAt)},
	}
	if b.TemplateID != 0 {
		c["templateId"] = cell{Text: strconv.FormatInt(b.TemplateID, 10), Mono: true, Href: broadcastTemplatePath(b.TemplateID)}
	}
	return c
}

// Running reports whether a row of the table shows a running broadcast's
// progress: the Broadcasts tab then refreshes itself.
func (t *table) Running() bool {
	for _, row := range t.Rows {
		for _, c := range row.Cells {
			if c.Progress != nil && c.Progress.Live {
				return true
			}
		}
	}
	return false
}

// launchTypeLabel names a launch type for people.
func launchTypeLabel(lt herald.LaunchType) string {
	switch lt {
	case herald.LaunchRecurrent:
		return "Recurrent"
	case herald.LaunchAPI:
		return "API"
	case herald.LaunchManual:
		return "Manual"
	}
	return string(lt)
}

// broadcastStatusClass is the badge class of a broadcast status.
func broadcastStatusClass(s herald.BroadcastStatus) string {
	switch s {
	case herald.BroadcastComplete:
		return "status status-ok"
	case herald.BroadcastFailed, herald.BroadcastAborted, herald.BroadcastRejected:
		return "status status-bad"
	case herald.BroadcastInProgress:
		return "status status-live"
	}
	return "status"
}

// progressBar is the data of a progress bar: the delivered and undelivered
// shares in percent, and the figures shown on hover.
type progressBar struct {
	Delivered, Undelivered int
	Title                  string
	Live                   bool // the broadcast is still running
}

// newProgressBar returns the progress bar of stats.
func newProgressBar(s herald.FallbackStats, status herald.BroadcastStatus) *progressBar {
	pr := s.Progress()
	return &progressBar{Delivered: pr.Delivered, Undelivered: pr.Undelivered, Live: status.Running(),
		Title: fmt.Sprintf("Delivered %d%% (%d), undelivered %d%% (%d), in progress %d, not initiated %d of %d contacts",
			pr.Delivered, s.Successful, pr.Undelivered, s.Unsuccessful+s.Skipped, s.InProgress(), s.NotInitiated, s.Total)}
}

// broadcastAction is one thing that can be done to a broadcast: its path
// under the broadcast, labels, and when it applies.
type broadcastAction struct {
	Name    string // path segment and form value
	Label   string
	Icon    string
	Danger  bool
	Confirm string // the question; "%s" is the broadcast's name
	Done    string // the flash after it; "%s" is the broadcast's name
	applies func(b *herald.Broadcast) bool
}

// broadcastActions lists the actions of the Broadcasts section.
func broadcastActionList() []broadcastAction {
	st := func(ss ...herald.BroadcastStatus) func(b *herald.Broadcast) bool {
		return func(b *herald.Broadcast) bool {
			for _, s := range ss {
				if b.Status == s {
					return true
				}
			}
			return false
		}
	}
	return []broadcastAction{
		{Name: "launch", Label: "Launch", Icon: "play", Confirm: "Launch the broadcast %s now (or at its scheduled time)?",
			Done: "Broadcast %s launched.", applies: func(b *herald.Broadcast) bool { return b.Status.Launchable() }},
		{Name: "pause", Label: "Pause", Icon: "pause", Confirm: "Pause the broadcast %s? Contacts not reached yet wait; chains in flight go on.",
			Done: "Broadcast %s paused.", applies: st(herald.BroadcastInProgress)},
		{Name: "resume", Label: "Resume", Icon: "play", Confirm: "Resume the broadcast %s?",
			Done: "Broadcast %s resumed.", applies: st(herald.BroadcastPaused)},
		{Name: "relaunch-failed", Label: "Relaunch for failed", Icon: "refresh",
			Confirm: "Launch a new run of %s for the contacts whose chain ended unsuccessfully?",
			Done:    "Relaunched %s for the failed contacts.", applies: st(herald.BroadcastComplete, herald.BroadcastAborted)},
		{Name: "copy", Label: "Copy", Icon: "copy", Confirm: "Copy the broadcast %s into a new draft?",
			Done: "Broadcast %s copied into a new draft.", applies: func(*herald.Broadcast) bool { return true }},
		{Name: "abort", Label: "Abort", Icon: "x", Danger: true,
			Confirm: "Abort the broadcast %s? Nobody new is sent to and running chains stop after their current message.",
			Done:    "Broadcast %s aborted.", applies: st(herald.BroadcastInProgress, herald.BroadcastPaused, herald.BroadcastScheduled, herald.BroadcastModeration)},
		{Name: "delete", Label: "Delete", Icon: "trash", Danger: true, Confirm: "Delete the broadcast %s? It never ran; this cannot be undone.",
			Done: "Broadcast %s deleted.", applies: func(b *herald.Broadcast) bool {
				return b.LaunchedAt == nil && !b.Status.Running() && b.Status != herald.BroadcastModeration
			}},
	}
}

// findBroadcastAction returns the action called name.
func findBroadcastAction(name string) (broadcastAction, bool) {
	for _, a := range broadcastActionList() {
		if a.Name == name {
			return a, true
		}
	}
	return broadcastAction{}, false
}

// broadcastActions are a broadcast's row buttons: view, edit while it is
// editable, and the actions that apply to its status.
func broadcastActions(b *herald.Broadcast, manage bool) []rowAction {
	href := broadcastPath(b.ID)
	out := []rowAction{{Label: "View", Icon: "eye", Href: href}}
	if !manage {
		return out
	}
	if b.Status.Editable() {
		out = append(out, rowAction{Label: "Edit", Icon: "edit", Href: href + "/edit"})
	}
	for _, a := range broadcastActionList() {
		if !a.applies(b) {
			continue
		}
		ra := rowAction{Label: a.Label, Icon: a.Icon, Href: href + "/" + a.Name, Danger: a.Danger}
		if a.Danger {
			ra.Confirm, ra.ConfirmButton = fmt.Sprintf(a.Confirm, b.Name), a.Label
		}
		out = append(out, ra)
	}
	return out
}

// loadBroadcast loads the {id} broadcast of the account; it answered when
// ok is false. The service is nil in a process without it.
func (p *Portal) loadBroadcast(w http.ResponseWriter, r *http.Request) (Broadcasts, *herald.Broadcast, bool) {
	bs, ok := p.broadcastReads(w, r)
	if !ok {
		return nil, nil, false
	}
	b, ok := loadByID(p, w, r, getInAccount(r, bs.Broadcast))
	return p.broadcasts, b, ok
}

// loadBroadcastFor loads the {id} broadcast to change it with the
// service; it answered when ok is false.
func (p *Portal) loadBroadcastFor(w http.ResponseWriter, r *http.Request) (Broadcasts, *herald.Broadcast, bool) {
	if _, _, ok := p.broadcastDeps(w, r); !ok {
		return nil, nil, false
	}
	return p.loadBroadcast(w, r)
}

// confirmBroadcastAction asks before an action (the page behind a row's
// button when scripts do not run, or for actions without a dialog).
func (p *Portal) confirmBroadcastAction(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, b, ok := p.loadBroadcast(w, r)
		if !ok {
			return
		}
		a, _ := findBroadcastAction(name)
		p.confirm(w, r, "broadcast", confirmData{Heading: a.Label + " broadcast",
			Message: fmt.Sprintf(a.Confirm, b.Name), Action: r.URL.Path, Button: a.Label, Cancel: broadcastPath(b.ID)})
	}
}

// doBroadcastAction runs an action and goes to the broadcast's page (a
// copy's or relaunch's new page, or the list after a delete).
func (p *Portal) doBroadcastAction(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		svc, b, ok := p.loadBroadcastFor(w, r)
		if !ok {
			return
		}
		a, _ := findBroadcastAction(name)
		acc, id := b.AccountID, b.ID
		back := broadcastPath(id)
		ctx := r.Context()
		var out *herald.Broadcast
		var err error
		switch name {
		case "launch":
			out, err = svc.Launch(ctx, acc, id, herald.LaunchManual)
		case "pause":
			out, err = svc.Pause(ctx, acc, id)
		case "resume":
			out, err = svc.Resume(ctx, acc, id)
		case "abort":
			out, err = svc.Abort(ctx, acc, id)
		case "relaunch-failed":
			out, err = svc.RelaunchFailed(ctx, acc, id, herald.LaunchManual)
		case "copy":
			out, err = svc.Copy(ctx, acc, id)
		case "delete":
			err = p.bstore.DeleteBroadcast(ctx, acc, id)
			back = broadcastsPath
		}
		if err == nil && out != nil {
			back = broadcastPath(out.ID)
			if name == "copy" {
				back += "/edit"
			}
		}
		msg := fmt.Sprintf(a.Done, b.Name)
		if out != nil && out.Status == herald.BroadcastModeration {
			msg = "Broadcast " + b.Name + " sent to moderation."
		} else if out != nil && out.Status == herald.BroadcastScheduled {
			msg = "Broadcast " + b.Name + " scheduled for " + p.timeIn(r, out.ScheduledAt) + "."
		}
		p.afterAction(w, r, err, back, msg)
	}
}

// broadcastActionRoutes are the GET (confirm) and POST (do) routes of
// every broadcast action.
func (p *Portal) broadcastActionRoutes() []route {
	var out []route
	for _, a := range broadcastActionList() {
		path := broadcastsPath + "/{id}/" + a.Name
		out = append(out,
			route{"GET " + path, need(herald.PermBroadcastsManage), p.confirmBroadcastAction(a.Name)},
			route{"POST " + path, need(herald.PermBroadcastsManage), p.doBroadcastAction(a.Name)})
	}
	return out
}

// moderated reports whether the account's broadcasts go to moderation.
func (p *Portal) moderated(ctx context.Context, accountID int64) bool {
	on, err := p.bstore.BroadcastModeration(ctx, accountID)
	return err == nil && on
}
