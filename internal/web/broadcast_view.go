package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/listquery"
)

// A broadcast's page shows its definition, status and statistics: the
// progress bar, the fallback statistics and the message statistics per
// channel, as numbers and charts. While the broadcast runs, the page
// follows it over server-sent events (GET /broadcasts/{id}/events): the
// server subscribes to the broadcast's progress on the events bus and
// sends the statistics section drawn again, so the page never reloads.

// broadcastView is the data of a broadcast's page.
type broadcastView struct {
	B       *herald.Broadcast
	Live    bool // the page follows the broadcast's progress
	Stats   *broadcastStats
	Steps   []herald.BroadcastStep
	Actions []broadcastAction // the actions that apply, for buttons
	Manage  bool
	Runs    []herald.Broadcast // the template's other runs
	Targets []herald.Target
}

// broadcastStats is the data of the "broadcaststats" partial: what the
// live stream redraws.
type broadcastStats struct {
	Status   herald.BroadcastStatus
	Stats    herald.FallbackStats
	Bar      *progressBar
	Channels []herald.ChannelStats
	Fallback template.HTML // donut chart
	Messages template.HTML // bar chart per channel
	Final    bool
}

// liveBroadcastEvent is the data of one server-sent event.
type liveBroadcastEvent struct {
	Status      herald.BroadcastStatus `json:"status"`
	StatusLabel string                 `json:"statusLabel"`
	StatusClass string                 `json:"statusClass"`
	Contacts    int                    `json:"contacts"`
	Progress    herald.Progress        `json:"progress"`
	Final       bool                   `json:"final"`
	HTML        string                 `json:"html"` // the statistics section
}

// newBroadcastStats reads b's per-channel statistics and draws the charts.
func (p *Portal) newBroadcastStats(ctx context.Context, b *herald.Broadcast) (*broadcastStats, error) {
	chs, err := p.bstore.BroadcastChannelStats(ctx, b.AccountID, b.ID)
	if err != nil {
		return nil, err
	}
	s := b.Stats
	st := &broadcastStats{Status: b.Status, Stats: s, Bar: newProgressBar(s, b.Status), Channels: chs, Final: b.Status.Final()}
	st.Fallback = donutChart("Fallback statistics", []chartPart{
		{Label: "Successful", Value: s.Successful, Class: "chart-ok"},
		{Label: "Unsuccessful", Value: s.Unsuccessful, Class: "chart-bad"},
		{Label: "In progress", Value: s.InProgress(), Class: "chart-info"},
		{Label: "Not initiated", Value: s.NotInitiated, Class: "chart-muted"},
	})
	groups := make([]chartGroup, 0, len(chs))
	for _, c := range chs {
		groups = append(groups, chartGroup{Label: c.Channel.Label(), Parts: []chartPart{
			{Label: "Sent", Value: c.Sent, Class: "chart-info"},
			{Label: "Delivered", Value: c.Delivered, Class: "chart-ok"},
			{Label: "Seen", Value: c.Seen, Class: "chart-seen"},
			{Label: "Failed", Value: c.Failed, Class: "chart-bad"},
			{Label: "Expired", Value: c.Expired, Class: "chart-warn"},
		}})
	}
	st.Messages = barChart("Message statistics by channel", groups)
	return st, nil
}

// showBroadcast shows a broadcast with its statistics.
func (p *Portal) showBroadcast(w http.ResponseWriter, r *http.Request) {
	_, b, ok := p.loadBroadcast(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	stats, err := p.newBroadcastStats(ctx, b)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v := &broadcastView{B: b, Stats: stats, Steps: b.Steps, Manage: state(r).User.Can(herald.PermBroadcastsManage),
		Live: b.Status.Running() || b.Status == herald.BroadcastScheduled || b.Status == herald.BroadcastModeration}
	for _, a := range broadcastActionList() {
		if a.applies(b) {
			v.Actions = append(v.Actions, a)
		}
	}
	if b.TemplateID != 0 {
		q := herald.ListQuery{Limit: 20, Sort: "id", Desc: true,
			Filters: []herald.Filter{{Field: "templateId", Op: herald.OpEq, Value: fmt.Sprint(b.TemplateID)}}}
		runs, err := p.bstore.ListBroadcasts(ctx, b.AccountID, q)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		v.Runs = runs.Items
	}
	for _, id := range b.Recipients.TargetIDs {
		if p.contacts == nil {
			break
		}
		if t, err := p.contacts.Target(ctx, b.AccountID, id); err == nil {
			v.Targets = append(v.Targets, *t)
		}
	}
	pg := p.newPage(r, b.Name)
	pg.Active = "broadcast"
	pg.Data = v
	p.render(w, r, "broadcast", pg)
}

// renderStats draws the statistics section alone.
func (p *Portal) renderStats(st *broadcastStats) (string, error) {
	var buf bytes.Buffer
	if err := p.pages["broadcast"].ExecuteTemplate(&buf, "broadcaststats", st); err != nil {
		return "", fmt.Errorf("drawing broadcast statistics: %w", err)
	}
	return buf.String(), nil
}

// sseHeartbeat keeps a quiet stream open through proxies; ssePoll is how
// often the stream reads the store when there is no events bus, and how
// often it reads it anyway (a process of another role may publish on a
// bus this one does not share).
// sseLifetime ends a stream after a while (the browser reconnects at
// once, as the retry field asks), so that a graceful shutdown never waits
// long for an open page.
const (
	sseHeartbeat = 10 * time.Second
	ssePoll      = 2 * time.Second
	sseLifetime  = 15 * time.Second
)

// broadcastEvents streams a broadcast's progress as server-sent events:
// the current state at once, then after every progress event of the
// broadcast on the events bus, until the broadcast is final or the
// browser goes away.
func (p *Portal) broadcastEvents(w http.ResponseWriter, r *http.Request) {
	_, b, ok := p.loadBroadcast(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout

	wake := make(chan struct{}, 1)
	if p.events != nil {
		unsub, err := p.events.Subscribe(herald.BroadcastSubject(b.AccountID, b.ID), func(string, []byte) {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		if err == nil {
			defer func() { _ = unsub() }()
		} else {
			p.log.Warn("subscribing to broadcast progress", "broadcast", b.ID, "err", err)
		}
	}
	ctx := r.Context()
	poll := time.NewTicker(ssePoll)
	defer poll.Stop()
	beat := time.NewTicker(sseHeartbeat)
	defer beat.Stop()
	end := time.NewTimer(sseLifetime)
	defer end.Stop()
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	var last string
	for {
		cur, err := p.bstore.Broadcast(ctx, b.AccountID, b.ID)
		if err != nil {
			return
		}
		ev, err := p.liveEvent(ctx, cur)
		if err != nil {
			p.log.Error("broadcast progress stream", "broadcast", b.ID, "err", err)
			return
		}
		if data := mustJSON(ev); data != last {
			last = data
			if _, err := fmt.Fprintf(w, "event: progress\ndata: %s\n\n", data); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
		if ev.Final {
			_, _ = fmt.Fprint(w, "event: end\ndata: {}\n\n")
			_ = rc.Flush()
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-wake:
		case <-poll.C:
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			_ = rc.Flush()
		}
	}
}

// liveEvent returns the event that shows b's progress.
func (p *Portal) liveEvent(ctx context.Context, b *herald.Broadcast) (liveBroadcastEvent, error) {
	st, err := p.newBroadcastStats(ctx, b)
	if err != nil {
		return liveBroadcastEvent{}, err
	}
	html, err := p.renderStats(st)
	if err != nil {
		return liveBroadcastEvent{}, err
	}
	return liveBroadcastEvent{Status: b.Status, StatusLabel: b.Status.Label(), StatusClass: broadcastStatusClass(b.Status),
		Contacts: b.Contacts, Progress: b.Stats.Progress(),
		Final: st.Final, HTML: html}, nil
}

// runsLink is the Broadcasts tab filtered to a template's runs.
func runsLink(templateID int64) string {
	v := url.Values{}
	v.Set(listquery.FilterPrefix+"templateId", listquery.FormatFilter(herald.Filter{Field: "templateId", Op: herald.OpEq, Value: fmt.Sprint(templateID)}))
	return broadcastsPath + "?" + v.Encode()
}

// waitLabel writes a waiting time in seconds for people: "10 min".
func waitLabel(secs int) string {
	v, unit := waitInputs(secs)
	switch unit {
	case "h":
		return v + " h"
	case "min":
		if v == "" {
			return "the default time"
		}
		return v + " min"
	}
	return v + " s"
}

// stepPreview is a one-line summary of a step's content.
func stepPreview(s herald.BroadcastStep) string {
	if len(s.Payload) == 0 {
		return "no content"
	}
	c, err := content.Decode(s.Channel, s.Payload)
	if err != nil {
		return "content to correct"
	}
	return c.Preview()
}
