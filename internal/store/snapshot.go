package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
)

// ContactSnapshot is a read-only view of the database as it was when it
// was opened: a read transaction on a SQLite reader connection (WAL keeps
// the pages it sees) or a REPEATABLE READ transaction on PostgreSQL. A
// broadcast launch opens one before its transaction commits, counts the
// recipients in it, and the runner copies them from it in chunks, so that
// the snapshot is the contacts at the launch whatever changes after.
// Close releases it; it is safe to call more than once.
type ContactSnapshot struct {
	q    querier
	once sync.Once
	end  func()
	// cur reads the recipients in contact order, left open from chunk to
	// chunk so that the query runs once; reset after a chunk that did not
	// commit, so that the next one reads again after the committed cursor.
	cur rows
	// sel is the recipients' condition, read in the view once (the view's
	// one connection is busy while cur is open).
	sel *viewSelection
}

// viewSelection is what recipientWhere found in a view.
type viewSelection struct {
	where string
	args  listArgs
	bare  []string
}

// OpenContactSnapshot opens a view of the database as it is now.
func (s *Store) OpenContactSnapshot(ctx context.Context) (*ContactSnapshot, error) {
	// The view outlives the request that opens it: it ends with Close.
	ctx = context.WithoutCancel(ctx)
	var v ContactSnapshot
	if s.pool != nil {
		t, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return nil, fmt.Errorf("opening a view of the contacts: %w", err)
		}
		v.q, v.end = pgxQuerier{t}, func() { _ = t.Rollback(context.Background()) }
	} else {
		t, err := s.reader.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("opening a view of the contacts: %w", err)
		}
		v.q, v.end = sqlQuerier{c: t}, func() { _ = t.Rollback() }
	}
	// Both engines fix the view at the transaction's first read.
	var n int
	if err := v.q.queryRow(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil {
		v.Close()
		return nil, fmt.Errorf("opening a view of the contacts: %w", err)
	}
	return &v, nil
}

// Close ends the view.
func (v *ContactSnapshot) Close() {
	if v != nil {
		v.once.Do(func() {
			v.reset()
			v.end()
		})
	}
}

// reset closes the open read of recipients, if any.
func (v *ContactSnapshot) reset() {
	if v.cur != nil {
		v.cur.Close()
		v.cur = nil
	}
}

// copyFromView copies up to limit recipients of broadcast b whose
// contact ID is in (after, until], read in view v with where and args,
// as seq base+1 ...; it returns how many it copied, the contact ID the
// next chunk reads after, and whether any may be left. The read stays open
// for the next chunk (which must follow this one committed, or reset the
// view).
//
// The first chunk of a broadcast is read apart, over the next contact IDs
// only (firstWindow per recipient wanted), with tags checked contact by contact (perContact): the
// full read may build a set of every recipient before its first row (tens
// of milliseconds for tens of thousands), and the first chunk is what the
// first messages wait for.
func (s *Store) copyFromView(ctx context.Context, t *tx, v *ContactSnapshot, id int64, identities, where string, args listArgs,
	base, after, until int64, limit int) (int64, int64, bool, error) {
	if window := int64(limit) * firstWindow; base == 0 && v.cur == nil && until-after > window {
		end := after + window
		wargs := append(listArgs(nil), args...)
		a, l := wargs.add(after), wargs.add(end)
		rs, err := v.q.query(ctx, `SELECT c.id, c.phone, c.email, c.attrs, `+identities+`, c.rcs_capable FROM contacts c`+s.d.byID+`
			WHERE `+perContact(where)+` AND c.id > `+a+` AND c.id <= `+l+` ORDER BY c.id LIMIT `+strconv.Itoa(limit), wargs...)
		if err != nil {
			return 0, 0, false, fmt.Errorf("reading the first recipients: %w", err)
		}
		n, last, err := s.copyRows(ctx, t, rs, id, base, after, limit)
		rs.Close()
		if err != nil {
			return 0, 0, false, err
		}
		if n < int64(limit) {
			last = end // every recipient up to the window's end is copied
		}
		return n, last, true, nil
	}
	if v.cur == nil {
		a, l := args.add(after), args.add(until)
		rs, err := v.q.query(ctx, `SELECT c.id, c.phone, c.email, c.attrs, `+identities+`, c.rcs_capable FROM contacts c
			WHERE `+where+` AND c.id > `+a+` AND c.id <= `+l+` ORDER BY c.id`, args...)
		if err != nil {
			return 0, 0, false, fmt.Errorf("reading the recipients: %w", err)
		}
		v.cur = rs
	}
	n, last, err := s.copyRows(ctx, t, v.cur, id, base, after, limit)
	if err != nil {
		return 0, 0, false, err
	}
	if n < int64(limit) {
		v.reset()
	}
	return n, last, n == int64(limit), nil
}

// firstWindow is how many contact IDs per recipient wanted the first
// chunk of a broadcast's recipients reads over: a first chunk of 500
// looks at the next 16,000 contacts, time enough to check each.
const firstWindow = 32

// copyRows copies up to limit recipients read from rs as seq base+1 ...
// of broadcast id; it returns how many and the last contact ID (after
// when none).
func (s *Store) copyRows(ctx context.Context, t *tx, rs rows, id, base, after int64, limit int) (int64, int64, error) {
	var rows [][]any
	last := after
	for len(rows) < limit && rs.Next() {
		var cid int64
		var phone, email, attrs string
		var idents sql.NullString
		var capable *bool
		if err := rs.Scan(&cid, &phone, &email, &attrs, &idents, &capable); err != nil {
			return 0, 0, fmt.Errorf("reading the recipients: %w", err)
		}
		rows = append(rows, []any{id, base + int64(len(rows)) + 1, cid, phone, email, attrs, idents.String, capable})
		last = cid
	}
	if len(rows) < limit {
		if err := rs.Err(); err != nil {
			return 0, 0, fmt.Errorf("reading the recipients: %w", err)
		}
	}
	err := chunks(len(rows), 8, func(lo, hi int) error {
		b := s.batch()
		_, err := t.exec(ctx, `INSERT INTO broadcast_recipients (broadcast_id, seq, contact_id, phone, email, attrs, identities, rcs_capable)
			VALUES `+rowsSQL(b, rows[lo:hi]), b.vals...)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("copying the recipients: %w", err)
	}
	return int64(len(rows)), last, nil
}
