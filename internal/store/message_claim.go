package store

import (
	"context"
	"fmt"
	"strings"
)

// Claims: a process works a queued message only while it holds the
// message's lease (claim_until in the future, claimed_by its instance ID).
// New messages are inserted already leased to the process that accepted
// them; ClaimDueMessages hands out the rest in batches. Engine processes
// heartbeat; the leases of a process whose heartbeat stopped are released
// by TakeOverDeadInstances, so that its work resumes within seconds rather
// than when the leases run out.

// returningMessage is messageSelects for the RETURNING clause of a
// statement on the messages table.
var returningMessage = strings.ReplaceAll(messageSelects, "m.", "messages.")

// ClaimDueMessages leases to instance, until leaseUntil (Unix ms), up to
// limit messages that are due at now (Unix ms): scheduled messages whose
// send time has come and queued messages whose lease ran out (a crashed
// process, a retry's backoff), oldest due first. They become queued.
// Messages of the accounts in skip are left for later. On PostgreSQL rows
// that another process is claiming are passed over.
func (s *Store) ClaimDueMessages(ctx context.Context, instance string, now, leaseUntil int64, limit int, skip []int64) ([]MessageRow, error) {
	var out []MessageRow
	err := s.inTx(ctx, func(t *tx) error {
		args := listArgs{leaseUntil, instance, t.now, now}
		cond := "status IN ('queued', 'scheduled') AND claim_until <= $4"
		if len(skip) > 0 {
			ph := make([]string, len(skip))
			for i, a := range skip {
				ph[i] = args.add(a)
			}
			cond += " AND account_id NOT IN (" + strings.Join(ph, ", ") + ")"
		}
		pick := "SELECT seq FROM messages WHERE " + cond + " ORDER BY claim_until LIMIT " + fmt.Sprint(limit) + s.d.skipLocked
		q := `UPDATE messages SET status = 'queued', claim_until = $1, claimed_by = $2, version = version + 1,
			updated_at = CASE WHEN status = 'scheduled' THEN $3 ELSE updated_at END
			WHERE seq IN (` + pick + `) RETURNING ` + returningMessage
		var err error
		out, err = s.collectRows(ctx, t, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claiming due messages: %w", err)
	}
	return out, nil
}

// collectRows runs a query that returns messageSelects and renders the
// payloads of the rows stored by reference.
func (s *Store) collectRows(ctx context.Context, q querier, query string, args ...any) ([]MessageRow, error) {
	out, err := scanRows(ctx, q, query, args...)
	if err != nil {
		return nil, err
	}
	return out, s.materialize(ctx, q, out)
}

// scanRows runs a query that returns messageSelects.
func scanRows(ctx context.Context, q querier, query string, args ...any) ([]MessageRow, error) {
	rs, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []MessageRow
	for rs.Next() {
		r, err := scanMessageRow(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// ReleaseMessages gives up instance's leases on the queued messages ids,
// making them due at now (Unix ms) for any process.
func (s *Store) ReleaseMessages(ctx context.Context, instance string, ids []string, now int64) error {
	return chunks(len(ids), 1, func(lo, hi int) error {
		args := s.batch()
		q := "UPDATE messages SET claim_until = " + args.add(now) + ", claimed_by = '', version = version + 1 WHERE status = 'queued' AND claimed_by = " +
			args.add(instance) + " AND id IN (" + args.list(ids[lo:hi]) + ")"
		_, err := s.write().exec(ctx, q, args.vals...)
		if err != nil {
			return fmt.Errorf("releasing messages: %w", err)
		}
		return nil
	})
}

// Heartbeat records that the engine process instance is alive at now
// (Unix ms).
func (s *Store) Heartbeat(ctx context.Context, instance string, now int64) error {
	_, err := s.write().exec(ctx, `INSERT INTO engine_instances (id, started_at, heartbeat_at) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`, instance, s.now(), now)
	if err != nil {
		return fmt.Errorf("recording heartbeat: %w", err)
	}
	return nil
}

// LiveInstances returns the engine processes whose heartbeat is at or
// after since (Unix ms).
func (s *Store) LiveInstances(ctx context.Context, since int64) ([]string, error) {
	rs, err := s.read().query(ctx, "SELECT id FROM engine_instances WHERE heartbeat_at >= $1 ORDER BY id", since)
	if err != nil {
		return nil, fmt.Errorf("reading engine instances: %w", err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading engine instances: %w", err)
		}
		out = append(out, id)
	}
	return out, rs.Err()
}

// TakeOverDeadInstances releases the leases (messages and webhook
// deliveries) of every engine process other than self whose heartbeat is
// older than staleBefore (Unix ms), making their work due at now, and
// forgets those processes. It returns how many it took over.
func (s *Store) TakeOverDeadInstances(ctx context.Context, self string, now, staleBefore int64) (int, error) {
	var dead []string
	err := s.inTxRetried(ctx, func(t *tx) error {
		dead = dead[:0]
		rs, err := t.query(ctx, "SELECT id FROM engine_instances WHERE heartbeat_at < $1 AND id <> $2"+s.d.forUpdate, staleBefore, self)
		if err != nil {
			return err
		}
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				rs.Close()
				return err
			}
			dead = append(dead, id)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		for _, id := range dead {
			if err := releaseInstance(ctx, t, id, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("taking over dead engine instances: %w", err)
	}
	return len(dead), nil
}

// RemoveInstance releases the leases of instance and forgets it: a clean
// stop, so that other processes take its work at once.
func (s *Store) RemoveInstance(ctx context.Context, instance string, now int64) error {
	// The webhook deliverer updates its claimed deliveries meanwhile, in
	// another order: a deadlock rolls this back, and it is tried again.
	err := s.inTxRetried(ctx, func(t *tx) error { return releaseInstance(ctx, t, instance, now) })
	if err != nil {
		return fmt.Errorf("removing engine instance: %w", err)
	}
	return nil
}

// releaseInstance makes the leased work of instance due at now and
// deletes its heartbeat. The lease conditions use the due indexes.
func releaseInstance(ctx context.Context, t *tx, instance string, now int64) error {
	if _, err := t.exec(ctx, `UPDATE messages SET claim_until = $1, claimed_by = '', version = version + 1
		WHERE status IN ('queued', 'scheduled') AND claim_until > $1 AND claimed_by = $2`, now, instance); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $1, claimed_by = ''
		WHERE state = 'pending' AND next_attempt_at > $1 AND claimed_by = $2`, now, instance); err != nil {
		return err
	}
	_, err := t.exec(ctx, "DELETE FROM engine_instances WHERE id = $1", instance)
	return err
}
