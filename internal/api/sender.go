package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/senders"
)

// Sender IDs: an account lists its sender IDs of every channel and makes,
// edits and cancels registration requests for SMS and RCS ones
// (reference 001 section 12.2). The system owner's review is in the
// portal: API keys belong to an account.

func (h *Handler) senderRoutes() []Route {
	s := herald.ScopeDIDs
	return []Route{
		{Method: "GET", Path: Prefix + "/senders", Scope: s, Summary: "List the account's sender IDs", handle: h.listSenders},
		{Method: "POST", Path: Prefix + "/senders", Scope: s, Create: true, Summary: "Request an SMS or RCS sender ID", handle: h.createSender},
		{Method: "GET", Path: Prefix + "/senders/{id}", Scope: s, Summary: "Get a sender ID with its status and registration", handle: h.getSender},
		{Method: "PATCH", Path: Prefix + "/senders/{id}", Scope: s, Summary: "Change a registration request, as its status allows", handle: h.updateSender},
		{Method: "POST", Path: Prefix + "/senders/{id}/cancel", Scope: s, Summary: "Cancel a registration request or sender ID", handle: h.cancelSender},
		{Method: "DELETE", Path: Prefix + "/senders/{id}", Scope: s, Summary: "Delete a canceled sender ID", handle: h.deleteSender},
	}
}

// senders returns the registration service or EUNAVAILABLE.
func (h *Handler) senders() (*senders.Service, error) {
	if h.deps.Senders == nil {
		return nil, herald.Errorf(herald.EUNAVAILABLE, "Sender IDs are not available in this process.")
	}
	return h.deps.Senders, nil
}

// senderInput is the body of POST and PATCH /senders: the registration
// request. Absent fields keep their value on PATCH; channel (a number or
// a name) is set on POST only. draft (POST) saves a draft instead of submitting; submit
// (PATCH) submits a draft.
type senderInput struct {
	Channel           json.RawMessage         `json:"channel"`
	DisplayName       *string                 `json:"displayName"`
	Description       *string                 `json:"description"`
	LogoMediaID       *int64                  `json:"logoMediaId"`
	BackgroundMediaID *int64                  `json:"backgroundMediaId"`
	Color             *string                 `json:"color"`
	ContactName       *string                 `json:"contactName"`
	Phones            *[]herald.SenderContact `json:"phones"`
	Websites          *[]herald.SenderContact `json:"websites"`
	Emails            *[]herald.SenderContact `json:"emails"`
	PrivacyURL        *string                 `json:"privacyUrl"`
	TermsURL          *string                 `json:"termsUrl"`
	WebhookURL        *string                 `json:"webhookUrl"`
	Draft             bool                    `json:"draft"`
	Submit            bool                    `json:"submit"`
}

// apply copies the given fields onto sd.
func (in *senderInput) apply(sd *herald.SenderID) {
	set(&sd.DisplayName, in.DisplayName)
	p := &sd.SenderProfile
	set(&p.Description, in.Description)
	set(&p.LogoMediaID, in.LogoMediaID)
	set(&p.BackgroundMediaID, in.BackgroundMediaID)
	set(&p.Color, in.Color)
	set(&p.ContactName, in.ContactName)
	set(&p.Phones, in.Phones)
	set(&p.Websites, in.Websites)
	set(&p.Emails, in.Emails)
	set(&p.PrivacyURL, in.PrivacyURL)
	set(&p.TermsURL, in.TermsURL)
	set(&p.WebhookURL, in.WebhookURL)
}

// set copies *v onto dst when v is given.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (h *Handler) listSenders(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.senders()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.SenderColumns())
	if err != nil {
		return err
	}
	p, err := svc.List(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createSender(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.senders()
	if err != nil {
		return err
	}
	var in senderInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var vs herald.Violations
	ch := parseChannel(in.Channel, "channel", &vs)
	if err := vs.Err(); err != nil {
		return err
	}
	sd := &herald.SenderID{AccountID: c.key.AccountID, Channel: ch}
	in.apply(sd)
	if err := svc.Request(r.Context(), sd, !in.Draft); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/senders/"+itoa(sd.ID))
	return writeJSON(w, http.StatusCreated, sd)
}

func (h *Handler) getSender(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.senders()
	if err != nil {
		return err
	}
	return getByID(w, r, c.key.AccountID, svc.Sender)
}

func (h *Handler) updateSender(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.senders()
	if err != nil {
		return err
	}
	var submit bool
	return patch(w, r, c.key.AccountID, svc.Sender, func(in senderInput, sd *herald.SenderID) error {
		if len(in.Channel) > 0 {
			var vs herald.Violations
			if ch := parseChannel(in.Channel, "channel", &vs); len(vs) == 0 && ch != sd.Channel {
				vs.Add("channel", herald.VPolicy, "The channel of a sender ID cannot change: cancel it and request another.")
			}
			if err := vs.Err(); err != nil {
				return err
			}
		}
		in.apply(sd)
		submit = in.Submit
		return nil
	}, func(ctx context.Context, sd *herald.SenderID) error { return svc.Edit(ctx, sd, submit) })
}

func (h *Handler) cancelSender(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.senders()
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sd, err := svc.Cancel(r.Context(), c.key.AccountID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sd)
}

func (h *Handler) deleteSender(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.senders()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, svc.Delete)
}
