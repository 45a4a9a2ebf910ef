package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

func (h *Handler) optOutWordRoutes() []Route {
	s := herald.ScopeRecipients
	return []Route{
		{Method: "GET", Path: Prefix + "/optout-words", Scope: s, Summary: "List opt-out words", handle: h.listOptOutWords},
		{Method: "POST", Path: Prefix + "/optout-words", Scope: s, Create: true, Summary: "Create an opt-out word", handle: h.createOptOutWord},
		{Method: "GET", Path: Prefix + "/optout-words/{id}", Scope: s, Summary: "Get an opt-out word", handle: h.getOptOutWord},
		{Method: "PATCH", Path: Prefix + "/optout-words/{id}", Scope: s, Summary: "Change an opt-out word", handle: h.updateOptOutWord},
		{Method: "DELETE", Path: Prefix + "/optout-words/{id}", Scope: s, Summary: "Delete an opt-out word", handle: h.deleteOptOutWord},
	}
}

// optOutWordInput is the body of POST and PATCH /optout-words. Times are
// RFC 3339, or "YYYY-MM-DDTHH:MM[:SS]" and "YYYY-MM-DD" in the account's
// time zone; "" clears one.
type optOutWordInput struct {
	Word          *string `json:"word"`
	Channel       *string `json:"channel"`
	SenderID      *string `json:"senderId"`
	EffectiveFrom *string `json:"effectiveFrom"`
	EffectiveTill *string `json:"effectiveTill"`
}

// apply copies the fields present in in onto w, reading local times in loc.
func (in optOutWordInput) apply(w *herald.OptOutWord, loc *time.Location) error {
	var vs herald.Violations
	if in.Word != nil {
		w.Word = *in.Word
	}
	if in.Channel != nil {
		ch, err := herald.ParseChannel(*in.Channel)
		if err != nil {
			vs.Add("channel", herald.VUnknown, "%s", herald.ErrorMessage(err))
		}
		w.Channel = ch
	}
	if in.SenderID != nil {
		w.SenderID = *in.SenderID
	}
	for _, t := range []struct {
		field string
		in    *string
		out   **time.Time
	}{{"effectiveFrom", in.EffectiveFrom, &w.From}, {"effectiveTill", in.EffectiveTill, &w.Till}} {
		if t.in == nil {
			continue
		}
		tm, err := LocalTime(*t.in, loc)
		if err != nil {
			vs.Add(t.field, herald.VFormat, "%q is not a time: use RFC 3339 or YYYY-MM-DDTHH:MM in the account's time zone.", *t.in)
		}
		*t.out = tm
	}
	return vs.Err()
}

// LocalTime reads an RFC 3339 time, or a date and time without a zone in
// loc; "" is nil.
func LocalTime(s string, loc *time.Location) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t, nil
	}
	for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, herald.Errorf(herald.EINVALID, "not a time")
}

// accountZone returns the time zone of the account.
func (h *Handler) accountZone(r *http.Request, cs Contacts, accountID int64) (*time.Location, error) {
	acc, err := cs.Account(r.Context(), accountID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(acc.TimeZone)
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}

func (h *Handler) listOptOutWords(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.OptOutWordColumns())
	if err != nil {
		return err
	}
	p, err := cs.ListOptOutWords(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createOptOutWord(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	var in optOutWordInput
	if err := decode(r, &in); err != nil {
		return err
	}
	loc, err := h.accountZone(r, cs, c.key.AccountID)
	if err != nil {
		return err
	}
	ow := &herald.OptOutWord{AccountID: c.key.AccountID}
	if err := in.apply(ow, loc); err != nil {
		return err
	}
	if err := cs.CreateOptOutWord(r.Context(), ow); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/optout-words/"+itoa(ow.ID))
	return writeJSON(w, http.StatusCreated, ow)
}

func (h *Handler) getOptOutWord(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return getByID(w, r, c.key.AccountID, cs.OptOutWord)
}

func (h *Handler) updateOptOutWord(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return patch(w, r, c.key.AccountID, cs.OptOutWord, func(in optOutWordInput, ow *herald.OptOutWord) error {
		loc, err := h.accountZone(r, cs, c.key.AccountID)
		if err != nil {
			return err
		}
		return in.apply(ow, loc)
	}, cs.UpdateOptOutWord)
}

func (h *Handler) deleteOptOutWord(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, cs.DeleteOptOutWord)
}
