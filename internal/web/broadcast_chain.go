package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// The "chain" partial is the part of the broadcast and broadcast template
// forms they share: the type, the recipients (targets, tags, typed or
// pasted numbers, with their live count) and the fallback chain, one step
// per channel, each with the message constructor. Steps are posted as
// parallel lists in the order of the page ("step.channel",
// "step.payload", "step.senderId", ...), so adding, removing and
// reordering steps is moving their fieldsets; the server's violations of
// "steps[i].x" come back beside step i's field.

// Names of the step inputs; each is posted once per step.
const (
	stepChannel    = "step.channel"
	stepPayload    = "step.payload"
	stepSender     = "step.senderId"
	stepTemplate   = "step.templateId"
	stepParams     = "step.params"
	stepCriterion  = "step.successCriterion"
	stepWait       = "step.wait"
	stepWaitUnit   = "step.waitUnit"
	fieldTargets   = "recipients.targetIds"
	fieldTags      = "recipients.tags"
	fieldPhones    = "recipients.phones"
	maxPickTargets = 500 // targets offered in the picker
)

// definition is what the broadcast and template forms set.
type definition struct {
	Name, Description string
	Type              herald.BroadcastType
	Recipients        herald.Recipients
	Steps             []herald.BroadcastStep
	RCSCheck          bool
	ChatbotID         int64
}

// chainFields are the form's own inputs, for errors beside them.
func chainFields(more ...string) []string {
	return append([]string{"name", "description", "type", "recipients", fieldTargets, fieldTags, fieldPhones,
		"steps", "rcsCheck", "chatbotId"}, more...)
}

// rawStep is one step as its inputs hold it.
type rawStep struct {
	Channel                                                herald.Channel
	Payload, SenderID, TemplateID, Params, Criterion, Wait string
	Unit                                                   string
}

// postedSteps reads the steps' inputs in the order of the page.
func postedSteps(r *http.Request) []rawStep {
	f := r.PostForm
	at := func(name string, i int) string {
		if vs := f[name]; i < len(vs) {
			return vs[i]
		}
		return ""
	}
	var out []rawStep
	for i := range f[stepChannel] {
		ch, _ := herald.ParseChannel(at(stepChannel, i)) // 0 when unknown: the domain says so
		out = append(out, rawStep{Channel: ch, Payload: at(stepPayload, i), SenderID: at(stepSender, i),
			TemplateID: at(stepTemplate, i), Params: at(stepParams, i), Criterion: at(stepCriterion, i),
			Wait: at(stepWait, i), Unit: at(stepWaitUnit, i)})
	}
	return out
}

// storedSteps turns saved steps into their inputs' values.
func storedSteps(steps []herald.BroadcastStep) []rawStep {
	out := make([]rawStep, 0, len(steps))
	for _, s := range steps {
		rs := rawStep{Channel: s.Channel, Payload: string(s.Payload), SenderID: s.SenderID, Criterion: string(s.Criterion)}
		rs.Wait, rs.Unit = waitInputs(s.WaitingTime)
		if s.Template != nil {
			rs.TemplateID = strconv.FormatInt(s.Template.ID, 10)
			var lines []string
			for k, v := range s.Template.Params {
				lines = append(lines, k+"="+v)
			}
			rs.Params = strings.Join(lines, "\n")
		}
		out = append(out, rs)
	}
	return out
}

// waitInputs writes a waiting time in seconds in its largest whole unit.
func waitInputs(secs int) (string, string) {
	switch {
	case secs == 0:
		return "", "min"
	case secs%3600 == 0:
		return strconv.Itoa(secs / 3600), "h"
	case secs%60 == 0:
		return strconv.Itoa(secs / 60), "min"
	}
	return strconv.Itoa(secs), "s"
}

// waitSeconds reads a waiting time; ok is false when it is not a number.
func waitSeconds(value, unit string) (int, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, true
	}
	n, err := strconv.Atoi(value)
	if err != nil || n <= 0 {
		return 0, false
	}
	switch unit {
	case "h":
		return n * 3600, true
	case "min":
		return n * 60, true
	}
	return n, true
}

// step turns the inputs into a step, adding what cannot be read to vs.
func (rs rawStep) step(i int, vs *herald.Violations) herald.BroadcastStep {
	p := "steps[" + strconv.Itoa(i) + "]."
	s := herald.BroadcastStep{Channel: rs.Channel, SenderID: rs.SenderID, Criterion: herald.Criterion(rs.Criterion)}
	if !rs.Channel.Valid() {
		vs.Add(p+"channel", herald.VUnknown, "Choose the step's channel.")
	}
	w, ok := waitSeconds(rs.Wait, rs.Unit)
	if !ok {
		vs.Add(p+"waitingTime", herald.VFormat, "The waiting time is a whole number of seconds, minutes or hours.")
	}
	s.WaitingTime = w
	if id, err := strconv.ParseInt(strings.TrimSpace(rs.TemplateID), 10, 64); err == nil && id > 0 {
		s.Template = &herald.TemplateRef{ID: id, Params: map[string]string{}}
		for _, line := range lines(rs.Params) {
			k, v, _ := strings.Cut(line, "=")
			if k = strings.TrimSpace(k); k != "" {
				s.Template.Params[k] = strings.TrimSpace(v)
			}
		}
		return s
	}
	if strings.TrimSpace(rs.Payload) != "" {
		s.Payload = json.RawMessage(rs.Payload)
	}
	return s
}

// readDefinition reads the shared inputs of the broadcast and template
// forms; what cannot be read goes to vs.
func readDefinition(r *http.Request, vs *herald.Violations) definition {
	f := r.PostForm
	d := definition{Name: f.Get("name"), Description: f.Get("description"), Type: herald.BroadcastType(f.Get("type")),
		RCSCheck: f.Get("rcsCheck") != ""}
	d.Recipients.TargetIDs = []int64{}
	for _, v := range f[fieldTargets] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			d.Recipients.TargetIDs = append(d.Recipients.TargetIDs, id)
		}
	}
	d.Recipients.Tags = f[fieldTags]
	d.Recipients.Phones = herald.SplitPhones(f.Get(fieldPhones))
	if id, err := strconv.ParseInt(f.Get("chatbotId"), 10, 64); err == nil {
		d.ChatbotID = id
	}
	for i, rs := range postedSteps(r) {
		s := rs.step(i, vs)
		if d.Type == herald.BroadcastRCSCheck {
			s.Payload, s.Template = nil, nil // a capability check sends nothing
		}
		d.Steps = append(d.Steps, s)
	}
	if d.RCSCheck && !(&herald.Broadcast{Steps: d.Steps}).HasChannel(herald.ChannelRCS) {
		d.RCSCheck = false // the toggle only exists with RCS in the chain
	}
	return d
}

// stepView is one step of the chain partial.
type stepView struct {
	N           int // from 1
	Raw         rawStep
	Constructor *constructorData
	Errors      map[string]string // by input: channel, senderId, template, successCriterion, waitingTime
	Other       []string          // violations of the step without an input of their own
}

// Err returns the error beside the step's input name.
func (s *stepView) Err(name string) string { return s.Errors[name] }

// chainData is the data of the chain partial.
type chainData struct {
	Form      *form
	Targets   []herald.Target
	Tags      []herald.Tag
	Senders   []herald.SenderID
	Templates []herald.Template // content templates
	Steps     []*stepView
	Blank     *stepView // the step "Add channel" adds
	Channels  []herald.Channel
	CountURL  string
	Template  bool // the form is a broadcast template's (sender IDs optional)
}

// chainPicks fills the account's targets, tags, sender IDs and content
// templates for the pickers.
func (p *Portal) chainPicks(r *http.Request, d *chainData) error {
	ctx := r.Context()
	acc := state(r).User.AccountID
	if p.contacts != nil {
		page, err := p.contacts.ListTargets(ctx, acc, herald.ListQuery{Limit: maxPickTargets, Sort: "name"})
		if err != nil {
			return err
		}
		d.Targets = page.Items
		if d.Tags, err = p.contacts.Tags(ctx, acc); err != nil {
			return err
		}
	}
	if p.messages != nil {
		var err error
		if d.Senders, err = p.messages.Senders(ctx, acc); err != nil {
			return err
		}
	}
	if p.templates != nil {
		page, err := p.templates.ListTemplates(ctx, acc, herald.ListQuery{Limit: maxPickTargets, Sort: "name"})
		if err != nil {
			return err
		}
		d.Templates = page.Items
	}
	return nil
}

// newChain returns the chain partial's data for steps, with err's
// violations: those of step i beside its inputs, the others on f.
func (p *Portal) newChain(r *http.Request, f *form, steps []rawStep, err error) (*chainData, error) {
	d := &chainData{Form: f, Channels: constructorChannels(), CountURL: broadcastsPath + "/count"}
	if e := p.chainPicks(r, d); e != nil {
		return nil, e
	}
	perStep, rest := splitStepViolations(herald.ErrorViolations(err))
	for i, rs := range steps {
		sv, e := p.newStepView(r, i, rs, perStep[i])
		if e != nil {
			return nil, e
		}
		d.Steps = append(d.Steps, sv)
	}
	blank, e := p.newStepView(r, -1, rawStep{Channel: herald.ChannelSMS, Criterion: string(herald.CriterionDelivery), Wait: "10", Unit: "min"}, nil)
	if e != nil {
		return nil, e
	}
	d.Blank = blank
	if err != nil {
		if len(rest) > 0 || len(herald.ErrorViolations(err)) == 0 {
			if len(rest) > 0 {
				f.setError(rest.Err())
			} else {
				f.setError(err)
			}
		}
		if f.Message == "" {
			f.Message = "Please correct the fields marked below."
		}
	}
	return d, nil
}

// newStepView builds step i (-1: the blank step of "Add channel").
func (p *Portal) newStepView(r *http.Request, i int, rs rawStep, vs []herald.Violation) (*stepView, error) {
	ch := rs.Channel
	if !constructorChannel(ch) {
		ch = herald.ChannelSMS
	}
	payload := rs.Payload
	if payload == "null" {
		payload = ""
	}
	c, err := p.newConstructor(r, ch, payload)
	if err != nil {
		return nil, err
	}
	c.ChannelName, c.PayloadName = stepChannel, stepPayload
	if i < 0 {
		c.IDPrefix = "s__-"
	} else {
		c.IDPrefix = "s" + strconv.Itoa(i) + "-"
	}
	sv := &stepView{N: i + 1, Raw: rs, Constructor: c, Errors: map[string]string{}}
	var payloadErrs []herald.Violation
	for _, v := range vs {
		switch {
		case v.Field == "payload" || strings.HasPrefix(v.Field, "payload.") || strings.HasPrefix(v.Field, "payload["):
			payloadErrs = append(payloadErrs, v)
			if v.Field == "payload" {
				sv.Other = append(sv.Other, v.Message) // no field of its own in the constructor
			}
		case strings.HasPrefix(v.Field, "template"):
			sv.Errors["template"] = strings.TrimSpace(sv.Errors["template"] + " " + v.Message)
		case v.Field == "channel" || v.Field == "senderId" || v.Field == "successCriterion" || v.Field == "waitingTime":
			sv.Errors[v.Field] = strings.TrimSpace(sv.Errors[v.Field] + " " + v.Message)
		default:
			sv.Other = append(sv.Other, v.Message)
		}
	}
	if len(payloadErrs) > 0 {
		_ = c.setErrors(herald.Violations(payloadErrs).Err())
	}
	return sv, nil
}

// splitStepViolations sorts violations of "steps[i].x" by step (with the
// field "x") from the others.
func splitStepViolations(vs []herald.Violation) (map[int][]herald.Violation, herald.Violations) {
	per := map[int][]herald.Violation{}
	var rest herald.Violations
	for _, v := range vs {
		inner, ok := strings.CutPrefix(v.Field, "steps[")
		if !ok {
			rest = append(rest, v)
			continue
		}
		num, field, ok := strings.Cut(inner, "]")
		i, err := strconv.Atoi(num)
		if !ok || err != nil {
			rest = append(rest, v)
			continue
		}
		v.Field = strings.TrimPrefix(field, ".")
		per[i] = append(per[i], v)
	}
	return per, rest
}

// setDefinitionForm writes a saved definition into f's inputs.
func setDefinitionForm(f *form, d definition) {
	f.set("name", d.Name)
	f.set("description", d.Description)
	f.set("type", string(d.Type))
	for _, id := range d.Recipients.TargetIDs {
		f.Values.Add(fieldTargets, strconv.FormatInt(id, 10))
	}
	f.Values[fieldTags] = d.Recipients.Tags
	f.set(fieldPhones, strings.Join(d.Recipients.Phones, "\n"))
	if d.RCSCheck {
		f.set("rcsCheck", "on")
	}
	if d.ChatbotID != 0 {
		f.set("chatbotId", strconv.FormatInt(d.ChatbotID, 10))
	}
}

// Target reports whether target id is chosen on the form.
func (d *chainData) Target(id int64) bool { return d.Form.Has(fieldTargets, strconv.FormatInt(id, 10)) }

// Tag reports whether tag name is chosen on the form.
func (d *chainData) Tag(name string) bool { return d.Form.Has(fieldTags, name) }

// KnownSender reports whether the account can send from sender ID name
// on ch; a saved step's sender ID that it no longer has is still shown.
func (d *chainData) KnownSender(name string, ch herald.Channel) bool {
	for _, s := range d.Senders {
		if s.Name == name && s.Channel == ch {
			return true
		}
	}
	return false
}

// Type returns the form's broadcast type, fallback by default.
func (d *chainData) Type() string {
	if t := d.Form.Get("type"); t != "" {
		return t
	}
	return string(herald.BroadcastFallback)
}

// Criteria are the success criteria, for the step's select.
func (d *chainData) Criteria() []herald.Criterion {
	return []herald.Criterion{herald.CriterionDelivery, herald.CriterionSubmit, herald.CriterionDisplay}
}

// countResult is the answer of POST /broadcasts/count.
type countResult struct {
	Count int    `json:"count"`
	Error string `json:"error,omitempty"`
}

// countRecipients counts the contacts the form's recipients select now:
// the count shown live before launch.
func (p *Portal) countRecipients(w http.ResponseWriter, r *http.Request) {
	bs, ok := p.broadcastReads(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCheckBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The count needs the form's recipients.", http.StatusBadRequest)
		return
	}
	var vs herald.Violations
	d := readDefinition(r, &vs)
	b := &herald.Broadcast{Name: "count", Recipients: d.Recipients}
	b.Normalize()
	if b.Recipients.Empty() {
		writeJSON(w, countResult{})
		return
	}
	n, err := bs.CountRecipients(r.Context(), state(r).User.AccountID, b.Recipients)
	switch {
	case err == nil:
		writeJSON(w, countResult{Count: n})
	case herald.ErrorCode(err) == herald.EINVALID || herald.ErrorCode(err) == herald.ENOTFOUND:
		writeJSON(w, countResult{Error: herald.ErrorMessage(err)})
	default:
		p.log.Error("counting recipients", "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
	}
}

// addingStep reports whether the form was posted by the "Add channel"
// button of pages without scripts; steps are then the posted steps and a
// blank one, to draw the form again with.
func addingStep(r *http.Request) ([]rawStep, bool) {
	if r.PostForm.Get("action") != "add-step" {
		return nil, false
	}
	return append(postedSteps(r), rawStep{Channel: herald.ChannelSMS, Criterion: string(herald.CriterionDelivery), Wait: "10", Unit: "min"}), true
}
