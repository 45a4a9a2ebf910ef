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
// each message.
func (s *server) read(ctx context.Context) (map[string]string, map[string]int, error) {
	if s.dbURL != "" {
		return s.readPostgres(ctx)
	}
	db, err := sql.Open("sqlite", filepath.Join(s.dir, "data", "herald.db")+"?_pragma=busy_timeout(5000)&mode=ro")
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	statuses, inbox := map[string]string{}, map[string]int{}
	rows, err := db.QueryContext(ctx, "SELECT id, status FROM messages")
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, nil, err
		}
		statuses[id] = st
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, "SELECT message_id FROM sandbox_inbox")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, nil, err
		}
		inbox[id]++
	}
	return statuses, inbox, rows.Err()
}

// readPostgres is read for PostgreSQL.
func (s *server) readPostgres(ctx context.Context) (map[string]string, map[string]int, error) {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close(ctx)
	statuses, inbox := map[string]string{}, map[string]int{}
	rows, err := conn.Query(ctx, "SELECT id, status FROM messages")
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, nil, err
		}
		statuses[id] = st
	}
	rows.Close()
	rows, err = conn.Query(ctx, "SELECT message_id FROM sandbox_inbox")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, nil, err
		}
		inbox[id]++
	}
	return statuses, inbox, rows.Err()
}
