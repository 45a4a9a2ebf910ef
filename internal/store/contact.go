package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/phone"
)

// Audited actions of contacts.
const (
	actionAddContact     = "Added new contact"
	actionChangeContact  = "Changed contact"
	actionDeleteContact  = "Deleted contact"
	actionEditContacts   = "Edited contacts"
	actionDeleteContacts = "Deleted contacts"
	actionAddOptOut      = "Opted out contact"
	actionLiftOptOut     = "Lifted opt-out"
	actionDeleteTag      = "Deleted tag"
)

var (
	_ herald.ContactStore    = (*Store)(nil)
	_ herald.AttributeStore  = (*Store)(nil)
	_ herald.TargetStore     = (*Store)(nil)
	_ herald.OptOutWordStore = (*Store)(nil)
	_ herald.ImportStore     = (*Store)(nil)
)

// contactSelects are the columns scanContact reads.
const contactSelects = "c.id, c.account_id, c.phone, c.country, c.email, c.attrs, c.rcs_capable, c.rcs_checked_at, c.created_at, c.updated_at"

// contactRow is a contact as read, with its attribute values still keyed
// by attribute ID.
type contactRow struct {
	herald.Contact
	values map[string]string
}

// scanContact reads contactSelects, then extra.
func scanContact(r scanner, extra ...any) (contactRow, error) {
	var c contactRow
	var attrs string
	err := r.Scan(append([]any{&c.ID, &c.AccountID, &c.Phone, &c.Country, &c.Email, &attrs, &c.RCSCapable,
		&c.RCSChecked, &c.CreatedAt, &c.UpdatedAt}, extra...)...)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt, c.RCSChecked = utc(c.CreatedAt), utc(c.UpdatedAt), utcPtr(c.RCSChecked)
	if err := json.Unmarshal([]byte(attrs), &c.values); err != nil {
		return c, fmt.Errorf("decoding attributes of contact %d: %w", c.ID, err)
	}
	return c, nil
}

// finish names the row's attribute values after attrs and returns the
// contact, with empty identities and tags for loadContactExtras to fill.
func (c *contactRow) finish(attrs []attr) herald.Contact {
	out := c.Contact
	out.Attributes = make(map[string]string, len(c.values))
	for _, a := range attrs {
		if v, ok := c.values[strconv.FormatInt(a.ID, 10)]; ok {
			out.Attributes[a.Name] = v
		}
	}
	out.Identities, out.Tags, out.OptOuts = map[string]string{}, []string{}, []herald.OptOut{}
	return out
}

// getContact reads the one contact matching where with everything it has,
// or ENOTFOUND.
func getContact(ctx context.Context, q querier, accountID int64, where string, args ...any) (*herald.Contact, error) {
	row, err := scanContact(q.queryRow(ctx, "SELECT "+contactSelects+" FROM contacts c WHERE "+where, args...))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Contact not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading contact: %w", err)
	}
	attrs, err := loadAttrs(ctx, q, accountID)
	if err != nil {
		return nil, err
	}
	c := row.finish(attrs)
	return &c, loadContactExtras(ctx, q, []*herald.Contact{&c})
}

// loadContactExtras fills the identities, tags and opt-outs of cs with
// three queries.
func loadContactExtras(ctx context.Context, q querier, cs []*herald.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*herald.Contact, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID], args[i] = c, c.ID
	}
	in := placeholders(1, len(args))
	err := eachRow(ctx, q, "SELECT contact_id, kind, value FROM contact_identities WHERE contact_id IN ("+in+")", args, func(r scanner) error {
		var id int64
		var kind, value string
		if err := r.Scan(&id, &kind, &value); err != nil {
			return err
		}
		byID[id].Identities[kind] = value
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading contact identities: %w", err)
	}
	err = eachRow(ctx, q, `SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
		WHERE ct.contact_id IN (`+in+`) ORDER BY lower(t.name), t.id`, args, func(r scanner) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		byID[id].Tags = append(byID[id].Tags, name)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading contact tags: %w", err)
	}
	err = eachRow(ctx, q, `SELECT contact_id, account_id, channel, sender_id, opted_out_at, set_by FROM contact_optouts
		WHERE contact_id IN (`+in+`) ORDER BY contact_id, channel, sender_id`, args, func(r scanner) error {
		var o herald.OptOut
		var ch int
		if err := r.Scan(&o.ContactID, &o.AccountID, &ch, &o.SenderID, &o.At, &o.By); err != nil {
			return err
		}
		o.Channel, o.At = herald.Channel(ch), utc(o.At)
		byID[o.ContactID].OptOuts = append(byID[o.ContactID].OptOuts, o)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading contact opt-outs: %w", err)
	}
	return nil
}

// eachRow runs a query and calls fn for every row.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(r scanner) error) error {
	rs, err := q.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := fn(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}

// Contact returns one contact of the account with its attributes,
// identities and tags.
func (s *Store) Contact(ctx context.Context, accountID, id int64) (*herald.Contact, error) {
	return getContact(ctx, s.read(), accountID, "c.account_id = $1 AND c.id = $2", accountID, id)
}

// ContactByAddress finds the contact whose address on ch is addr: the
// phone number on phone channels (or the channel's identity, for WhatsApp
// and Viber IDs that are not numbers), the e-mail on email, the identity
// on the others.
func (s *Store) ContactByAddress(ctx context.Context, accountID int64, ch herald.Channel, addr string) (*herald.Contact, error) {
	q := s.read()
	kind := herald.IdentityKind(ch)
	switch ch.Address() {
	case herald.AddressPhone:
		if n, err := phone.Parse(addr); err == nil {
			c, err := getContact(ctx, q, accountID, "c.account_id = $1 AND c.phone = $2", accountID, n.E164)
			if err == nil || !herald.IsNotFound(err) || kind == "" {
				return c, err
			}
		}
	case herald.AddressEmail:
		return getContact(ctx, q, accountID, "c.account_id = $1 AND c.email = $2 AND c.email <> ''", accountID, strings.ToLower(strings.TrimSpace(addr)))
	}
	if kind == "" {
		return nil, herald.Errorf(herald.ENOTFOUND, "Contact not found.")
	}
	return getContact(ctx, q, accountID, `c.id = (SELECT i.contact_id FROM contact_identities i
		WHERE i.account_id = $1 AND i.kind = $2 AND i.value = $3)`, accountID, kind, strings.TrimSpace(addr))
}

// ContactsByPhone returns the account's contacts whose phone numbers are
// among phones (E.164), keyed by number, each with everything
// ContactByAddress gives: one read for many lookups.
//
// On SQLite the read runs in the writer's group transaction. Every commit
// empties the page caches of the reader connections, so under a steady
// stream of writes (the API's accepted messages) a reader reads the
// contact indexes' pages back with a system call each; the writer's
// cache stays warm. The read is small (the lookup batcher hands in at
// most a few hundred numbers), so it holds the writer briefly.
func (s *Store) ContactsByPhone(ctx context.Context, accountID int64, phones []string) (map[string]*herald.Contact, error) {
	if len(phones) == 0 {
		return map[string]*herald.Contact{}, nil
	}
	if s.pool != nil {
		return s.contactsByPhone(ctx, s.read(), accountID, phones)
	}
	var out map[string]*herald.Contact
	err := s.inTx(ctx, func(t *tx) error {
		var err error
		out, err = s.contactsByPhone(ctx, t, accountID, phones)
		return err
	})
	return out, err
}

// contactsByPhone is ContactsByPhone through q.
func (s *Store) contactsByPhone(ctx context.Context, q querier, accountID int64, phones []string) (map[string]*herald.Contact, error) {
	out := make(map[string]*herald.Contact, len(phones))
	var rows []contactRow
	err := chunks(len(phones), 1, func(lo, hi int) error {
		args := s.batch()
		where := "c.account_id = " + args.add(accountID) + " AND c.phone IN (" + args.list(phones[lo:hi]) + ")"
		return eachRow(ctx, q, "SELECT "+contactSelects+" FROM contacts c WHERE "+where, args.vals, func(r scanner) error {
			row, err := scanContact(r)
			if err == nil {
				rows = append(rows, row)
			}
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading contacts: %w", err)
	}
	if len(rows) == 0 {
		return out, nil
	}
	attrs, err := loadAttrs(ctx, q, accountID)
	if err != nil {
		return nil, err
	}
	cs := make([]*herald.Contact, len(rows))
	for i := range rows {
		c := rows[i].finish(attrs)
		cs[i] = &c
		out[c.Phone] = &c
	}
	return out, loadContactExtras(ctx, q, cs)
}

// EnsureContact returns the contact for addr on ch, creating it from the
// phone number when there is none. Two callers racing for one new number
// get the same contact; one of them sees created.
func (s *Store) EnsureContact(ctx context.Context, accountID int64, ch herald.Channel, addr string) (*herald.Contact, bool, error) {
	c, err := s.ContactByAddress(ctx, accountID, ch, addr)
	if !herald.IsNotFound(err) {
		return c, false, err
	}
	n, perr := phone.Parse(addr)
	if ch.Address() != herald.AddressPhone || perr != nil {
		var vs herald.Violations
		vs.Add("destination", herald.VFormat, "No contact has the address %q on %s, and a new contact needs a valid phone number.", addr, ch.Label())
		return nil, false, vs.Err()
	}
	var created bool
	err = s.inTx(ctx, func(t *tx) error {
		var id int64
		err := t.queryRow(ctx, `INSERT INTO contacts (account_id, phone, country, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) ON CONFLICT (account_id, phone) DO NOTHING RETURNING id`,
			accountID, n.E164, n.Country, t.now).Scan(&id)
		if isNoRows(err) {
			return nil // made meanwhile by another caller
		} else if err != nil {
			return contactErr(err, n.E164)
		}
		created = true
		nc := &herald.Contact{ID: id, Phone: n.E164, Country: n.Country}
		return s.audit(ctx, t, accountID, actionAddContact, detail("contacts", herald.OpInsert, id, nil, nc))
	})
	if err != nil {
		return nil, false, err
	}
	c, err = getContact(ctx, s.read(), accountID, "c.account_id = $1 AND c.phone = $2", accountID, n.E164)
	return c, created, err
}

// contactErr maps the errors of saving a contact with phone number p.
func contactErr(err error, p string) error {
	switch {
	case isUnique(err, "contacts_phone_key", "contacts.account_id, contacts.phone"):
		return taken("phone", "A contact with the phone number %s exists already.", p)
	case isUnique(err, "contact_identities_pkey", "contact_identities.account_id, contact_identities.kind, contact_identities.value"):
		return taken("identities", "Another contact has this channel identity.")
	case foreignKeyViolation(err):
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	}
	return fmt.Errorf("saving contact: %w", err)
}

// normalizePhone sets c.Phone to E.164 and c.Country from it, or adds a
// violation of "phone".
func normalizePhone(c *herald.Contact, vs *herald.Violations) {
	n, err := phone.Parse(c.Phone)
	if err != nil {
		if errors.Is(err, phone.ErrEmpty) {
			vs.Add("phone", herald.VRequired, "Phone number is required.")
		} else {
			vs.Add("phone", herald.VFormat, "The phone number %q %s.", c.Phone, err.Error())
		}
		return
	}
	c.Phone, c.Country = n.E164, n.Country
}

// checkContact validates c against the account's attributes and returns
// the values to store: the attrs JSON and every slot's value.
func checkContact(c *herald.Contact, attrs []attr) (string, map[string]any, error) {
	var vs herald.Violations
	normalizePhone(c, &vs)
	vs = append(vs, herald.ErrorViolations(c.Validate())...)
	display := map[string]string{}
	slots := map[string]any{}
	named := map[string]string{}
	for name, raw := range c.Attributes {
		a := findAttr(attrs, name)
		if a == nil {
			vs.Add("attributes."+name, herald.VUnknown, "There is no attribute %q; add it in the Attribute manager first.", name)
			continue
		}
		v, err := a.ParseValue(raw)
		if err != nil {
			vs.Add("attributes."+name, herald.VFormat, "%s", herald.ErrorMessage(err))
			continue
		}
		if v.Display != "" {
			display[strconv.FormatInt(a.ID, 10)], named[a.Name] = v.Display, v.Display
			slots[a.slot] = slotValue(a, v)
		}
	}
	if err := vs.Err(); err != nil {
		return "", nil, err
	}
	c.Attributes = named
	b, _ := json.Marshal(display) // a map[string]string always encodes
	return string(b), slots, nil
}

// findAttr returns the attribute named name, ignoring case, or nil.
func findAttr(attrs []attr, name string) *attr {
	for i := range attrs {
		if strings.EqualFold(attrs[i].Name, strings.TrimSpace(name)) {
			return &attrs[i]
		}
	}
	return nil
}

// slotValue is what a's slot holds for v.
func slotValue(a *attr, v herald.Value) any {
	if a.Type.Textual() {
		return v.Text
	}
	return v.Num
}

// slotList is every slot column, in allSlots order, for statements.
func slotList() string { return strings.Join(allSlots(), ", ") }

// slotArgs returns the values of every slot in allSlots order.
func slotArgs(slots map[string]any) []any {
	out := make([]any, 0, textSlots+numSlots)
	for _, s := range allSlots() {
		out = append(out, slots[s])
	}
	return out
}

// CreateContact validates and inserts c with its identities and tags.
func (s *Store) CreateContact(ctx context.Context, c *herald.Contact) error {
	return s.inTx(ctx, func(t *tx) error {
		attrs, err := loadAttrs(ctx, t, c.AccountID)
		if err != nil {
			return err
		}
		values, slots, err := checkContact(c, attrs)
		if err != nil {
			return err
		}
		args := append([]any{c.AccountID, c.Phone, c.Country, c.Email, values, c.RCSCapable, c.RCSChecked, t.now}, slotArgs(slots)...)
		err = t.queryRow(ctx, `INSERT INTO contacts (account_id, phone, country, email, attrs, rcs_capable, rcs_checked_at,
			created_at, updated_at, `+slotList()+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, `+
			placeholders(9, textSlots+numSlots)+`) RETURNING id`, args...).Scan(&c.ID)
		if err != nil {
			return contactErr(err, c.Phone)
		}
		c.CreatedAt, c.UpdatedAt = t.now, t.now
		if err := saveContactLinks(ctx, t, c); err != nil {
			return err
		}
		return s.audit(ctx, t, c.AccountID, actionAddContact, detail("contacts", herald.OpInsert, c.ID, nil, c))
	})
}

// saveContactLinks replaces the identities and tags of c.
func saveContactLinks(ctx context.Context, t *tx, c *herald.Contact) error {
	if c.Identities == nil {
		c.Identities = map[string]string{}
	}
	if _, err := t.exec(ctx, `DELETE FROM contact_identities WHERE contact_id = $1`, c.ID); err != nil {
		return fmt.Errorf("saving contact identities: %w", err)
	}
	for kind, value := range c.Identities {
		_, err := t.exec(ctx, `INSERT INTO contact_identities (account_id, kind, value, contact_id) VALUES ($1, $2, $3, $4)`,
			c.AccountID, kind, value, c.ID)
		if isUnique(err, "contact_identities_pkey", "contact_identities.account_id, contact_identities.kind, contact_identities.value") {
			return taken("identities."+kind, "Another contact has the %s ID %q.", kind, value)
		} else if err != nil {
			return fmt.Errorf("saving contact identities: %w", err)
		}
	}
	ids, err := ensureTags(ctx, t, c.AccountID, c.Tags)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM contact_tags WHERE contact_id = $1`, c.ID); err != nil {
		return fmt.Errorf("saving contact tags: %w", err)
	}
	return tagContacts(ctx, t, ids, []int64{c.ID})
}

// UpdateContact validates and saves every field of c.
func (s *Store) UpdateContact(ctx context.Context, c *herald.Contact) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getContact(ctx, t, c.AccountID, "c.account_id = $1 AND c.id = $2", c.AccountID, c.ID)
		if err != nil {
			return err
		}
		attrs, err := loadAttrs(ctx, t, c.AccountID)
		if err != nil {
			return err
		}
		values, slots, err := checkContact(c, attrs)
		if err != nil {
			return err
		}
		sets := make([]string, 0, textSlots+numSlots)
		for i, slot := range allSlots() {
			sets = append(sets, slot+" = $"+strconv.Itoa(9+i))
		}
		args := append([]any{c.Phone, c.Country, c.Email, values, c.RCSCapable, c.RCSChecked, t.now, c.ID}, slotArgs(slots)...)
		_, err = t.exec(ctx, `UPDATE contacts SET phone = $1, country = $2, email = $3, attrs = $4, rcs_capable = $5,
			rcs_checked_at = $6, updated_at = $7, `+strings.Join(sets, ", ")+` WHERE id = $8`, args...)
		if err != nil {
			return contactErr(err, c.Phone)
		}
		c.CreatedAt, c.UpdatedAt = old.CreatedAt, t.now
		if err := saveContactLinks(ctx, t, c); err != nil {
			return err
		}
		return s.audit(ctx, t, c.AccountID, actionChangeContact, detail("contacts", herald.OpUpdate, c.ID, old, c))
	})
}

// DeleteContact removes a contact; its identities, tags and opt-outs go
// with it.
func (s *Store) DeleteContact(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getContact(ctx, t, accountID, "c.account_id = $1 AND c.id = $2", accountID, id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM contacts WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting contact: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteContact, detail("contacts", herald.OpDelete, id, old, nil))
	})
}
