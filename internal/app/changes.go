package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// Subjects of the configuration changes every process applies.
const (
	subjectConnectionChanged = "herald.changed.connection"
	subjectCredentialChanged = "herald.changed.smpp-credential"
	subjectAuthChanged       = "herald.changed.auth"
)

// change is the body of a configuration change event.
type change struct {
	Origin     string   `json:"origin"` // the process that made the change
	Connection int64    `json:"connection,omitempty"`
	SystemIDs  []string `json:"systemIds,omitempty"`
}

// changes applies configuration changes in this process at once and
// publishes them on the event bus, so that every other process sharing the
// database applies them too: a connection's new settings reach the
// engines, a changed SMPP credential ends its customers' open binds.
type changes struct {
	m      *Main
	origin string
}

// newChanges returns the process's change propagation; listen subscribes
// it to the other processes' changes.
func newChanges(m *Main) *changes {
	return &changes{m: m, origin: rand.Text()}
}

// listen applies the changes other processes publish until the bus closes.
func (c *changes) listen() error {
	if c.m.Events == nil {
		return nil
	}
	for _, subject := range []string{subjectConnectionChanged, subjectCredentialChanged, subjectAuthChanged} {
		if _, err := c.m.Events.Subscribe(subject, c.receive); err != nil {
			return fmt.Errorf("subscribing to %s: %w", subject, err)
		}
	}
	// API keys, accounts and users changed here are forgotten by this
	// process's key cache at commit (see auth.New); the others hear of it.
	c.m.Store.OnAuthChange(func() {
		c.publish(context.Background(), subjectAuthChanged, change{})
	})
	return nil
}

// receive applies another process's change.
func (c *changes) receive(subject string, data []byte) {
	var ch change
	if err := json.Unmarshal(data, &ch); err != nil {
		c.m.Log.Warn("unreadable configuration change", "subject", subject, "err", err)
		return
	}
	if ch.Origin == c.origin {
		return // applied when it was made
	}
	switch subject {
	case subjectConnectionChanged:
		c.reloadLocal(context.Background(), ch.Connection)
	case subjectCredentialChanged:
		c.unbindLocal(ch.SystemIDs)
	case subjectAuthChanged:
		c.m.Auth.ForgetKeys()
	}
}

// publish tells the other processes; a bus outage is logged, not returned:
// the change is saved and applies here.
func (c *changes) publish(ctx context.Context, subject string, ch change) {
	if c.m.Events == nil {
		return
	}
	ch.Origin = c.origin
	data, _ := json.Marshal(ch) // plain fields always encode
	if err := c.m.Events.Publish(ctx, subject, data); err != nil {
		c.m.Log.Warn("publishing a configuration change", "subject", subject, "err", err)
	}
}

// ReloadConnection implements web.ConnectionReloader for every process.
func (c *changes) ReloadConnection(ctx context.Context, id int64) error {
	if err := c.reloadLocal(ctx, id); err != nil {
		return err
	}
	c.publish(ctx, subjectConnectionChanged, change{Connection: id})
	return nil
}

// reloadLocal drops this process's open connector of connection id.
func (c *changes) reloadLocal(ctx context.Context, id int64) error {
	if c.m.Messaging == nil || c.m.Messaging.Engine == nil {
		return nil
	}
	if err := c.m.Messaging.Engine.ReloadConnection(ctx, id); err != nil {
		c.m.Log.Warn("reloading a changed connection", "connection", id, "err", err)
		return err
	}
	return nil
}

// credentialChanged ends the open binds of changed SMPP credentials here
// and in the other processes.
func (c *changes) credentialChanged(ctx context.Context, systemIDs ...string) {
	c.unbindLocal(systemIDs)
	c.publish(ctx, subjectCredentialChanged, change{SystemIDs: systemIDs})
}

// unbindLocal ends this process's customer binds of systemIDs.
func (c *changes) unbindLocal(systemIDs []string) {
	if c.m.SMPP != nil {
		c.m.SMPP.CredentialChanged(systemIDs...)
	}
}

// notifyingStore is the store as the API and the portal use it: an edit or
// deletion of an SMPP credential also ends the credential's open binds in
// every process, so the new settings apply at once.
type notifyingStore struct {
	*store.Store
	changes *changes
}

// UpdateSMPPCredential saves c and ends the binds under its old and new
// system_id.
func (s notifyingStore) UpdateSMPPCredential(ctx context.Context, c *herald.SMPPCredential) error {
	old, err := s.Store.SMPPCredential(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	if err := s.Store.UpdateSMPPCredential(ctx, c); err != nil {
		return err
	}
	ids := []string{c.SystemID}
	if !strings.EqualFold(old.SystemID, c.SystemID) {
		ids = append(ids, old.SystemID)
	}
	s.changes.credentialChanged(ctx, ids...)
	return nil
}

// DeleteSMPPCredential deletes a credential and ends its binds.
func (s notifyingStore) DeleteSMPPCredential(ctx context.Context, accountID, id int64) error {
	old, err := s.Store.SMPPCredential(ctx, accountID, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteSMPPCredential(ctx, accountID, id); err != nil {
		return err
	}
	s.changes.credentialChanged(ctx, old.SystemID)
	return nil
}
