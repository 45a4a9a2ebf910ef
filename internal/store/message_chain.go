package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// Fallback chains are read and written inside the engine's transactions:
// the status change that decides a step and the switch to the next step
// commit together.

// chainSelects are the columns scanChain reads.
const chainSelects = "id, account_id, spec, current_step, current_message_id, fallback_at, outcome, final_status, created_at, updated_at, broadcast_id"

// scanChain reads chainSelects.
func scanChain(r scanner) (*herald.Chain, error) {
	c := &herald.Chain{}
	var spec string
	var due *int64
	err := r.Scan(&c.ID, &c.AccountID, &spec, &c.Current, &c.CurrentMessageID, &due, &c.Outcome, &c.FinalStatus,
		&c.CreatedAt, &c.UpdatedAt, &c.BroadcastID)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(spec), &c.Steps); err != nil {
		return nil, fmt.Errorf("decoding chain %s: %w", c.ID, err)
	}
	if due != nil {
		t := time.UnixMilli(*due).UTC()
		c.FallbackAt = &t
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c, nil
}

// chainValues returns the values of one chain row after its ID and account.
func chainValues(c *herald.Chain) (spec string, due any) {
	b, _ := json.Marshal(c.Steps) // plain fields always encode
	if c.FallbackAt != nil {
		due = c.FallbackAt.UnixMilli()
	}
	return string(b), due
}

// InsertChains inserts new chains.
func (x *MessageTx) InsertChains(ctx context.Context, chains []*herald.Chain) error {
	const cols = 11
	return chunks(len(chains), cols, func(lo, hi int) error {
		vals := make([][]any, 0, hi-lo)
		for _, c := range chains[lo:hi] {
			spec, due := chainValues(c)
			vals = append(vals, []any{c.ID, c.AccountID, spec, c.Current, c.CurrentMessageID, due, c.Outcome,
				c.FinalStatus, c.CreatedAt.UTC().Truncate(time.Microsecond), c.UpdatedAt.UTC().Truncate(time.Microsecond), c.BroadcastID})
		}
		args := x.s.batch()
		q := "INSERT INTO message_chains (" + chainSelects + ") VALUES " + rowsSQL(args, vals)
		if _, err := x.t.exec(ctx, q, args.vals...); err != nil {
			return fmt.Errorf("inserting chains: %w", err)
		}
		return nil
	})
}

// LockChains reads the chains with ids, keyed by ID; on PostgreSQL they
// stay locked until the transaction ends.
func (x *MessageTx) LockChains(ctx context.Context, ids []string) (map[string]*herald.Chain, error) {
	out := make(map[string]*herald.Chain, len(ids))
	err := chunks(len(ids), 1, func(lo, hi int) error {
		args := x.s.batch()
		return x.collectChains(ctx, out, "SELECT "+chainSelects+" FROM message_chains WHERE id IN ("+
			args.list(ids[lo:hi])+") ORDER BY id"+x.s.d.forUpdate, args.vals...)
	})
	return out, err
}

// DueChains reads, oldest deadline first, up to limit running chains whose
// current step timed out at now; on PostgreSQL they stay locked, and
// chains another process is deciding are passed over.
func (x *MessageTx) DueChains(ctx context.Context, now time.Time, limit int) ([]*herald.Chain, error) {
	m := map[string]*herald.Chain{}
	err := x.collectChains(ctx, m, "SELECT "+chainSelects+` FROM message_chains
		WHERE fallback_at IS NOT NULL AND fallback_at <= $1 ORDER BY fallback_at LIMIT $2`+x.s.d.skipLocked, now.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	out := make([]*herald.Chain, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	return out, nil
}

// collectChains runs a query of chainSelects into m.
func (x *MessageTx) collectChains(ctx context.Context, m map[string]*herald.Chain, q string, args ...any) error {
	rs, err := x.t.query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("reading chains: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		c, err := scanChain(rs)
		if err != nil {
			return fmt.Errorf("reading chains: %w", err)
		}
		m[c.ID] = c
	}
	return rs.Err()
}

// ChainGuard is where a chain stood when this process last saw it
// committed: a chain decided from that copy, without reading it under
// lock, is written only while the stored chain is still running at that
// step. Only a move to another step or an outcome changes a chain, so
// the step and its message are the whole of its state that matters.
type ChainGuard struct {
	Step      int
	MessageID string
}

// StaleChainsError reports chains that were decided or moved by another
// statement or process since they were held: nothing was written for
// them, and the transaction should be tried again with them read.
type StaleChainsError struct {
	IDs []string
}

func (e *StaleChainsError) Error() string {
	return fmt.Sprintf("updating chains: %d changed meanwhile", len(e.IDs))
}

// UpdateChains saves chains whose steps changed (a move to the next
// step), with their position, deadline and outcome. A chain with a guard
// is written only as guards says (see ChainGuard); the others are
// reported by a *StaleChainsError once the rest are written.
func (x *MessageTx) UpdateChains(ctx context.Context, chains []*herald.Chain, guards map[string]ChainGuard) error {
	return x.updateChains(ctx, chains, guards, true)
}

// UpdateChainStates saves the position, deadline and outcome of chains
// whose steps did not change (UpdateChains saves the steps too), guarded
// as UpdateChains is.
func (x *MessageTx) UpdateChainStates(ctx context.Context, chains []*herald.Chain, guards map[string]ChainGuard) error {
	return x.updateChains(ctx, chains, guards, false)
}

// updateChains runs UpdateChains (withSteps) or UpdateChainStates.
func (x *MessageTx) updateChains(ctx context.Context, chains []*herald.Chain, guards map[string]ChainGuard, withSteps bool) error {
	var stale []string
	for _, c := range chains {
		_, due := chainValues(&herald.Chain{FallbackAt: c.FallbackAt}) // the steps are encoded only when saved
		set, args := "", []any{c.Current, c.CurrentMessageID, due, c.Outcome, c.FinalStatus, c.UpdatedAt.UTC().Truncate(time.Microsecond), c.ID}
		if withSteps {
			spec, _ := chainValues(c)
			set, args = "spec = $8, ", append(args, spec)
		}
		q := `UPDATE message_chains SET ` + set + `current_step = $1, current_message_id = $2, fallback_at = $3,
			outcome = $4, final_status = $5, updated_at = $6 WHERE id = $7`
		g, guarded := guards[c.ID]
		if guarded {
			n := len(args)
			q += fmt.Sprintf(" AND outcome = '' AND current_step = $%d AND current_message_id = $%d", n+1, n+2)
			args = append(args, g.Step, g.MessageID)
		}
		n, err := x.t.exec(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("updating chain %s: %w", c.ID, err)
		}
		if guarded && n == 0 {
			stale = append(stale, c.ID)
		}
	}
	if len(stale) > 0 {
		return &StaleChainsError{IDs: stale}
	}
	return nil
}

// Chain returns the account's chain id, or ENOTFOUND.
func (s *Store) Chain(ctx context.Context, accountID int64, id string) (*herald.Chain, error) {
	c, err := scanChain(s.read().queryRow(ctx, "SELECT "+chainSelects+" FROM message_chains WHERE id = $1 AND account_id = $2", id, accountID))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Chain not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading chain: %w", err)
	}
	return c, nil
}

// DueChains returns, oldest deadline first, up to limit running chains
// whose current step timed out at now, without locking them: the engine
// hands them to its status writer, which decides them under lock.
func (s *Store) DueChains(ctx context.Context, now time.Time, limit int) ([]*herald.Chain, error) {
	rs, err := s.read().query(ctx, "SELECT "+chainSelects+` FROM message_chains
		WHERE fallback_at IS NOT NULL AND fallback_at <= $1 ORDER BY fallback_at LIMIT $2`, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("reading due chains: %w", err)
	}
	defer rs.Close()
	var out []*herald.Chain
	for rs.Next() {
		c, err := scanChain(rs)
		if err != nil {
			return nil, fmt.Errorf("reading due chains: %w", err)
		}
		out = append(out, c)
	}
	return out, rs.Err()
}
