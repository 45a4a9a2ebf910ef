package store

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// passwordChange is the audit value of a password change: never the hash.
type passwordChange struct {
	Password string `json:"password"`
}

// notFoundUser is the error for a user ID that does not exist.
func notFoundUser() error { return herald.Errorf(herald.ENOTFOUND, "User not found.") }

// Credentials returns the user's secrets and sign-in state.
func (s *Store) Credentials(ctx context.Context, userID int64) (*herald.Credentials, error) {
	c := herald.Credentials{UserID: userID}
	err := s.read().queryRow(ctx, `SELECT password_hash, password_changed_at, must_change_password, totp_secret,
		totp_enabled, failed_logins, locked_until, last_login_at FROM users WHERE id = $1`, userID).Scan(
		&c.PasswordHash, &c.PasswordChangedAt, &c.MustChangePassword, &c.TOTPSecret, &c.TOTPEnabled,
		&c.FailedLogins, &c.LockedUntil, &c.LastLoginAt)
	if isNoRows(err) {
		return nil, notFoundUser()
	} else if err != nil {
		return nil, fmt.Errorf("reading credentials: %w", err)
	}
	c.PasswordChangedAt, c.LockedUntil, c.LastLoginAt = utc(c.PasswordChangedAt), utcPtr(c.LockedUntil), utcPtr(c.LastLoginAt)
	return &c, nil
}

// PasswordHistory returns the user's last n password hashes, newest first.
func (s *Store) PasswordHistory(ctx context.Context, userID int64, n int) ([]string, error) {
	hashes := []string{}
	if n <= 0 {
		return hashes, nil
	}
	rs, err := s.read().query(ctx, `SELECT hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, userID, n)
	if err != nil {
		return nil, fmt.Errorf("reading password history: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var h string
		if err := rs.Scan(&h); err != nil {
			return nil, fmt.Errorf("reading password history: %w", err)
		}
		hashes = append(hashes, h)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("reading password history: %w", err)
	}
	return hashes, nil
}

// addPasswordHistory appends hash to the user's password history.
func addPasswordHistory(ctx context.Context, t *tx, userID int64, hash string) error {
	_, err := t.exec(ctx, `INSERT INTO password_history (user_id, hash, created_at) VALUES ($1, $2, $3)`, userID, hash, t.now)
	if err != nil {
		return fmt.Errorf("saving password history: %w", err)
	}
	return nil
}

// userAccount returns the account of a user, or ENOTFOUND.
func userAccount(ctx context.Context, q querier, userID int64) (int64, error) {
	var accountID int64
	err := q.queryRow(ctx, `SELECT account_id FROM users WHERE id = $1`, userID).Scan(&accountID)
	if isNoRows(err) {
		return 0, notFoundUser()
	} else if err != nil {
		return 0, fmt.Errorf("reading user: %w", err)
	}
	return accountID, nil
}

// SetPassword stores a new hash, appends it to the history, sets the
// change time to now and MustChangePassword to mustChange.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error {
	return s.inTx(ctx, func(t *tx) error {
		accountID, err := userAccount(ctx, t, userID)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = $3
			WHERE id = $4`, hash, t.now, mustChange, userID)
		if err != nil {
			return fmt.Errorf("saving password: %w", err)
		}
		if err := addPasswordHistory(ctx, t, userID, hash); err != nil {
			return err
		}
		return s.audit(ctx, t, accountID, actionChangePass, detail("users", herald.OpUpdate, userID, nil, passwordChange{"changed"}))
	})
}

// RecordLoginSuccess clears failures and the lock and sets LastLoginAt.
func (s *Store) RecordLoginSuccess(ctx context.Context, userID int64) error {
	n, err := s.write().exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1
		WHERE id = $2`, s.now(), userID)
	if err != nil {
		return fmt.Errorf("recording sign-in: %w", err)
	} else if n == 0 {
		return notFoundUser()
	}
	return nil
}

// RecordLoginFailure counts a failed sign-in, locks the user until
// lockUntil when it is not nil, and returns the consecutive failures.
func (s *Store) RecordLoginFailure(ctx context.Context, userID int64, lockUntil *time.Time) (int, error) {
	var lock any
	if lockUntil != nil {
		lock = lockUntil.UTC().Truncate(time.Microsecond)
	}
	var n int
	err := s.write().queryRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1,
		locked_until = COALESCE($1, locked_until) WHERE id = $2 RETURNING failed_logins`, lock, userID).Scan(&n)
	if isNoRows(err) {
		return 0, notFoundUser()
	} else if err != nil {
		return 0, fmt.Errorf("recording failed sign-in: %w", err)
	}
	return n, nil
}

// UseTOTPStep takes the TOTP time step step for the user, once: false when
// the user's last code was of that step or a later one.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	var n int64
	err := s.inTx(ctx, func(t *tx) error {
		var err error
		n, err = t.exec(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, userID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("recording a TOTP code: %w", err)
	}
	return n == 1, nil
}

// SetTOTP stores the sealed TOTP secret (nil clears it) and whether the
// second factor is enabled; turning it on or off is audited.
func (s *Store) SetTOTP(ctx context.Context, userID int64, sealedSecret []byte, enabled bool) error {
	var secret any
	if sealedSecret != nil {
		secret = sealedSecret // a nil []byte would be stored as an empty blob on SQLite
	}
	return s.inTx(ctx, func(t *tx) error {
		var accountID int64
		var was bool
		err := t.queryRow(ctx, `SELECT account_id, totp_enabled FROM users WHERE id = $1`, userID).Scan(&accountID, &was)
		if isNoRows(err) {
			return notFoundUser()
		} else if err != nil {
			return fmt.Errorf("reading user: %w", err)
		}
		if _, err := t.exec(ctx, `UPDATE users SET totp_secret = $1, totp_enabled = $2 WHERE id = $3`, secret, enabled, userID); err != nil {
			return fmt.Errorf("saving TOTP secret: %w", err)
		}
		if was == enabled {
			return nil
		}
		action := actionDisable2FA
		if enabled {
			action = actionEnable2FA
		}
		return s.audit(ctx, t, accountID, action, detail("users", herald.OpUpdate, userID,
			map[string]bool{"twoFactor": was}, map[string]bool{"twoFactor": enabled}))
	})
}

// UserPref returns a preference of the user; "" when unset.
func (s *Store) UserPref(ctx context.Context, userID int64, key string) (string, error) {
	var v string
	err := s.read().queryRow(ctx, `SELECT value FROM user_prefs WHERE user_id = $1 AND key = $2`, userID, key).Scan(&v)
	if isNoRows(err) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("reading preference: %w", err)
	}
	return v, nil
}

// SetUserPref saves a preference of the user; ENOTFOUND when there is no
// such user.
func (s *Store) SetUserPref(ctx context.Context, userID int64, key, value string) error {
	_, err := s.write().exec(ctx, `INSERT INTO user_prefs (user_id, key, value) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value`, userID, key, value)
	if foreignKeyViolation(err) {
		return notFoundUser()
	} else if err != nil {
		return fmt.Errorf("saving preference: %w", err)
	}
	return nil
}
