package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/batch"
	"github.com/heraldhq/herald/internal/phone"
	"github.com/heraldhq/herald/internal/store"
)

var (
	_ herald.MessageService = (*Engine)(nil)
	_ herald.BatchSender    = (*Engine)(nil)
)

// prepared is one accepted request ready to commit: its first message and,
// for a chain, the chain.
type prepared struct {
	row      store.MessageRow
	chain    *herald.Chain
	reserved bool // the dispatcher holds a place for the message
	// lookup is the number whose contact the accept transaction looks up
	// (see deferredLookup), and creates when create is set; its E164 is ""
	// when prepare resolved the contact.
	lookup phone.Number
	create bool
	// inAccept, when set, runs in the accept transaction after the insert.
	inAccept func(ctx context.Context, x *store.MessageTx, m *herald.Message) error
}

// Send validates req, prepares its message (and chain) and returns once
// it is committed.
func (e *Engine) Send(ctx context.Context, req *herald.SendRequest) (*herald.Message, error) {
	return e.SendInAccept(ctx, req, nil)
}

// SendInAccept is Send with fn, when not nil, run in the transaction that
// commits the message, after its insert: what fn writes commits with the
// message or not at all. An error from fn fails every message of that
// transaction, so fn should fail only when the database does.
func (e *Engine) SendInAccept(ctx context.Context, req *herald.SendRequest,
	fn func(ctx context.Context, x *store.MessageTx, m *herald.Message) error) (*herald.Message, error) {
	if !e.running.Load() {
		return nil, ErrStopped
	}
	start := time.Now()
	p, err := e.prepare(ctx, req)
	if err != nil {
		return nil, err
	}
	p.inAccept = fn
	// The request waits for the commit even if its client leaves: the
	// message is in the batch by then.
	if err := e.accept.Do(context.WithoutCancel(ctx), p); err != nil {
		if errors.Is(err, batch.ErrStopped) {
			e.release(p)
			return nil, ErrStopped
		}
		return nil, fmt.Errorf("committing message: %w", err)
	}
	e.metrics.accept(p.row.Channel, time.Since(start))
	return p.row.Message, nil
}

// SendBatch implements herald.BatchSender: each request is checked on its
// own and the good ones go to the accept writer together, so they commit
// in as few transactions as the batch size allows.
func (e *Engine) SendBatch(ctx context.Context, reqs []*herald.SendRequest) ([]*herald.Message, []error) {
	msgs := make([]*herald.Message, len(reqs))
	errs := make([]error, len(reqs))
	if !e.running.Load() {
		for i := range errs {
			errs[i] = ErrStopped
		}
		return msgs, errs
	}
	start := time.Now()
	ps := make([]*prepared, 0, len(reqs))
	at := make([]int, 0, len(reqs))
	for i, req := range reqs {
		p, err := e.prepare(ctx, req)
		if err != nil {
			errs[i] = err
			continue
		}
		ps = append(ps, p)
		at = append(at, i)
	}
	for j, err := range e.accept.DoEach(context.WithoutCancel(ctx), ps) {
		p, i := ps[j], at[j]
		switch {
		case errors.Is(err, batch.ErrStopped):
			e.release(p)
			errs[i] = ErrStopped
		case err != nil:
			errs[i] = fmt.Errorf("committing message: %w", err)
		default:
			e.metrics.accept(p.row.Channel, time.Since(start))
			msgs[i] = p.row.Message
		}
	}
	return msgs, errs
}

// prepare checks req and builds the rows to commit.
func (e *Engine) prepare(ctx context.Context, req *herald.SendRequest) (*prepared, error) {
	vs := append(herald.Violations(nil), req.Violations...)
	e.checkRequest(req, &vs)
	if len(vs) > 0 {
		return nil, vs.Err()
	}
	if number, ok := e.deferredLookup(req); ok {
		p, err, ok := e.prepareDeferred(ctx, req, number)
		if ok {
			return p, err
		}
	}
	c, err := e.resolveContact(ctx, req, &vs)
	if err != nil {
		return nil, err
	}
	steps := make([]herald.ChainStep, len(req.Steps))
	for i := range req.Steps {
		if steps[i], _, err = e.prepareStep(ctx, req, i, c, &vs); err != nil {
			return nil, err
		}
	}
	if err := vs.Err(); err != nil {
		return nil, err
	}
	return e.build(req, c, steps), nil
}

// A request to a phone number needs its contact for three things: the
// message's contact ID, the destination (the contact's number, which is
// the request's), and the attributes its text may name. When the text
// names none, the contact is looked up (or, for a request that creates its
// recipient, created) by the accept transaction itself, with every other
// number of its batch: the request then waits for one turn of the writer
// instead of two (on SQLite, a lookup made apart is a transaction of its
// own), and reads no attributes it does not need.

// deferredLookup returns the number of req's contact when the accept
// transaction may look it up: the request names a valid phone number (not
// a contact ID), every step goes to a phone number, and the contact
// directory is the store that commits messages.
func (e *Engine) deferredLookup(req *herald.SendRequest) (phone.Number, bool) {
	ref := req.Contact
	if !e.deferLookups || ref.Phone == "" || ref.ID != 0 {
		return phone.Number{}, false
	}
	for _, s := range req.Steps {
		if s.Channel.Address() != herald.AddressPhone {
			return phone.Number{}, false
		}
	}
	p, ok := normalizePhone(ref.Phone)
	if !ok {
		return phone.Number{}, false // resolveContact reports it
	}
	n, err := phone.Parse(p)
	if err != nil {
		return phone.Number{}, false
	}
	req.Contact.Phone = p
	return n, true
}

// prepareDeferred prepares req without its contact, whose number is
// number. ok is false when a step's text holds placeholders: the contact
// must then be looked up first.
func (e *Engine) prepareDeferred(ctx context.Context, req *herald.SendRequest, number phone.Number) (p *prepared, err error, ok bool) {
	var vs herald.Violations
	steps := make([]herald.ChainStep, len(req.Steps))
	for i := range req.Steps {
		var personalized bool
		if steps[i], personalized, err = e.prepareStep(ctx, req, i, nil, &vs); err != nil {
			return nil, err, true
		}
		if personalized {
			return nil, nil, false
		}
	}
	if err := vs.Err(); err != nil {
		return nil, err, true
	}
	p = e.build(req, nil, steps)
	p.lookup, p.create = number, req.CreateRecipient
	return p, nil, true
}

// lookUpContacts finds, in the accept transaction x, the contacts of the
// items whose lookup was deferred (creating those of items that create
// their recipient), and gives their messages and chains the contact's ID
// and number.
func lookUpContacts(ctx context.Context, x *store.MessageTx, items []*prepared) error {
	type numbers struct {
		all    []string
		create []phone.Number
	}
	var byAccount map[int64]*numbers
	for _, p := range items {
		if p.lookup.E164 == "" {
			continue
		}
		if byAccount == nil {
			byAccount = map[int64]*numbers{}
		}
		a := byAccount[p.row.AccountID]
		if a == nil {
			a = &numbers{}
			byAccount[p.row.AccountID] = a
		}
		a.all = append(a.all, p.lookup.E164)
		if p.create {
			a.create = append(a.create, p.lookup)
		}
	}
	found := make(map[int64]map[string]int64, len(byAccount))
	for account, a := range byAccount {
		ids, err := x.ContactIDsByPhone(ctx, account, a.all)
		if err != nil {
			return err
		}
		var missing []phone.Number
		for _, n := range a.create {
			if ids[n.E164] == 0 {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			made, err := x.EnsureContacts(ctx, account, missing)
			if err != nil {
				return err
			}
			maps.Copy(ids, made)
		}
		found[account] = ids
	}
	for _, p := range items {
		number := p.lookup.E164
		id := found[p.row.AccountID][number]
		if number == "" || id == 0 {
			continue
		}
		// The contact's number is the one looked up.
		m := p.row.Message
		m.ContactID, m.Destination = id, number
		if p.chain != nil {
			for i := range p.chain.Steps {
				p.chain.Steps[i].Destination = number
			}
		}
	}
	return nil
}

// build makes the first message and the chain of a checked request.
func (e *Engine) build(req *herald.SendRequest, c *herald.Contact, steps []herald.ChainStep) *prepared {
	now := e.now()
	base := now
	if req.SendAt != nil && req.SendAt.After(now) {
		at := req.SendAt.UTC().Truncate(time.Microsecond)
		base = at
	}
	m := e.stepMessage(&herald.Message{
		AccountID: req.AccountID, Direction: herald.MT, Origin: req.Origin, Traffic: req.Traffic,
		CorrelationID: req.CorrelationID, CallbackData: req.CallbackData, WebhookURL: req.Webhook,
	}, steps[0], 0, now)
	if c != nil {
		m.ContactID = c.ID
	}
	if req.APIKey != nil {
		m.APIKeyID = req.APIKey.ID
		if m.WebhookURL == "" {
			m.WebhookURL = req.APIKey.WebhookURL
		}
	}
	if req.Validity > 0 {
		v := base.Add(req.Validity)
		m.ValidUntil = &v
	}
	p := &prepared{row: store.MessageRow{Message: m}}
	if base.After(now) {
		m.SendAt, m.Status, m.Detail = &base, herald.StatusScheduled, herald.DetailScheduled
		p.row.ClaimUntil = base.UnixMilli()
	} else {
		p.reserved = e.claim(&p.row, now)
	}
	if req.Chain {
		m.ChainID = m.ID
		steps[0].MessageID = m.ID
		p.chain = &herald.Chain{ID: m.ID, AccountID: m.AccountID, Steps: steps, CurrentMessageID: m.ID, CreatedAt: now, UpdatedAt: now}
		p.chain.FallbackAt = deadline(base, steps[0])
	}
	return p
}

// stepMessage returns a new queued message for step i of a request, with
// the fields every step shares copied from base.
func (e *Engine) stepMessage(base *herald.Message, step herald.ChainStep, i int, now time.Time) *herald.Message {
	return &herald.Message{
		ID: newID(), AccountID: base.AccountID, Direction: herald.MT, Channel: step.Channel, SenderID: step.SenderID,
		ConnectionID: step.ConnectionID, ContactID: base.ContactID, Destination: step.Destination, Payload: step.Payload,
		Template: step.Template, Status: herald.StatusQueued, Detail: herald.DetailQueued, Encoding: step.Encoding,
		Segments: step.Segments, Origin: base.Origin, Traffic: base.Traffic, CorrelationID: base.CorrelationID,
		CallbackData: base.CallbackData, WebhookURL: base.WebhookURL, APIKeyID: base.APIKeyID, ChainID: base.ChainID,
		Step: i, ValidUntil: base.ValidUntil, AcceptedAt: now, UpdatedAt: now,
	}
}

// deadline returns when a step started at start times out; nil without a
// waiting time.
func deadline(start time.Time, step herald.ChainStep) *time.Time {
	if step.WaitingTime <= 0 {
		return nil
	}
	t := start.Add(time.Duration(step.WaitingTime) * time.Second)
	return &t
}

// claim leases a new queued message to this process when the dispatcher
// has room for it, else leaves it due now for any process. It reports
// whether a place was reserved.
func (e *Engine) claim(r *store.MessageRow, now time.Time) bool {
	if e.cfg.Dispatch && e.disp.reserve(laneOf(r.Message)) {
		r.ClaimUntil, r.ClaimedBy = now.Add(e.cfg.Lease).UnixMilli(), e.cfg.Instance
		return true
	}
	r.ClaimUntil, r.ClaimedBy = now.UnixMilli(), ""
	return false
}

// release gives back the dispatcher place of a message that was not committed.
func (e *Engine) release(p *prepared) {
	if p.reserved {
		e.disp.unreserve(laneOf(p.row.Message))
	}
}

// flushAccept commits a batch of accepted messages, then hands the claimed
// ones to the dispatcher. A message whose caller's work in the transaction
// (SendInAccept) fails is left out: the batch is committed again without
// it, and its caller gets that error.
func (e *Engine) flushAccept(ctx context.Context, items []*prepared) ([]error, error) {
	if e.killed.Load() {
		return nil, errKilled
	}
	ctx = context.WithoutCancel(ctx) // a stopping engine still commits what it drains
	var errs []error
	live := items
	for {
		refused, err := e.commitAccepted(ctx, live)
		if refused < 0 {
			if err != nil {
				for _, p := range live {
					e.release(p)
				}
				return nil, err
			}
			break
		}
		if errs == nil {
			errs = make([]error, len(items))
		}
		p := live[refused]
		errs[slices.Index(items, p)] = err
		e.release(p)
		live = slices.Delete(slices.Clone(live), refused, refused+1)
		if len(live) == 0 {
			return errs, nil
		}
	}
	for _, p := range live {
		e.chains.add(p.chain)
		if p.reserved {
			e.disp.enqueue(p.row)
		}
	}
	return errs, nil
}

// commitAccepted inserts items in one transaction. When the work of an
// item's caller fails, the transaction is rolled back and it returns that
// item's index and error; otherwise -1 and the transaction's outcome.
func (e *Engine) commitAccepted(ctx context.Context, items []*prepared) (int, error) {
	rows := make([]store.MessageRow, 0, len(items))
	var chains []*herald.Chain
	for _, p := range items {
		rows = append(rows, p.row)
		if p.chain != nil {
			chains = append(chains, p.chain)
		}
	}
	refused := -1
	var refusal error
	err := e.deps.Store.MessageTx(ctx, func(x *store.MessageTx) error {
		refused, refusal = -1, nil
		if err := lookUpContacts(ctx, x, items); err != nil {
			return err
		}
		if err := x.InsertMessages(ctx, rows); err != nil {
			return err
		}
		for i, p := range items {
			if p.inAccept != nil {
				if err := p.inAccept(ctx, x, p.row.Message); err != nil {
					refused, refusal = i, err
					return err
				}
			}
		}
		return x.InsertChains(ctx, chains)
	})
	if refused >= 0 {
		return refused, refusal
	}
	return -1, err
}

// Cancel cancels the account's scheduled message id and, for the first
// message of a chain, the chain.
func (e *Engine) Cancel(ctx context.Context, accountID int64, id string) (*herald.Message, error) {
	if !e.running.Load() {
		return nil, ErrStopped
	}
	u := update{kind: kindCancel, id: id, account: accountID, status: herald.StatusCanceled, detail: herald.DetailCanceledAPI, at: e.now()}
	if err := e.status.Do(ctx, u); err != nil {
		return nil, err
	}
	return e.deps.Store.Message(ctx, accountID, id)
}

// WaitFinal polls the message until it reaches a final status (delivered,
// seen or a failure) or ctx ends, and returns it.
func (e *Engine) WaitFinal(ctx context.Context, accountID int64, id string) (*herald.Message, error) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		m, err := e.deps.Store.Message(ctx, accountID, id)
		if err != nil || m.Status.Final() {
			return m, err
		}
		select {
		case <-ctx.Done():
			return m, ctx.Err()
		case <-t.C:
		}
	}
}
