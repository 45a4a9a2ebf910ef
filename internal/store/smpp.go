package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// RecordUnmatchedReceipt keeps a receipt that matched no message and sets
// its ID.
func (s *Store) RecordUnmatchedReceipt(ctx context.Context, r *herald.UnmatchedReceipt) error {
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = s.now()
	}
	err := s.write().queryRow(ctx, `INSERT INTO smpp_unmatched_receipts (connection_id, provider_id, stat, err, raw, received_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, r.ConnectionID, r.ProviderID, r.Stat, r.Err, r.Raw,
		r.ReceivedAt.UTC().Truncate(time.Microsecond)).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("recording unmatched receipt: %w", err)
	}
	return nil
}

// UnmatchedReceipts returns the latest unmatched receipts of a connection
// (all connections for 0), newest first.
func (s *Store) UnmatchedReceipts(ctx context.Context, connectionID int64, limit int) ([]herald.UnmatchedReceipt, error) {
	rs, err := s.read().query(ctx, `SELECT id, connection_id, provider_id, stat, err, raw, received_at FROM smpp_unmatched_receipts
		WHERE $1 = 0 OR connection_id = $1 ORDER BY id DESC LIMIT $2`, connectionID, limit)
	if err != nil {
		return nil, fmt.Errorf("reading unmatched receipts: %w", err)
	}
	defer rs.Close()
	out := []herald.UnmatchedReceipt{}
	for rs.Next() {
		var r herald.UnmatchedReceipt
		if err := rs.Scan(&r.ID, &r.ConnectionID, &r.ProviderID, &r.Stat, &r.Err, &r.Raw, &r.ReceivedAt); err != nil {
			return nil, fmt.Errorf("reading unmatched receipts: %w", err)
		}
		r.ReceivedAt = utc(r.ReceivedAt)
		out = append(out, r)
	}
	return out, rs.Err()
}

// smppCredentialSelects are the columns scanSMPPCredential reads.
const smppCredentialSelects = "id, account_id, system_id, password_hash, allowed_ips, throughput, max_binds, sender_id, created_at, updated_at"

// scanSMPPCredential reads smppCredentialSelects.
func scanSMPPCredential(r scanner) (*herald.SMPPCredential, error) {
	var c herald.SMPPCredential
	var ips string
	err := r.Scan(&c.ID, &c.AccountID, &c.SystemID, &c.PasswordHash, &ips, &c.Throughput, &c.MaxBinds, &c.SenderID,
		&c.CreatedAt, &c.UpdatedAt)
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "SMPP credential not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading SMPP credential: %w", err)
	}
	c.AllowedIPs = []string{}
	if ips != "" {
		c.AllowedIPs = strings.Split(ips, ",")
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return &c, nil
}

// smppCredentialErr maps the errors of saving a credential.
func smppCredentialErr(err error) error {
	if isUnique(err, "smpp_credentials_system_id_key", "smpp_credentials.system_id") {
		return taken("systemId", "Another SMPP account uses this system_id.")
	}
	return fmt.Errorf("saving SMPP credential: %w", err)
}

// smppAudited is c as the audit log keeps it: without the password or its
// hash (the hash has no JSON field; the plain password is cleared too, in
// case a caller left it set).
func smppAudited(c *herald.SMPPCredential) *herald.SMPPCredential {
	a := *c
	a.Password, a.PasswordHash = "", ""
	a.AllowedIPs = append([]string{}, c.AllowedIPs...)
	return &a
}

// CreateSMPPCredential inserts c and sets its ID and times.
func (s *Store) CreateSMPPCredential(ctx context.Context, c *herald.SMPPCredential) error {
	return s.inTx(ctx, func(t *tx) error {
		c.CreatedAt, c.UpdatedAt = t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO smpp_credentials (account_id, system_id, password_hash, allowed_ips, throughput,
			max_binds, sender_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			c.AccountID, c.SystemID, c.PasswordHash, strings.Join(c.AllowedIPs, ","), c.Throughput, c.MaxBinds, c.SenderID,
			t.now).Scan(&c.ID)
		if err != nil {
			return smppCredentialErr(err)
		}
		return s.audit(ctx, t, c.AccountID, actionAddSMPP, detail("smpp_credentials", herald.OpInsert, c.ID, nil, smppAudited(c)))
	})
}

// UpdateSMPPCredential saves c; its password hash only when set.
func (s *Store) UpdateSMPPCredential(ctx context.Context, c *herald.SMPPCredential) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := scanSMPPCredential(t.queryRow(ctx, "SELECT "+smppCredentialSelects+
			" FROM smpp_credentials WHERE id = $1 AND account_id = $2", c.ID, c.AccountID))
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE smpp_credentials SET system_id = $3, allowed_ips = $4, throughput = $5, max_binds = $6,
			sender_id = $7, updated_at = $8, password_hash = CASE WHEN $9 = '' THEN password_hash ELSE $9 END
			WHERE id = $1 AND account_id = $2`, c.ID, c.AccountID, c.SystemID, strings.Join(c.AllowedIPs, ","), c.Throughput,
			c.MaxBinds, c.SenderID, t.now, c.PasswordHash)
		if err != nil {
			return smppCredentialErr(err)
		}
		c.CreatedAt, c.UpdatedAt = old.CreatedAt, t.now
		details := []herald.AuditDetail{detail("smpp_credentials", herald.OpUpdate, c.ID, smppAudited(old), smppAudited(c))}
		if c.PasswordHash != "" {
			details = append(details, herald.AuditDetail{Table: "smpp_credentials", Operation: herald.OpUpdate,
				ObjectID: strconv.FormatInt(c.ID, 10), NewValue: `{"password":"changed"}`})
		}
		return s.audit(ctx, t, c.AccountID, actionChangeSMPP, details...)
	})
}

// DeleteSMPPCredential removes one credential of accountID.
func (s *Store) DeleteSMPPCredential(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := scanSMPPCredential(t.queryRow(ctx, "SELECT "+smppCredentialSelects+
			" FROM smpp_credentials WHERE id = $1 AND account_id = $2", id, accountID))
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, "DELETE FROM smpp_credentials WHERE id = $1 AND account_id = $2", id, accountID); err != nil {
			return fmt.Errorf("deleting SMPP credential: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteSMPP, detail("smpp_credentials", herald.OpDelete, id, smppAudited(old), nil))
	})
}

// SMPPCredential returns one credential of accountID.
func (s *Store) SMPPCredential(ctx context.Context, accountID, id int64) (*herald.SMPPCredential, error) {
	return scanSMPPCredential(s.read().queryRow(ctx, "SELECT "+smppCredentialSelects+
		" FROM smpp_credentials WHERE id = $1 AND account_id = $2", id, accountID))
}

// SMPPCredentialBySystemID returns the credential of a system_id, ignoring case.
func (s *Store) SMPPCredentialBySystemID(ctx context.Context, systemID string) (*herald.SMPPCredential, error) {
	return scanSMPPCredential(s.read().queryRow(ctx, "SELECT "+smppCredentialSelects+
		" FROM smpp_credentials WHERE lower(system_id) = $1", asciiLower(systemID)))
}

// SMPPCredentials returns the credentials of accountID, by system_id.
func (s *Store) SMPPCredentials(ctx context.Context, accountID int64) ([]herald.SMPPCredential, error) {
	rs, err := s.read().query(ctx, "SELECT "+smppCredentialSelects+
		" FROM smpp_credentials WHERE account_id = $1 ORDER BY lower(system_id)", accountID)
	if err != nil {
		return nil, fmt.Errorf("listing SMPP credentials: %w", err)
	}
	defer rs.Close()
	out := []herald.SMPPCredential{}
	for rs.Next() {
		c, err := scanSMPPCredential(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rs.Err()
}

var _ herald.SMPPCredentialStore = (*Store)(nil)
