package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// query runs q on the server's database and calls fn for each row.
func (s *server) query(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	if s.DBURL != "" {
		conn, err := pgx.Connect(ctx, s.DBURL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		rs, err := conn.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			if err := fn(rs.Scan); err != nil {
				return err
			}
		}
		return rs.Err()
	}
	db, err := sql.Open("sqlite", filepath.Join(s.Dir, "data", "herald.db")+"?_pragma=busy_timeout(5000)&mode=ro&_time_format=sqlite")
	if err != nil {
		return err
	}
	defer db.Close()
	rs, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := fn(rs.Scan); err != nil {
			return err
		}
	}
	return rs.Err()
}

// firstSent returns the time from start to the first message of
// broadcast id leaving for the provider.
func (s *server) firstSent(ctx context.Context, id int64, start time.Time) (time.Duration, error) {
	var raw any
	err := s.query(ctx, `SELECT min(m.sent_at) FROM broadcast_recipients r JOIN messages m ON m.id = r.chain_id
		WHERE r.broadcast_id = $1 AND r.seq <= 1000`, []any{id}, func(scan func(...any) error) error {
		return scan(&raw)
	})
	if err != nil {
		return 0, fmt.Errorf("reading the first message's time: %w", err)
	}
	first, err := asTime(raw)
	if err != nil {
		return 0, err
	}
	return first.Sub(start), nil
}

// asTime reads a time as the drivers return an aggregate of one: a
// time.Time (pgx) or SQLite's text.
func asTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t, nil
	case string:
		return time.Parse("2006-01-02 15:04:05.999999999-07:00", t)
	case []byte:
		return time.Parse("2006-01-02 15:04:05.999999999-07:00", string(t))
	}
	return time.Time{}, fmt.Errorf("no first message time (%T)", v)
}

// verify checks in the database that every one of the n recipients of
// broadcast id has exactly one chain and the sandbox received exactly one
// message for each.
func (s *server) verify(ctx context.Context, id int64, n int) error {
	var recipients, chains, distinct, pending int
	err := s.query(ctx, `SELECT count(*), count(DISTINCT chain_id), sum(CASE WHEN chain_id = '' THEN 1 ELSE 0 END) FROM broadcast_recipients
		WHERE broadcast_id = $1`, []any{id}, func(scan func(...any) error) error {
		return scan(&recipients, &distinct, &pending)
	})
	if err != nil {
		return fmt.Errorf("reading recipients: %w", err)
	}
	var received, devices, twice int
	err = s.query(ctx, `SELECT count(*), count(DISTINCT i.destination), count(*) - count(DISTINCT i.message_id)
		FROM sandbox_inbox i JOIN message_chains ch ON ch.id = i.message_id WHERE ch.broadcast_id = $1`, []any{id},
		func(scan func(...any) error) error { return scan(&received, &devices, &twice) })
	if err != nil {
		return fmt.Errorf("reading the sandbox inbox: %w", err)
	}
	err = s.query(ctx, `SELECT count(*) FROM message_chains WHERE broadcast_id = $1`, []any{id},
		func(scan func(...any) error) error { return scan(&chains) })
	if err != nil {
		return fmt.Errorf("reading chains: %w", err)
	}
	logf("verified broadcast %d: %d recipients, %d chains (%d distinct on recipients, %d without), sandbox received %d messages on %d devices, %d twice",
		id, recipients, chains, distinct, pending, received, devices, twice)
	if recipients != n || chains != n || distinct != n || pending != 0 || received != n || devices != n || twice != 0 {
		return fmt.Errorf("broadcast %d: want %d recipients each with one chain and one message received", id, n)
	}
	return nil
}
