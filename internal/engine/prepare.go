package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/render"
)

// Request limits.
const (
	maxSteps       = 10
	maxWaitingTime = 7 * 24 * time.Hour
	maxValidity    = 30 * 24 * time.Hour
	maxScheduleAt  = 366 * 24 * time.Hour
)

// stepPrefix returns the field prefix of step i's violations.
func stepPrefix(req *herald.SendRequest, i int) string {
	if req.Chain {
		return fmt.Sprintf("messages[%d].", i)
	}
	return ""
}

// checkRequest checks the fields that need no lookup.
func (e *Engine) checkRequest(req *herald.SendRequest, vs *herald.Violations) {
	switch {
	case len(req.Steps) == 0 && req.Chain:
		vs.Add("messages", herald.VRequired, "Give at least one message in the chain.")
	case len(req.Steps) > maxSteps:
		vs.Add("messages", herald.VTooLong, "A chain has at most %d messages (it has %d).", maxSteps, len(req.Steps))
	}
	if req.Contact.Empty() && !vs.Has("contact") {
		vs.Add("contact", herald.VRequired, "Name the recipient: a phone number, an e-mail address or a contact ID.")
	}
	if req.Webhook != "" {
		if u, err := url.Parse(req.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			vs.Add("webhook", herald.VFormat, "The webhook must be an http:// or https:// URL.")
		}
	}
	vs.CheckLen("webhook", req.Webhook, false, 2048)
	vs.CheckLen("callbackData", req.CallbackData, false, 1024)
	vs.CheckLen("correlationId", req.CorrelationID, false, 128)
	if req.Validity < 0 || req.Validity > maxValidity {
		vs.Add("validity", herald.VRange, "The validity must be from 1 second to 30 days.")
	}
	if req.SendAt != nil && req.SendAt.After(e.now().Add(maxScheduleAt)) {
		vs.Add("sendAt", herald.VRange, "A message can be scheduled at most a year ahead.")
	}
	for i, s := range req.Steps {
		p := stepPrefix(req, i)
		if !s.Channel.Valid() && !vs.Has(p+"channel") {
			vs.Add(p+"channel", herald.VUnknown, "Unknown channel %d; use 1 (SMS) to %d.", s.Channel, len(herald.AllChannels()))
		}
		vs.CheckLen(p+"senderId", s.SenderID, true, 64)
		switch {
		case len(s.Payload) > 0 && s.Template != nil:
			vs.Add(p+"template", herald.VFormat, "Give a payload or a template, not both.")
		case len(s.Payload) == 0 && s.Template == nil:
			vs.Add(p+"payload", herald.VRequired, "Give the message content as a payload (such as {\"text\": \"Hello\"}) or a template.")
		case s.Template != nil && s.Template.ID <= 0:
			vs.Add(p+"template.id", herald.VRequired, "Give the ID of the content template to send.")
		}
		if req.Chain {
			if s.Criterion != "" && !s.Criterion.Valid() {
				vs.Add(p+"successCriterion", herald.VUnknown, "The success criterion must be submit, delivery or display.")
			}
			if s.WaitingTime < 0 || s.WaitingTime > maxWaitingTime {
				vs.Add(p+"waitingTime", herald.VRange, "The waiting time must be from 0 to %d seconds.", int(maxWaitingTime.Seconds()))
			}
		}
	}
}

// resolveContact finds (or with CreateRecipient creates) the contact the
// request names. It returns nil and no error when contacts are not
// available or the address belongs to no contact.
func (e *Engine) resolveContact(ctx context.Context, req *herald.SendRequest, vs *herald.Violations) (*herald.Contact, error) {
	ref, dir := &req.Contact, e.deps.Contacts
	if ref.Phone != "" {
		p, ok := normalizePhone(ref.Phone)
		if !ok {
			vs.Add("contact", herald.VFormat, "%q is not a valid phone number: use the international format, such as +34600111222.", ref.Phone)
			return nil, nil
		}
		ref.Phone = p
	}
	if ref.Email != "" && !validEmail(strings.TrimSpace(ref.Email)) {
		vs.Add("contact", herald.VFormat, "%q is not a valid e-mail address, such as ana@example.com.", ref.Email)
		return nil, nil
	}
	if dir == nil {
		if ref.ID != 0 {
			vs.Add("contact", herald.VUnknown, "Contacts are not available; send to a phone number or an e-mail address.")
		}
		return nil, nil
	}
	ch, addr := contactAddress(req)
	var c *herald.Contact
	var err error
	switch {
	case ref.ID != 0:
		c, err = dir.Contact(ctx, req.AccountID, ref.ID)
	case req.CreateRecipient:
		c, _, err = dir.EnsureContact(ctx, req.AccountID, ch, addr)
	default:
		c, err = e.contactByAddress(ctx, req.AccountID, ch, addr)
		if herald.IsNotFound(err) {
			return nil, nil
		}
	}
	switch herald.ErrorCode(err) {
	case "":
		return c, nil
	case herald.ENOTFOUND:
		vs.Add("contact", herald.VUnknown, "No contact with ID %d.", ref.ID)
	case herald.EINVALID:
		vs.Add("contact", herald.VFormat, "%s", herald.ErrorMessage(err))
	default:
		return nil, fmt.Errorf("resolving the contact: %w", err)
	}
	return nil, nil
}

// contactAddress returns the channel and address by which the request's
// contact is looked up.
func contactAddress(req *herald.SendRequest) (herald.Channel, string) {
	ref := req.Contact
	switch {
	case ref.Phone != "":
		return herald.ChannelSMS, ref.Phone
	case ref.Email != "":
		return herald.ChannelEmail, ref.Email
	case len(req.Steps) > 0:
		return req.Steps[0].Channel, ref.Address
	}
	return herald.ChannelSMS, ref.Address
}

// destination returns the address of the recipient on ch.
func destination(ref herald.ContactRef, c *herald.Contact, ch herald.Channel) string {
	switch ch.Address() {
	case herald.AddressPhone:
		if c != nil && c.Phone != "" {
			return c.Phone
		}
		return ref.Phone
	case herald.AddressEmail:
		if c != nil && c.Email != "" {
			return c.Email
		}
		return ref.Email
	}
	if c != nil && c.Identities[ch.String()] != "" {
		return c.Identities[ch.String()]
	}
	return ref.Address
}

// validEmail reports whether addr is a bare e-mail address (no display
// name, no comments).
func validEmail(addr string) bool {
	a, err := mail.ParseAddress(addr)
	return err == nil && a.Name == "" && a.Address == addr
}

// normalizePhone returns a phone number as + and its digits, accepting
// spaces, dots, dashes, parentheses and a leading 00; false unless it has
// 8 to 15 digits.
func normalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "00"); ok {
		s = "+" + rest
	}
	var b strings.Builder
	b.WriteByte('+')
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", false
		}
	}
	n := b.Len() - 1
	return b.String(), n >= 8 && n <= 15 && b.String()[1] != '0'
}

// prepareStep routes, personalises and checks one step. personalized
// reports whether its content held placeholders, whose values may come
// from c.
func (e *Engine) prepareStep(ctx context.Context, req *herald.SendRequest, i int, c *herald.Contact, vs *herald.Violations) (step herald.ChainStep, personalized bool, err error) {
	s, p := req.Steps[i], stepPrefix(req, i)
	step = herald.ChainStep{Channel: s.Channel, Criterion: s.Criterion, WaitingTime: int(s.WaitingTime / time.Second), Template: s.Template}
	if step.Criterion == "" {
		step.Criterion = herald.CriterionDelivery
	}
	if step.Destination = destination(req.Contact, c, s.Channel); step.Destination == "" {
		vs.Add(p+"channel", herald.VRequired, "The contact has no %s address for %s.", s.Channel.Address(), s.Channel.Label())
	} else if s.Channel == herald.ChannelEmail && !validEmail(step.Destination) && !vs.Has("contact") {
		vs.Add("contact", herald.VFormat, "%q is not a valid e-mail address, such as ana@example.com.", step.Destination)
	}
	if err := e.route(ctx, req, i, &step, vs); err != nil {
		return step, false, err
	}
	raw, params, err := e.content(ctx, req, i, vs)
	if err != nil || raw == nil {
		return step, false, err
	}
	// A payload is personalised leniently (an attribute the contact lacks
	// is empty text); a template strictly: its variables are its contract.
	r := &render.Renderer{Options: render.Options{EmptyMissingAttributes: s.Template == nil}, Params: params}
	if c != nil {
		r.Attrs = c.Attributes
	}
	pc := prepareContent(s.Channel, raw, r, p, s.Template != nil, vs)
	step.Payload, step.Encoding, step.Segments = pc.payload, pc.encoding, pc.segments
	return step, r.Personalized, nil
}

// route finds the step's sender ID and connection, and checks that the
// API key may use it.
func (e *Engine) route(ctx context.Context, req *herald.SendRequest, i int, step *herald.ChainStep, vs *herald.Violations) error {
	s, p := req.Steps[i], stepPrefix(req, i)
	if !s.Channel.Valid() || s.SenderID == "" {
		return nil
	}
	if !req.APIKey.AllowsSender(s.SenderID) {
		vs.Add(p+"senderId", herald.VPolicy, "This API key may not send from the sender ID %q.", s.SenderID)
		return nil
	}
	sender, err := e.routes.sender(ctx, req.AccountID, s.Channel, s.SenderID)
	if herald.IsNotFound(err) {
		vs.Add(p+"senderId", herald.VUnknown, "The account has no sender ID %q on %s.", s.SenderID, s.Channel.Label())
		return nil
	} else if err != nil {
		return fmt.Errorf("finding the sender ID: %w", err)
	}
	if !sender.Routable() {
		vs.Add(p+"senderId", herald.VPolicy, "%s", sender.NotRoutable())
		return nil
	}
	step.SenderID, step.ConnectionID = sender.Name, sender.ConnectionID
	return nil
}

// content returns the step's raw payload (its own or its template's) and
// the template parameters; nil when a violation was recorded.
func (e *Engine) content(ctx context.Context, req *herald.SendRequest, i int, vs *herald.Violations) (json.RawMessage, map[string]string, error) {
	s, p := req.Steps[i], stepPrefix(req, i)
	if s.Template == nil {
		return s.Payload, nil, nil
	}
	if s.Template.ID <= 0 { // reported by checkRequest
		return nil, nil, nil
	}
	if e.deps.Templates == nil {
		vs.Add(p+"template.id", herald.VUnknown, "Templates are not available yet; send the content as a payload.")
		return nil, nil, nil
	}
	t, err := e.deps.Templates.Template(ctx, req.AccountID, s.Template.ID)
	switch {
	case herald.IsNotFound(err):
		vs.Add(p+"template.id", herald.VUnknown, "No template with ID %d.", s.Template.ID)
		return nil, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("loading the template: %w", err)
	case t.Channel != s.Channel:
		vs.Add(p+"template.id", herald.VFormat, "Template %d is for %s, not %s.", t.ID, t.Channel.Label(), s.Channel.Label())
		return nil, nil, nil
	}
	params := s.Template.Params
	if params == nil {
		params = map[string]string{}
	}
	return t.Payload, params, nil
}
