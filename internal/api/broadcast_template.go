package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/heraldhq/herald"
)

func (h *Handler) broadcastTemplateRoutes() []Route {
	s := herald.ScopeBroadcast
	p := Prefix + "/broadcast-templates"
	return []Route{
		{Method: "GET", Path: p, Scope: s, Summary: "List broadcast templates", handle: h.listBroadcastTemplates},
		{Method: "POST", Path: p, Scope: s, Create: true, Summary: "Create a broadcast template, with an optional schedule", handle: h.createBroadcastTemplate},
		{Method: "GET", Path: p + "/{id}", Scope: s, Summary: "Get a broadcast template", handle: h.getBroadcastTemplate},
		{Method: "PATCH", Path: p + "/{id}", Scope: s, Summary: "Change a broadcast template or its schedule", handle: h.updateBroadcastTemplate},
		{Method: "DELETE", Path: p + "/{id}", Scope: s, Summary: "Delete a broadcast template (its runs stay)", handle: h.deleteBroadcastTemplate},
		{Method: "POST", Path: p + "/{id}/pause", Scope: s, Summary: "Pause a template's schedule", handle: h.templateAction((Broadcasts).PauseSchedule)},
		{Method: "POST", Path: p + "/{id}/resume", Scope: s, Summary: "Resume a template's schedule", handle: h.templateAction((Broadcasts).ResumeSchedule)},
		{Method: "POST", Path: p + "/{id}/copy", Scope: s, Create: true, Summary: "Copy a broadcast template (its schedule paused)", handle: h.copyBroadcastTemplate},
		{Method: "POST", Path: p + "/{id}/launch", Scope: s, Create: true, Summary: "Launch a run of a template now", handle: h.launchBroadcastTemplate},
	}
}

// readSchedule reads the template input's schedule: set reports whether
// it was given, s is nil for null.
func readSchedule(raw json.RawMessage, vs *herald.Violations) (s *herald.Schedule, set bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	if string(raw) == "null" {
		return nil, true
	}
	s = &herald.Schedule{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(s); err != nil {
		vs.Add("schedule", herald.VFormat, "The schedule must be an object such as {\"kind\": \"daily\", \"time\": \"09:00\"}: %s.", err.Error())
		return nil, true
	}
	return s, true
}

// applyTemplate copies the definition onto t.
func (d definition) applyTemplate(t *herald.BroadcastTemplate) {
	set(&t.Name, d.Name)
	set(&t.Description, d.Description)
	set(&t.Type, d.Type)
	set(&t.Recipients, d.Recipients)
	set(&t.Steps, d.Steps)
	set(&t.RCSCheck, d.RCSCheck)
	set(&t.ChatbotID, d.ChatbotID)
}

// readTemplateInput reads a template body, refusing the fields of broadcasts.
func readTemplateInput(in *broadcastInput, vs *herald.Violations) (definition, *herald.Schedule, bool) {
	d := in.read(vs)
	if len(in.ScheduledAt) > 0 {
		vs.Add("scheduledAt", herald.VUnknown, "A template launches by its schedule: give schedule instead.")
	}
	if in.Launch {
		vs.Add("launch", herald.VUnknown, "Launch a template with POST /broadcast-templates/{id}/launch.")
	}
	s, set := readSchedule(in.Schedule, vs)
	return d, s, set
}

func (h *Handler) listBroadcastTemplates(w http.ResponseWriter, r *http.Request, c *call) error {
	_, bs, err := h.broadcasts()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.BroadcastTemplateColumns())
	if err != nil {
		return err
	}
	p, err := bs.ListBroadcastTemplates(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createBroadcastTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, err := h.broadcasts()
	if err != nil {
		return err
	}
	var in broadcastInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var vs herald.Violations
	d, sched, _ := readTemplateInput(&in, &vs)
	if err := vs.Err(); err != nil {
		return err
	}
	t := &herald.BroadcastTemplate{AccountID: c.key.AccountID, Schedule: sched}
	d.applyTemplate(t)
	if t, err = svc.CreateTemplate(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/broadcast-templates/"+itoa(t.ID))
	return writeJSON(w, http.StatusCreated, t)
}

// loadTemplate reads the {id} template of the caller's account.
func (h *Handler) loadTemplate(r *http.Request, c *call) (Broadcasts, BroadcastStore, *herald.BroadcastTemplate, error) {
	svc, bs, err := h.broadcasts()
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := bs.BroadcastTemplate(r.Context(), c.key.AccountID, id)
	return svc, bs, t, err
}

func (h *Handler) getBroadcastTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	_, _, t, err := h.loadTemplate(r, c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (h *Handler) updateBroadcastTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, t, err := h.loadTemplate(r, c)
	if err != nil {
		return err
	}
	var in broadcastInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var vs herald.Violations
	d, sched, schedSet := readTemplateInput(&in, &vs)
	if err := vs.Err(); err != nil {
		return err
	}
	d.applyTemplate(t)
	if schedSet {
		t.Schedule = sched
	}
	if t, err = svc.UpdateTemplate(r.Context(), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (h *Handler) deleteBroadcastTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	_, bs, t, err := h.loadTemplate(r, c)
	if err != nil {
		return err
	}
	if err := bs.DeleteBroadcastTemplate(r.Context(), c.key.AccountID, t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// templateAction answers an action on the {id} template.
func (h *Handler) templateAction(do func(s Broadcasts, ctx context.Context, accountID, id int64) (*herald.BroadcastTemplate, error)) func(w http.ResponseWriter, r *http.Request, c *call) error {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		svc, _, t, err := h.loadTemplate(r, c)
		if err != nil {
			return err
		}
		if t, err = do(svc, r.Context(), c.key.AccountID, t.ID); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, t)
	}
}

func (h *Handler) copyBroadcastTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, t, err := h.loadTemplate(r, c)
	if err != nil {
		return err
	}
	nt, err := svc.CopyTemplate(r.Context(), c.key.AccountID, t.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/broadcast-templates/"+itoa(nt.ID))
	return writeJSON(w, http.StatusCreated, nt)
}

func (h *Handler) launchBroadcastTemplate(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, _, t, err := h.loadTemplate(r, c)
	if err != nil {
		return err
	}
	b, err := svc.LaunchTemplate(r.Context(), c.key.AccountID, t.ID, herald.LaunchAPI)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/broadcasts/"+itoa(b.ID))
	return writeBroadcast(w, http.StatusCreated, b)
}
