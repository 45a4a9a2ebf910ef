package api

import (
	"context"
	"net/http"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/listquery"
)

// Contacts is what the contact routes need from the store.
type Contacts interface {
	herald.ContactStore
	herald.AttributeStore
	herald.TargetStore
	herald.OptOutWordStore
	herald.ImportStore
	Account(ctx context.Context, id int64) (*herald.Account, error)
}

// contactRoutes are every route of the recipients scope: contacts,
// attributes, tags, targets, imports and opt-out words.
func (h *Handler) contactRoutes() []Route {
	if h.deps.Contacts == nil {
		h.deps.Contacts, _ = h.deps.Store.(Contacts)
	}
	if h.deps.Imports == nil && h.deps.Contacts != nil {
		h.deps.Imports = &importer.Service{Store: h.deps.Contacts}
	}
	s := herald.ScopeRecipients
	routes := []Route{
		{Method: "GET", Path: Prefix + "/contacts", Scope: s, Summary: "List contacts", handle: h.listContacts},
		{Method: "POST", Path: Prefix + "/contacts", Scope: s, Create: true, Summary: "Create a contact", handle: h.createContact},
		{Method: "GET", Path: Prefix + "/contacts/columns", Scope: s, Summary: "The fields contacts can be filtered and sorted by", handle: h.contactColumns},
		{Method: "GET", Path: Prefix + "/contacts/count", Scope: s, Summary: "Count the contacts that match filters", handle: h.countContacts},
		{Method: "POST", Path: Prefix + "/contacts/bulk", Scope: s, Create: true, Summary: "Create or update many contacts by phone number", handle: h.upsertContacts},
		{Method: "POST", Path: Prefix + "/contacts/edit", Scope: s, Summary: "Mass edit: set or clear attributes and tags of selected contacts", handle: h.editContacts},
		{Method: "POST", Path: Prefix + "/contacts/delete", Scope: s, Summary: "Mass delete selected contacts (never all of them)", handle: h.deleteContacts},
		{Method: "GET", Path: Prefix + "/contacts/{id}", Scope: s, Summary: "Get a contact with its opt-outs", handle: h.getContact},
		{Method: "PATCH", Path: Prefix + "/contacts/{id}", Scope: s, Summary: "Change a contact", handle: h.updateContact},
		{Method: "DELETE", Path: Prefix + "/contacts/{id}", Scope: s, Summary: "Delete a contact", handle: h.deleteContact},
		{Method: "POST", Path: Prefix + "/contacts/{id}/optouts", Scope: s, Create: true, Summary: "Opt a contact out of a channel or sender ID", handle: h.addOptOut},
		{Method: "DELETE", Path: Prefix + "/contacts/{id}/optouts", Scope: s, Summary: "Remove an opt-out of a contact", handle: h.removeOptOut},
		{Method: "GET", Path: Prefix + "/tags", Scope: s, Summary: "List tags with their contact counts", handle: h.listTags},
		{Method: "DELETE", Path: Prefix + "/tags/{id}", Scope: s, Summary: "Delete a tag from every contact", handle: h.deleteTag},
	}
	routes = append(routes, h.attributeRoutes()...)
	routes = append(routes, h.targetRoutes()...)
	routes = append(routes, h.importRoutes()...)
	return append(routes, h.optOutWordRoutes()...)
}

// contacts returns the contact store, or EUNAVAILABLE in a process
// without one.
func (h *Handler) contacts() (Contacts, error) {
	if h.deps.Contacts == nil {
		return nil, herald.Errorf(herald.EUNAVAILABLE, "Contacts are not available in this process.")
	}
	return h.deps.Contacts, nil
}

// contactInput is the body of POST and PATCH /contacts; absent fields keep
// their value on PATCH. Attributes given on PATCH are merged: an empty
// value clears one.
type contactInput struct {
	Phone      *string            `json:"phone"`
	Email      *string            `json:"email"`
	Identities *map[string]string `json:"identities"`
	Attributes map[string]string  `json:"attributes"`
	Tags       *[]string          `json:"tags"`
	RCSCapable *bool              `json:"rcsCapable"` // sets the time it was checked to now
}

// apply copies the fields present in in onto c.
func (in contactInput) apply(c *herald.Contact) {
	if in.Phone != nil {
		c.Phone = *in.Phone
	}
	if in.Email != nil {
		c.Email = *in.Email
	}
	if in.Identities != nil {
		c.Identities = *in.Identities
	}
	if c.Attributes == nil {
		c.Attributes = map[string]string{}
	}
	for k, v := range in.Attributes {
		c.Attributes[k] = v
	}
	if in.Tags != nil {
		c.Tags = *in.Tags
	}
	if in.RCSCapable != nil {
		now := time.Now().UTC().Truncate(time.Microsecond)
		c.RCSCapable, c.RCSChecked = in.RCSCapable, &now
	}
}

// contactQuery parses a list request against the account's columns.
func (h *Handler) contactQuery(r *http.Request, cs Contacts, accountID int64) (herald.ListQuery, error) {
	cols, err := cs.ContactColumns(r.Context(), accountID)
	if err != nil {
		return herald.ListQuery{}, err
	}
	return listquery.Parse(r.URL.Query(), cols)
}

func (h *Handler) listContacts(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	q, err := h.contactQuery(r, cs, c.key.AccountID)
	if err != nil {
		return err
	}
	p, err := cs.ListContacts(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) contactColumns(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	cols, err := cs.ContactColumns(r.Context(), c.key.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"columns": cols})
}

func (h *Handler) countContacts(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	q, err := h.contactQuery(r, cs, c.key.AccountID)
	if err != nil {
		return err
	}
	n, err := cs.CountContacts(r.Context(), c.key.AccountID, q.Filters)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

func (h *Handler) createContact(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	var in contactInput
	if err := decode(r, &in); err != nil {
		return err
	}
	ct := &herald.Contact{AccountID: c.key.AccountID}
	in.apply(ct)
	if err := cs.CreateContact(r.Context(), ct); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/contacts/"+itoa(ct.ID))
	return h.writeContact(w, r, cs, c.key.AccountID, ct.ID, http.StatusCreated)
}

// writeContact answers with the stored contact and its opt-outs.
func (h *Handler) writeContact(w http.ResponseWriter, r *http.Request, cs Contacts, accountID, id int64, status int) error {
	ct, err := cs.Contact(r.Context(), accountID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, status, ct)
}

func (h *Handler) getContact(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return getByID(w, r, c.key.AccountID, cs.Contact)
}

func (h *Handler) updateContact(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ct, err := cs.Contact(r.Context(), c.key.AccountID, id)
	if err != nil {
		return err
	}
	var in contactInput
	if err := decode(r, &in); err != nil {
		return err
	}
	in.apply(ct)
	if err := cs.UpdateContact(r.Context(), ct); err != nil {
		return err
	}
	return h.writeContact(w, r, cs, c.key.AccountID, id, http.StatusOK)
}

func (h *Handler) deleteContact(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, cs.DeleteContact)
}

// bulkInput is the body of POST /contacts/bulk.
type bulkInput struct {
	Policy   herald.DuplicatePolicy `json:"policy"`
	Contacts []contactInput         `json:"contacts"`
}

func (h *Handler) upsertContacts(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	var in bulkInput
	if err := decode(r, &in); err != nil {
		return err
	}
	list := make([]herald.Contact, len(in.Contacts))
	for i, ci := range in.Contacts {
		ci.apply(&list[i])
	}
	res, err := cs.UpsertContacts(r.Context(), c.key.AccountID, list, in.Policy)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// massInput is the body of POST /contacts/edit and /contacts/delete.
type massInput struct {
	Selection herald.ContactSelection `json:"selection"`
	Edit      herald.ContactEdit      `json:"edit"`
}

func (h *Handler) editContacts(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	var in massInput
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := cs.EditContacts(r.Context(), c.key.AccountID, in.Selection, in.Edit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

func (h *Handler) deleteContacts(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	var in struct {
		Selection herald.ContactSelection `json:"selection"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := cs.DeleteContacts(r.Context(), c.key.AccountID, in.Selection)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

// optOutInput is the body of POST /contacts/{id}/optouts.
type optOutInput struct {
	Channel  string `json:"channel"`
	SenderID string `json:"senderId"`
}

func (h *Handler) addOptOut(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in optOutInput
	if err := decode(r, &in); err != nil {
		return err
	}
	ch, err := herald.ParseChannel(in.Channel)
	if err != nil {
		return herald.Violations{{Field: "channel", Code: herald.VUnknown, Message: herald.ErrorMessage(err)}}.Err()
	}
	o := herald.OptOut{AccountID: c.key.AccountID, ContactID: id, Channel: ch, SenderID: in.SenderID, By: herald.OptOutByAPI}
	if err := cs.AddOptOut(r.Context(), o); err != nil {
		return err
	}
	return h.writeContact(w, r, cs, c.key.AccountID, id, http.StatusCreated)
}

func (h *Handler) removeOptOut(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ch, err := herald.ParseChannel(r.URL.Query().Get("channel"))
	if err != nil {
		return herald.Violations{{Field: "channel", Code: herald.VUnknown, Message: herald.ErrorMessage(err)}}.Err()
	}
	if err := cs.RemoveOptOut(r.Context(), c.key.AccountID, id, ch, r.URL.Query().Get("senderId")); err != nil {
		return err
	}
	return h.writeContact(w, r, cs, c.key.AccountID, id, http.StatusOK)
}

func (h *Handler) listTags(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	tags, err := cs.Tags(r.Context(), c.key.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": tags})
}

func (h *Handler) deleteTag(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, cs.DeleteTag)
}
