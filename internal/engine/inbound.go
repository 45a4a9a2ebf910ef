package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/webhook"
)

var _ channel.Sink = (*Engine)(nil)

// Report records provider reports (delivery reports, read receipts) and
// returns once they are committed.
func (e *Engine) Report(ctx context.Context, reports ...channel.Report) error {
	items := make([]update, 0, len(reports))
	for _, r := range reports {
		id := r.MessageID
		if id == "" {
			var err error
			if id, err = e.deps.Store.MessageIDByProvider(ctx, r.ConnectionID, r.ProviderID); err != nil {
				e.log.Warn("report for an unknown message", "connection", r.ConnectionID, "provider_id", r.ProviderID, "err", err)
				continue
			}
		}
		items = append(items, update{kind: kindStatus, id: id, status: r.Status, detail: r.Detail, providerCode: r.ProviderCode, errText: r.Error, at: r.At})
	}
	return e.status.DoAll(context.WithoutCancel(ctx), items...)
}

// Receive stores an inbound message: it finds the account by the sender ID
// it was sent to (unless the connector knows it), finds or creates the
// contact, lifts the contact's opt-out of the channel and sender, records
// an opt-out when the text is an opt-out word, matches the contact's
// thread and queues the message.inbound webhooks of the account's keys.
// A message the connection already received under the same provider ID
// (an e-mail delivered twice with one Message-ID) is not stored again: the
// stored one is returned.
func (e *Engine) Receive(ctx context.Context, in channel.Inbound) (*herald.Message, error) {
	if in.At.IsZero() {
		in.At = e.now()
	}
	if in.AccountID == 0 {
		s, err := e.deps.Store.SenderOnConnection(ctx, in.ConnectionID, in.To)
		if err != nil {
			return nil, fmt.Errorf("finding the account of an inbound message to %q: %w", in.To, err)
		}
		in.AccountID = s.AccountID
	}
	contactID, err := e.inboundContact(ctx, in)
	if err != nil {
		return nil, err
	}
	m := &herald.Message{ID: newID(), AccountID: in.AccountID, Direction: herald.MO, Channel: in.Channel, SenderID: in.To,
		ConnectionID: in.ConnectionID, ContactID: contactID, Destination: in.From, Payload: in.Payload,
		Status: herald.StatusReceived, Detail: herald.DetailReceived, ProviderID: in.ProviderID,
		Traffic: herald.TrafficP2A, AcceptedAt: in.At.UTC().Truncate(time.Microsecond), UpdatedAt: e.now()}
	hooks, err := e.hooks(ctx, in.AccountID)
	if err != nil {
		return nil, err
	}
	var deliveries []*herald.WebhookDelivery
	var dup string
	err = e.deps.Store.MessageTx(ctx, func(x *store.MessageTx) error {
		var err error
		if dup, err = x.InboundByProvider(ctx, m.ConnectionID, m.ProviderID); err != nil || dup != "" {
			return err
		}
		if err := x.InsertMessages(ctx, []store.MessageRow{{Message: m}}); err != nil {
			return err
		}
		var thread int64
		if contactID != 0 {
			th := &herald.Thread{AccountID: m.AccountID, ContactID: contactID, Channel: m.Channel, LastMessageID: m.ID, LastMessageAt: m.AcceptedAt}
			if err := x.UpsertThread(ctx, th); err != nil {
				return err
			}
			thread = th.ID
		}
		deliveries = deliveries[:0]
		for _, h := range hooks {
			deliveries = append(deliveries, e.delivery(m.AccountID, h.key, h.url, webhook.InboundEnvelope(m, thread)))
		}
		return x.InsertDeliveries(ctx, deliveries, e.claimer())
	})
	if err != nil {
		return nil, fmt.Errorf("storing an inbound message: %w", err)
	}
	if dup != "" {
		e.log.Info("inbound message received again", "connection", m.ConnectionID, "provider_id", m.ProviderID, "message", dup)
		return e.deps.Store.Message(ctx, m.AccountID, dup)
	}
	if e.deps.Webhooks != nil && len(deliveries) > 0 {
		e.deps.Webhooks.Hand(deliveries...)
	}
	e.metrics.status(m.Channel, m.Status)
	return m, nil
}

// claimer is who claims new deliveries: this process when it delivers.
func (e *Engine) claimer() string {
	if e.deps.Webhooks != nil {
		return e.cfg.Instance
	}
	return ""
}

// inboundContact finds or creates the sender's contact and applies the
// opt-out rules; 0 when contacts are not available or the address cannot
// make a contact.
func (e *Engine) inboundContact(ctx context.Context, in channel.Inbound) (int64, error) {
	dir := e.deps.Contacts
	if dir == nil {
		return 0, nil
	}
	c, _, err := dir.EnsureContact(ctx, in.AccountID, in.Channel, in.From)
	if herald.ErrorCode(err) == herald.EINVALID {
		return 0, nil // no phone to make a contact with: stored without one
	} else if err != nil {
		return 0, fmt.Errorf("finding the contact of an inbound message: %w", err)
	}
	if err := dir.LiftOptOut(ctx, in.AccountID, c.ID, in.Channel, in.To); err != nil {
		return 0, fmt.Errorf("lifting an opt-out: %w", err)
	}
	word, err := dir.MatchOptOutWord(ctx, in.AccountID, in.Channel, in.To, in.Text, in.At)
	if err != nil {
		return 0, fmt.Errorf("matching opt-out words: %w", err)
	}
	if word != nil { // the opt-out has the word's scope: the whole channel, or the sender
		o := herald.OptOut{AccountID: in.AccountID, ContactID: c.ID, Channel: in.Channel, SenderID: word.SenderID, At: in.At,
			By: "word:" + strings.ToUpper(word.Word)}
		if err := dir.AddOptOut(ctx, o); err != nil {
			return 0, fmt.Errorf("recording an opt-out: %w", err)
		}
	}
	return c.ID, nil
}

// hook is one webhook URL of an account's API key.
type hook struct {
	key int64
	url string
}

// hookCache holds each account's API key webhooks for a short while.
type hookCache struct {
	mu sync.Mutex
	m  map[int64]hookEntry
}

// hookEntry is an account's webhooks and when they go stale.
type hookEntry struct {
	hooks   []hook
	expires time.Time
}

// hooks returns the webhooks of the account's API keys that may use the
// Omni API: where its inbound messages go.
func (e *Engine) hooks(ctx context.Context, account int64) ([]hook, error) {
	now := e.now()
	e.hookCache.mu.Lock()
	ent, ok := e.hookCache.m[account]
	e.hookCache.mu.Unlock()
	if ok && now.Before(ent.expires) {
		return ent.hooks, nil
	}
	page, err := e.deps.Store.ListAPIKeys(ctx, account, herald.ListQuery{Limit: herald.MaxPageSize,
		Filters: []herald.Filter{{Field: "webhookUrl", Op: herald.OpNonEmpty}}})
	if err != nil {
		return nil, fmt.Errorf("reading the account's webhooks: %w", err)
	}
	var hs []hook
	for _, k := range page.Items {
		if k.HasScope(herald.ScopeOmniAPI) {
			hs = append(hs, hook{key: k.ID, url: k.WebhookURL})
		}
	}
	e.hookCache.mu.Lock()
	if e.hookCache.m == nil {
		e.hookCache.m = map[int64]hookEntry{}
	}
	e.hookCache.m[account] = hookEntry{hooks: hs, expires: now.Add(senderTTL)}
	e.hookCache.mu.Unlock()
	return hs, nil
}
