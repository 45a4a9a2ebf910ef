package smpp

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// partsTTL is how long a multi-segment message waits for its receipts.
const partsTTL = 48 * time.Hour

// remember records the segments of a message sent in several, so that
// their receipts fold into one status, also after a restart. A failure is
// logged, not returned: the SMSC has the message, and sending it again
// would duplicate it; its first segment's receipt still matches it.
func (c *Connector) remember(ctx context.Context, messageID string, ids []string) {
	if err := c.hub.store.RememberSegments(context.WithoutCancel(ctx), c.conn, messageID, ids); err != nil {
		c.hub.log.Error("smpp: receipts of this message's segments will not fold", "connection", c.name,
			"message", messageID, "err", err)
	}
}

// fold records a segment's state and returns the message's folded state,
// whether it is final, and the message's ID and provider ID (its first
// segment's); ok is false when no remembered message has a segment with
// one of ids.
func (c *Connector) fold(ctx context.Context, ids []string, st receipt.State) (messageID, providerID string, folded receipt.State, final, ok bool, err error) {
	isFinal := func(states []string) bool { return foldStates(states).Final() }
	for _, id := range ids {
		if id == "" {
			continue
		}
		seg, err := c.hub.store.FoldSegment(ctx, c.conn, id, string(st), isFinal)
		if err != nil {
			return "", "", "", false, false, err
		}
		if seg == nil {
			continue
		}
		folded = foldStates(seg.States)
		return seg.MessageID, seg.ProviderIDs[0], folded, folded.Final(), true, nil
	}
	return "", "", "", false, false, nil
}

// foldStates folds the segments' states, "" for a segment with no receipt.
func foldStates(states []string) receipt.State {
	ss := make([]receipt.State, len(states))
	for i, s := range states {
		ss[i] = receipt.State(s)
	}
	return receipt.Fold(ss...)
}

// expireParts forgets multi-segment messages whose receipts never came.
func (c *Connector) expireParts(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := c.hub.store.ForgetSegments(ctx, time.Now().Add(-partsTTL)); err != nil {
			c.hub.log.Warn("smpp: forgetting old segments", "err", err)
		}
	}
}

// onReceipt turns a receipt into a status report of its message, matched
// by the connection and the SMSC's message ID, or records it as unmatched.
// It returns once the report is committed, so the deliver_sm_resp follows.
func (c *Connector) onReceipt(ctx context.Context, r *smpp.Receipt) error {
	m, ok, err := c.match(ctx, r.IDs, r.State)
	if err != nil {
		return err
	}
	if !ok {
		return c.unmatched(ctx, r)
	}
	if m.partial {
		return nil // other segments have not reported yet
	}
	status := statusOf(m.state)
	if status == herald.StatusSent {
		return nil // an intermediate receipt (enroute, accepted) changes nothing
	}
	rep := channel.Report{MessageID: m.messageID, ConnectionID: c.conn, ProviderID: m.providerID,
		Status: status, ProviderCode: providerCode(r), At: time.Now()}
	if err := c.sink.Report(ctx, rep); err != nil {
		return fmt.Errorf("smpp: reporting a receipt: %w", err)
	}
	return nil
}

// matched is the message a receipt belongs to.
type matched struct {
	messageID, providerID string
	state                 receipt.State // the message's state: the receipt's, or the segments' folded
	partial               bool          // a segment reported, the message's state is not final yet
}

// A receipt's ID may be the submit_sm_resp's message ID in another base
// (some SMSCs answer in hexadecimal and report in decimal, or the other way
// round), so it is looked up in every form (receipt.Candidates). A receipt
// that overtakes its submission must not be taken for another message
// whose ID is one of its other forms ("74" is also 0x74 = 116): the
// connection's usual form is looked up first, and the others only once a
// receipt has waited Hub.OtherFormsAfter for it. The usual form is the
// receipt's own until learnForm receipts in a row matched in another.
const learnForm = 3

// match finds the message of a receipt with state st: among the latest
// submissions, among the multi-segment messages being folded, else in the
// store. It tries again for a while (MatchWait), since a receipt may
// overtake its submission: a segment's receipt can come before Send has
// the SMSC's answers to every segment and remembers them, and a message's
// before its provider ID is committed. The multi-segment messages are
// looked at first in every round, so a segment's receipt is never taken
// for a whole message's once Send has remembered its segments.
func (c *Connector) match(ctx context.Context, ids []string, st receipt.State) (matched, bool, error) {
	if len(ids) == 0 {
		return matched{}, false, nil
	}
	own, others := ids[:1], ids[1:]
	usual, rest := own, others
	if c.otherForm.Load() >= learnForm {
		usual, rest = others, own
	}
	start := time.Now()
	deadline := start.Add(c.hub.MatchWait)
	for wait := 20 * time.Millisecond; ; wait = min(wait*2, 500*time.Millisecond) {
		tries := [][]string{usual}
		if time.Since(start) >= c.hub.OtherFormsAfter {
			tries = append(tries, rest)
		}
		for _, forms := range tries {
			m, form, ok, err := c.lookup(ctx, forms, st)
			if err != nil {
				return m, false, err
			}
			if !ok {
				continue
			}
			if form == own[0] {
				c.otherForm.Store(0)
			} else {
				c.otherForm.Add(1)
			}
			return m, true, nil
		}
		if time.Now().Add(wait).After(deadline) {
			return matched{}, false, nil
		}
		select {
		case <-ctx.Done():
			return matched{}, false, nil
		case <-time.After(wait):
		}
	}
}

// lookup finds the message whose SMSC ID is one of forms, and the form
// that matched: among the latest submissions, then among the multi-segment
// messages being folded, then in the store.
func (c *Connector) lookup(ctx context.Context, forms []string, st receipt.State) (m matched, form string, ok bool, err error) {
	if pid, mid, ok := c.recent.find(forms, st.Final()); ok {
		return matched{messageID: mid, providerID: pid, state: st}, pid, true, nil
	}
	folded := func() (matched, string, bool, error) {
		for _, id := range forms {
			mid, pid, state, final, ok, err := c.fold(ctx, []string{id}, st)
			if err != nil || ok {
				return matched{messageID: mid, providerID: pid, state: state, partial: !final}, id, ok, err
			}
		}
		return matched{}, "", false, nil
	}
	if m, form, ok, err := folded(); err != nil || ok {
		return m, form, ok, err
	}
	for _, id := range forms {
		if id == "" {
			continue
		}
		if mid, err := c.hub.store.MessageIDByProvider(ctx, c.conn, id); err == nil {
			// Send may have remembered the message's segments since
			// they were looked at: they come first.
			if m, form, ok, err := folded(); err != nil || ok {
				return m, form, ok, err
			}
			return matched{messageID: mid, providerID: id, state: st}, id, true, nil
		}
	}
	return matched{}, "", false, nil
}

// unmatched records and counts a receipt that matches no message.
func (c *Connector) unmatched(ctx context.Context, r *smpp.Receipt) error {
	c.hub.unmatched.WithLabelValues(strconv.FormatInt(c.conn, 10)).Inc()
	c.hub.log.Warn("smpp: receipt matches no message", "connection", c.name, "id", r.ID, "stat", r.Stat, "err", r.Err)
	u := &herald.UnmatchedReceipt{ConnectionID: c.conn, ProviderID: r.ID, Stat: r.Stat, Err: r.Err, Raw: r.Raw,
		ReceivedAt: time.Now().UTC()}
	if err := c.hub.store.RecordUnmatchedReceipt(ctx, u); err != nil {
		return fmt.Errorf("smpp: recording an unmatched receipt: %w", err)
	}
	return nil
}

// statusOf maps a receipt state to a message status.
func statusOf(s receipt.State) herald.MessageStatus {
	switch s {
	case receipt.Delivered:
		return herald.StatusDelivered
	case receipt.Enroute, receipt.Accepted, "":
		return herald.StatusSent
	}
	return herald.StatusUndelivered
}

// providerCode keeps the receipt's raw stat and err, as "DELIVRD:000".
func providerCode(r *smpp.Receipt) string {
	stat := r.Stat
	if stat == "" {
		stat = receipt.Stat(r.State)
	}
	if r.Err == "" {
		return stat
	}
	return stat + ":" + r.Err
}

// onMO hands an MO message to the inbound path. A message to an address
// that is no sender ID of the connection is refused permanently, so that
// the SMSC does not offer it again and again.
func (c *Connector) onMO(ctx context.Context, m *smpp.MO) error {
	payload, _ := json.Marshal(smsPayload{Text: m.Text}) // a string always encodes
	in := channel.Inbound{ConnectionID: c.conn, Channel: herald.ChannelSMS, From: address(m.Source), To: m.Dest.Addr,
		Payload: payload, Text: m.Text, At: m.ReceivedAt}
	if in.Channel = c.channel; in.Channel == 0 {
		in.Channel = herald.ChannelSMS
	}
	if _, err := c.sink.Receive(ctx, in); err != nil {
		if herald.ErrorCode(err) == herald.ENOTFOUND {
			c.hub.log.Warn("smpp: MO to an unknown sender ID", "connection", c.name, "to", in.To, "err", err)
			return smpp.StatusInvDstAddr
		}
		return fmt.Errorf("smpp: receiving an MO message: %w", err)
	}
	return nil
}

// address returns an SMPP address as Herald writes it: international
// numbers with a '+'.
func address(a smpp.Address) string {
	if a.TON == 1 && a.Addr != "" && a.Addr[0] != '+' {
		return "+" + a.Addr
	}
	return a.Addr
}

// add and remove track the started connectors for Binds.
func (h *Hub) add(c *Connector) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns[c.conn] = c
}

func (h *Hub) remove(c *Connector) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[c.conn] == c {
		delete(h.conns, c.conn)
	}
}

// ConnectionBinds is the bind state of one started SMPP connection.
type ConnectionBinds struct {
	ConnectionID int64
	Name         string
	Sessions     []smpp.SessionInfo
}

// Binds returns the bind state of a connection; ok is false when no SMPP
// connection with that ID is started in this process.
func (h *Hub) Binds(connectionID int64) (ConnectionBinds, bool) {
	h.mu.Lock()
	c := h.conns[connectionID]
	h.mu.Unlock()
	if c == nil {
		return ConnectionBinds{}, false
	}
	return ConnectionBinds{ConnectionID: c.conn, Name: c.name, Sessions: c.Binds()}, true
}

// All returns the bind state of every started SMPP connection, by ID.
func (h *Hub) All() []ConnectionBinds {
	h.mu.Lock()
	ids := make([]int64, 0, len(h.conns))
	for id := range h.conns {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	out := make([]ConnectionBinds, 0, len(ids))
	for _, id := range ids {
		if b, ok := h.Binds(id); ok {
			out = append(out, b)
		}
	}
	sortBinds(out)
	return out
}

// sortBinds orders connections by ID.
func sortBinds(bs []ConnectionBinds) {
	slices.SortFunc(bs, func(a, b ConnectionBinds) int { return cmp.Compare(a.ConnectionID, b.ConnectionID) })
}
