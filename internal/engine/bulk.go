package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/render"
	"github.com/heraldhq/herald/internal/store"
)

// Bulk sending serves broadcasts. A broadcast's steps are routed, loaded
// and checked once (PlanBulk); each recipient then gets its fallback chain
// personalised in memory (BuildBulk); a batch of chains commits in one
// transaction together with the caller's own rows (CommitBulk), already
// leased to this process and handed to the dispatcher in its bulk lanes,
// as far as BulkRoom allows. No per-recipient lookups touch the database.

// BulkPlan is a broadcast's steps, prepared once for every recipient.
type BulkPlan struct {
	AccountID   int64
	BroadcastID int64
	steps       []bulkStep
}

// bulkStep is one prepared step.
type bulkStep struct {
	step    herald.ChainStep  // channel, sender, connection, criterion, waiting time, template
	content content.Content   // decoded, not personalised
	params  map[string]string // the template's parameters
	static  *preparedContent  // the content when it has no placeholders
	shared  *sharedContent    // the content as its messages are stored
	slots   *content.Email    // an e-mail's content with slots for the values (see content.EmailFill)
}

// PlanBulk routes the steps of broadcast broadcastID of the account, loads
// their templates and checks their content. attrs are the account's
// attribute names: a placeholder of any other attribute, or a template
// variable that is neither an attribute nor given in the template's
// params, is a violation (a broadcast has no per-contact parameters).
// EINVALID names the fields as "steps[i]. ...".
func (e *Engine) PlanBulk(ctx context.Context, accountID, broadcastID int64, steps []herald.BroadcastStep, attrs []string) (*BulkPlan, error) {
	p := &BulkPlan{AccountID: accountID, BroadcastID: broadcastID}
	known := map[string]bool{}
	for _, a := range attrs {
		known[strings.ToLower(a)] = true
	}
	var vs herald.Violations
	for i, s := range steps {
		bs, err := e.planStep(ctx, accountID, i, s, known, &vs)
		if err != nil {
			return nil, err
		}
		if bs.shared != nil {
			bs.shared.c.BroadcastID = broadcastID
		}
		p.steps = append(p.steps, bs)
	}
	if err := vs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// planStep prepares step i.
func (e *Engine) planStep(ctx context.Context, accountID int64, i int, s herald.BroadcastStep, attrs map[string]bool, vs *herald.Violations) (bulkStep, error) {
	prefix := fmt.Sprintf("steps[%d].", i)
	bs := bulkStep{step: herald.ChainStep{Channel: s.Channel, Criterion: s.Criterion, WaitingTime: s.WaitingTime, Template: s.Template}}
	sender, err := e.routes.sender(ctx, accountID, s.Channel, s.SenderID)
	switch {
	case herald.IsNotFound(err):
		vs.Add(prefix+"senderId", herald.VUnknown, "The account has no sender ID %q on %s.", s.SenderID, s.Channel.Label())
	case err != nil:
		return bs, fmt.Errorf("finding the sender ID: %w", err)
	default:
		bs.step.SenderID, bs.step.ConnectionID = sender.Name, sender.ConnectionID
	}
	raw := s.Payload
	if s.Template != nil {
		if raw, err = e.stepTemplate(ctx, accountID, prefix, s, vs); err != nil || raw == nil {
			return bs, err
		}
		bs.params = s.Template.Params
	}
	c, err := content.Decode(s.Channel, raw)
	if err != nil {
		addViolations(vs, err, prefix, s.Template != nil)
		return bs, nil
	}
	bs.content = c
	vars, err := contentVars(c)
	if err != nil {
		addViolations(vs, err, prefix, s.Template != nil)
		return bs, nil
	}
	bs.shared = newSharedContent(store.SharedContent{AccountID: accountID, Channel: s.Channel, Payload: raw, Params: bs.params}, vars)
	if bs.shared != nil {
		bs.slots = bs.shared.slotted(c, bs.params)
	}
	for _, v := range vars {
		switch {
		case v.Attribute && !attrs[strings.ToLower(v.Name)]:
			vs.Add(prefix+"payload", herald.VUnknown, "{{%s}} names no contact attribute of the account.", v)
		case !v.Attribute && bs.params[v.Name] == "":
			vs.Add(prefix+"template.params."+v.Name, herald.VRequired,
				"{{%s}} is not a contact attribute: a broadcast fills only attributes, so give its value in the template's params.", v)
		}
	}
	if len(vars) == 0 {
		pc, err := personalize(c, &render.Renderer{})
		if err != nil {
			addViolations(vs, err, prefix, s.Template != nil)
		}
		bs.static = &pc
	}
	return bs, nil
}

// stepTemplate returns the payload of the step's template.
func (e *Engine) stepTemplate(ctx context.Context, accountID int64, prefix string, s herald.BroadcastStep, vs *herald.Violations) (json.RawMessage, error) {
	if e.deps.Templates == nil {
		vs.Add(prefix+"template.id", herald.VUnknown, "Templates are not available; give the content as a payload.")
		return nil, nil
	}
	t, err := e.deps.Templates.Template(ctx, accountID, s.Template.ID)
	switch {
	case herald.IsNotFound(err):
		vs.Add(prefix+"template.id", herald.VUnknown, "No template with ID %d.", s.Template.ID)
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("loading the template: %w", err)
	case t.Channel != s.Channel:
		vs.Add(prefix+"template.id", herald.VFormat, "Template %d is for %s, not %s.", t.ID, t.Channel.Label(), s.Channel.Label())
		return nil, nil
	}
	return t.Payload, nil
}

// contentVars returns the placeholders c's texts use.
func contentVars(c content.Content) ([]render.Var, error) {
	var vars []render.Var
	collect := func(text string) (string, error) {
		t, err := render.Parse(text)
		if err != nil {
			return "", err
		}
		for _, v := range t.Variables() {
			if !slices.Contains(vars, v) {
				vars = append(vars, v)
			}
		}
		return text, nil
	}
	_, err := content.Personalize(c, collect, collect)
	return vars, err
}

// personalize renders c for one recipient with r and checks the result.
func personalize(c content.Content, r *render.Renderer) (preparedContent, error) {
	out, err := content.Personalize(c, r.Text, r.HTML)
	if err != nil {
		return preparedContent{}, err
	}
	if err := (content.Decoder{}).Check(out); err != nil {
		return preparedContent{}, err
	}
	payload, err := encodeContent(out)
	if err != nil {
		return preparedContent{}, err
	}
	pc := preparedContent{payload: payload} // the text is not needed: a broadcast has no per-message preview to make
	if e, ok := out.(*content.Email); ok && utf8Email(e) {
		pc.content = e // what a connector would decode from payload
	}
	if s, ok := out.(*content.SMS); ok {
		pc.encoding, pc.segments = string(s.Info.Encoding), s.Info.Segments
	}
	return pc, nil
}

// utf8Email reports whether e's texts are valid UTF-8: encoding e as
// JSON and decoding it again then gives e back.
func utf8Email(e *content.Email) bool {
	return utf8.ValidString(e.Subject) && utf8.ValidString(e.Subtitle) && utf8.ValidString(e.HTML) && utf8.ValidString(e.Body)
}

// encodeContent returns the payload of c.
func encodeContent(c content.Content) (json.RawMessage, error) {
	// Without HTML escaping an e-mail's HTML stays as it is (no \u003c
	// for each '<'): a smaller payload, quicker to write and to read back.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encoding the payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// BulkRecipient is one recipient of a bulk send: its addresses and the
// attribute values its content is personalised with.
type BulkRecipient struct {
	ContactID  int64 // 0 for an address that is no contact's
	Phone      string
	Email      string
	Attrs      map[string]string // by attribute name
	Identities map[string]string // by identity kind
	SkipRCS    bool              // known not RCS capable: RCS steps are left out
	// NoOptOuts says the caller found the contact without any opt-out
	// just now: the first message is sent without looking again (later
	// steps are checked when they are sent).
	NoOptOuts bool
}

// address returns the recipient's address on ch.
func (r *BulkRecipient) address(ch herald.Channel) string {
	switch ch.Address() {
	case herald.AddressPhone:
		return r.Phone
	case herald.AddressEmail:
		return r.Email
	}
	return r.Identities[ch.String()]
}

// BulkItem is one recipient's chain, ready to commit.
type BulkItem struct {
	p      prepared
	shared *sharedContent  // the first message's content as stored, if shared
	values json.RawMessage // the recipient's values of shared's attributes
}

// ChainID returns the ID of the item's chain (its first message's ID).
func (it *BulkItem) ChainID() string { return it.p.chain.ID }

// BuildBulk personalises the plan's steps for r and returns its chain. The
// steps r has no address for, cannot be personalised for or (SkipRCS) is
// not capable of are left out; when none is left it returns nil and why
// (herald.SkipNoAddress, SkipNotCapable or SkipBadContent).
func (e *Engine) BuildBulk(p *BulkPlan, r *BulkRecipient) (*BulkItem, string) {
	var steps []herald.ChainStep
	var first *bulkStep
	var decoded any            // the first step's content, decoded
	var shared *sharedContent  // the first step's shared content, when its message refers to it
	var values json.RawMessage // the recipient's values of shared
	reason := herald.SkipNoAddress
	for i := range p.steps {
		bs := &p.steps[i]
		if r.SkipRCS && bs.step.Channel == herald.ChannelRCS {
			reason = herald.SkipNotCapable
			continue
		}
		dest := r.address(bs.step.Channel)
		if dest == "" {
			continue
		}
		var pc *preparedContent
		var vals json.RawMessage
		switch {
		case first == nil && bs.shared != nil:
			c, err := bs.firstContent(r.Attrs, &vals)
			if err != nil {
				reason = herald.SkipBadContent
				continue
			}
			pc = &c
		case bs.static != nil:
			pc = bs.static
		default:
			c, err := personalize(bs.content, bulkRenderer(bs.params, r.Attrs))
			if err != nil {
				reason = herald.SkipBadContent
				continue
			}
			pc = &c
		}
		step := bs.step
		step.Destination, step.Payload, step.Encoding, step.Segments = dest, pc.payload, pc.encoding, pc.segments
		steps = append(steps, step)
		if first == nil {
			first, decoded = bs, pc.content
			if vals != nil {
				shared, values = bs.shared, vals
			}
		}
	}
	if len(steps) == 0 {
		return nil, reason
	}
	now := e.now()
	m := e.stepMessage(&herald.Message{AccountID: p.AccountID, ContactID: r.ContactID, Origin: herald.OriginBroadcast,
		Traffic: herald.TrafficA2P}, steps[0], 0, now)
	m.ChainID, m.Content = m.ID, decoded
	steps[0].MessageID = m.ID
	// The first step's content is its message's: the chain need not
	// keep a copy, which would be written and read back with each of
	// the chain's status changes.
	steps[0].Payload = nil
	c := &herald.Chain{ID: m.ID, AccountID: p.AccountID, BroadcastID: p.BroadcastID, Steps: steps, CurrentMessageID: m.ID,
		CreatedAt: now, UpdatedAt: now, FallbackAt: deadline(now, steps[0])}
	return &BulkItem{p: prepared{row: store.MessageRow{Message: m, OptOutChecked: r.NoOptOuts}, chain: c},
		shared: shared, values: values}, ""
}

// firstContent returns the content of a recipient's first message, whose
// step has a shared content, and sets *values to the recipient's values
// of it, for the message to be stored as a reference. An e-mail with
// slots is handed on as a content.EmailFill without a payload: the
// connector fills it in, and the payload is made only for a connector
// that needs one (see payloadFor). Other contents are personalised as
// for any step. Values that are not UTF-8 cannot be stored as JSON
// unchanged: *values is left nil, and the message keeps its payload.
func (bs *bulkStep) firstContent(attrs map[string]string, values *json.RawMessage) (preparedContent, error) {
	vals, list := bs.shared.values(attrs)
	if !utf8Values(list) {
		return personalize(bs.content, bulkRenderer(bs.params, attrs))
	}
	*values = vals
	if bs.slots == nil {
		if bs.static != nil {
			return *bs.static, nil
		}
		return personalize(bs.content, bulkRenderer(bs.params, attrs))
	}
	f := &content.EmailFill{Slots: bs.slots, Values: list}
	out, err := f.Render()
	if err != nil {
		return preparedContent{}, err
	}
	if err := (content.Decoder{}).Check(out); err != nil {
		return preparedContent{}, err
	}
	return preparedContent{content: f}, nil
}

// utf8Values reports whether every value is valid UTF-8 (and so comes
// back the same from a payload).
func utf8Values(vals []string) bool {
	for _, v := range vals {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// BulkRoom returns how many more broadcast messages of the account this
// process would hand to its dispatcher now: a runner takes no more
// recipients than that, so broadcasts go at the connections' pace without
// crowding out other traffic. Zero in a process that does not dispatch.
func (e *Engine) BulkRoom(accountID int64) int {
	if !e.cfg.Dispatch || !e.running.Load() {
		return 0
	}
	return e.disp.bulkRoom(accountID)
}

// BulkHeld returns how many broadcast messages of the account this
// process holds in memory (queued for its connections or being sent).
func (e *Engine) BulkHeld(accountID int64) int {
	e.disp.mu.Lock()
	defer e.disp.mu.Unlock()
	return e.disp.bulk[accountID]
}

// CommitBulk commits the items' messages and chains in one transaction
// with extra (the caller's own rows, such as the recipients the chains
// were made for), then hands the messages it could lease to the
// dispatcher; the others wait in the database for the sweepers.
func (e *Engine) CommitBulk(ctx context.Context, items []*BulkItem, extra func(ctx context.Context, x *store.MessageTx) error) error {
	if !e.running.Load() {
		return ErrStopped
	}
	now := e.now()
	rows := make([]store.MessageRow, 0, len(items))
	chains := make([]*herald.Chain, 0, len(items))
	for _, it := range items {
		it.p.row.Message.AcceptedAt, it.p.row.Message.UpdatedAt = now, now
		it.p.reserved = e.claim(&it.p.row, now)
		rows, chains = append(rows, it.p.row), append(chains, it.p.chain)
	}
	var fresh map[*sharedContent]int64
	err := e.deps.Store.MessageTx(ctx, func(x *store.MessageTx) error {
		if e.killed.Load() {
			return errKilled
		}
		var err error
		if fresh, err = storeContents(ctx, x, items, rows); err != nil {
			return err
		}
		if err := x.InsertMessages(ctx, rows); err != nil {
			return err
		}
		if err := x.InsertChains(ctx, chains); err != nil {
			return err
		}
		return extra(ctx, x)
	})
	if err != nil {
		for _, it := range items {
			e.release(&it.p)
		}
		return err
	}
	keepContents(fresh)
	for i, it := range items {
		it.p.row.ContentID, it.p.row.ContentValues = rows[i].ContentID, rows[i].ContentValues
		e.chains.add(it.p.chain)
		if it.p.reserved {
			e.disp.enqueue(it.p.row)
		}
		e.metrics.status(it.p.row.Channel, herald.StatusAccepted)
	}
	return nil
}

// CheckCapable asks the connection behind the account's RCS sender ID
// whether each of addrs can receive RCS. It returns nil (unknown) when the
// connector cannot tell. ENOTFOUND for an unknown sender ID.
func (e *Engine) CheckCapable(ctx context.Context, accountID int64, senderID string, addrs []string) ([]bool, error) {
	sender, err := e.routes.sender(ctx, accountID, herald.ChannelRCS, senderID)
	if err != nil {
		return nil, err
	}
	conn, _, err := e.routes.connector(ctx, sender.ConnectionID)
	if err != nil {
		return nil, err
	}
	cc, ok := conn.(channel.CapabilityChecker)
	if !ok {
		return nil, nil
	}
	out := make([]bool, len(addrs))
	for i, a := range addrs {
		if out[i], err = cc.Capable(ctx, a); err != nil {
			return nil, fmt.Errorf("checking RCS capability: %w", err)
		}
	}
	return out, nil
}
