package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// verify checks in the database that every accepted message reached a
// final status and that the sandbox received each exactly once.
func verify(ctx context.Context, s *server, ids []string) error {
	statuses, inbox, err := s.read(ctx)
	if err != nil {
		return err
	}
	notFinal, missing := 0, 0
	for _, id := range ids {
		if !finalStatus(statuses[id]) {
			notFinal++
		}
		if inbox[id] != 1 {
			missing++
		}
	}
	extra := 0
	for _, n := range inbox {
		if n > 1 {
			extra++
		}
	}
	logf("verified %d accepted messages: %d not final, %d not received once, %d received twice", len(ids), notFinal, missing, extra)
	if notFinal > 0 || missing > 0 || extra > 0 {
		return fmt.Errorf("%d accepted messages are not final and %d were not received exactly once by the sandbox", notFinal, missing+extra)
	}
	return nil
}

// read returns every message's status and how often the sandbox received
// each message, from PostgreSQL when the server uses it and from its SQLite
// file otherwise.
func (s *server) read(ctx context.Context) (map[string]string, map[string]int, error) {
	if s.DBURL != "" {
		conn, err := pgx.Connect(ctx, s.DBURL)
		if err != nil {
			return nil, nil, err
		}
		defer conn.Close(ctx)
		return readRows(ctx, func(ctx context.Context, q string) (rows, func(), error) {
			r, err := conn.Query(ctx, q)
			if err != nil {
				return nil, nil, err
			}
			return r, r.Close, nil
		})
	}
	db, err := sql.Open("sqlite", filepath.Join(s.Dir, "data", "herald.db")+"?_pragma=busy_timeout(5000)&mode=ro")
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	return readRows(ctx, func(ctx context.Context, q string) (rows, func(), error) {
		r, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		return r, func() { r.Close() }, nil
	})
}

// rows is what *sql.Rows and pgx.Rows have in common.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// readRows does read's queries with query, which returns the rows and a
// function that closes them.
func readRows(ctx context.Context, query func(ctx context.Context, q string) (rows, func(), error)) (map[string]string, map[string]int, error) {
	statuses, inbox := map[string]string{}, map[string]int{}
	rs, done, err := query(ctx, "SELECT id, status FROM messages")
	if err != nil {
		return nil, nil, err
	}
	for rs.Next() {
		var id, st string
		if err := rs.Scan(&id, &st); err != nil {
			done()
			return nil, nil, err
		}
		statuses[id] = st
	}
	done()
	rs, done, err = query(ctx, "SELECT message_id FROM sandbox_inbox")
	if err != nil {
		return nil, nil, err
	}
	defer done()
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, nil, err
		}
		inbox[id]++
	}
	return statuses, inbox, rs.Err()
}
