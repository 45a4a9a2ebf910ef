package engine

import (
	"context"
	"errors"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/batch"
	"github.com/heraldhq/herald/internal/phone"
)

// Concurrent API requests look their recipients' phone numbers up
// together: each request hands its number to a batcher, whose flush reads
// every number waiting in one query. Under load a read serves tens of
// requests; alone, a request waits for nothing but its own read.

// phoneDirectory is a contact directory that can look many numbers up at
// once (the store).
type phoneDirectory interface {
	ContactsByPhone(ctx context.Context, accountID int64, phones []string) (map[string]*herald.Contact, error)
}

// phoneLookup is one request's lookup: the contact found, or nil.
type phoneLookup struct {
	account int64
	phone   string // E.164
	contact *herald.Contact
}

// newLookups returns the batcher of phone lookups, or nil when the
// directory cannot look numbers up together.
func (e *Engine) newLookups() *batch.Batcher[*phoneLookup] {
	dir, ok := e.deps.Contacts.(phoneDirectory)
	if !ok {
		return nil
	}
	return batch.New(batch.Config{MaxSize: 128, Workers: 1}, func(ctx context.Context, items []*phoneLookup) ([]error, error) {
		byAccount := map[int64][]string{}
		for _, l := range items {
			byAccount[l.account] = append(byAccount[l.account], l.phone)
		}
		found := make(map[int64]map[string]*herald.Contact, len(byAccount))
		for account, phones := range byAccount {
			m, err := dir.ContactsByPhone(ctx, account, phones)
			if err != nil {
				return nil, err
			}
			found[account] = m
		}
		for _, l := range items {
			if c := found[l.account][l.phone]; c != nil {
				cp := *c // requests for one number get a contact each
				l.contact = &cp
			}
		}
		return nil, nil
	})
}

// contactByAddress is the directory's ContactByAddress, with phone numbers
// looked up together with other requests' when the directory can.
func (e *Engine) contactByAddress(ctx context.Context, accountID int64, ch herald.Channel, addr string) (*herald.Contact, error) {
	dir := e.deps.Contacts
	if e.lookups == nil || ch.Address() != herald.AddressPhone {
		return dir.ContactByAddress(ctx, accountID, ch, addr)
	}
	n, err := phone.Parse(addr)
	if err != nil {
		return dir.ContactByAddress(ctx, accountID, ch, addr)
	}
	l := &phoneLookup{account: accountID, phone: n.E164}
	if err := e.lookups.Do(ctx, l); errors.Is(err, batch.ErrStopped) {
		return nil, ErrStopped
	} else if err != nil {
		return nil, err
	}
	switch {
	case l.contact != nil:
		return l.contact, nil
	case herald.IdentityKind(ch) != "":
		// No contact has the number: one may have it as its identity on
		// the channel, which the directory looks up.
		return dir.ContactByAddress(ctx, accountID, ch, addr)
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "Contact not found.")
}
