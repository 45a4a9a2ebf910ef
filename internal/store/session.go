package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// tokenHash is the key a session is stored under: the SHA-256 of its
// token in hex, so that a copy of the database holds no usable token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// FindSession returns the data of an unexpired session.
func (s *Store) FindSession(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.read().queryRow(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND expiry > $2`,
		tokenHash(token), s.now()).Scan(&data)
	if isNoRows(err) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("reading session: %w", err)
	}
	return data, true, nil
}

// CommitSession saves the data of a session until expiry.
func (s *Store) CommitSession(ctx context.Context, token string, data []byte, expiry time.Time) error {
	if data == nil {
		data = []byte{}
	}
	_, err := s.write().exec(ctx, `INSERT INTO sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		tokenHash(token), data, expiry.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("saving session: %w", err)
	}
	return nil
}

// DeleteSession removes a session.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.write().exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token)); err != nil {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes every expired session and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int, error) {
	n, err := s.write().exec(ctx, `DELETE FROM sessions WHERE expiry <= $1`, s.now())
	if err != nil {
		return 0, fmt.Errorf("deleting expired sessions: %w", err)
	}
	return int(n), nil
}
