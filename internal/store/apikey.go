package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// apiKeySelects are the columns scanAPIKey reads.
const apiKeySelects = "k.id, k.account_id, k.name, k.prefix, k.scopes, k.sender_ids, k.webhook_url, k.allowed_ips, " +
	"k.created_by, k.last_used_at, k.created_at, k.updated_at"

// scanAPIKey reads apiKeySelects, then extra.
func scanAPIKey(r scanner, extra ...any) (herald.APIKey, error) {
	var k herald.APIKey
	var scopes, senders, ips string
	err := r.Scan(append([]any{&k.ID, &k.AccountID, &k.Name, &k.Prefix, &scopes, &senders, &k.WebhookURL, &ips,
		&k.CreatedBy, &k.LastUsedAt, &k.CreatedAt, &k.UpdatedAt}, extra...)...)
	if err != nil {
		return k, err
	}
	k.LastUsedAt, k.CreatedAt, k.UpdatedAt = utcPtr(k.LastUsedAt), utc(k.CreatedAt), utc(k.UpdatedAt)
	k.Scopes, k.SenderIDs, k.AllowedIPs = []herald.Scope{}, []string{}, []string{}
	for _, l := range []struct {
		text string
		into any
	}{{scopes, &k.Scopes}, {senders, &k.SenderIDs}, {ips, &k.AllowedIPs}} {
		if err := json.Unmarshal([]byte(l.text), l.into); err != nil {
			return k, fmt.Errorf("decoding API key %d: %w", k.ID, err)
		}
	}
	return k, nil
}

// listJSON encodes a list for a JSON text column, never as null.
func listJSON[T any](l []T) string {
	if l == nil {
		return "[]"
	}
	b, _ := json.Marshal(l) // lists of strings always encode
	return string(b)
}

// normKeyLists makes k's nil lists empty, as they read back.
func normKeyLists(k *herald.APIKey) {
	if k.Scopes == nil {
		k.Scopes = []herald.Scope{}
	}
	if k.SenderIDs == nil {
		k.SenderIDs = []string{}
	}
	if k.AllowedIPs == nil {
		k.AllowedIPs = []string{}
	}
}

// apiKeyErr maps the errors of saving k.
func apiKeyErr(err error) error {
	if isUnique(err, "api_keys_prefix_key", "api_keys.prefix") {
		return taken("prefix", "Another API key has the same prefix.")
	} else if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Account not found.")
	}
	return fmt.Errorf("saving API key: %w", err)
}

// CreateAPIKey inserts k with the hash of its secret.
func (s *Store) CreateAPIKey(ctx context.Context, k *herald.APIKey, secretHash string) error {
	normKeyLists(k)
	return s.inTx(ctx, func(t *tx) error {
		k.CreatedAt, k.UpdatedAt, k.LastUsedAt = t.now, t.now, nil
		err := t.queryRow(ctx, `INSERT INTO api_keys (account_id, name, prefix, secret_hash, scopes, sender_ids,
			webhook_url, allowed_ips, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			k.AccountID, k.Name, k.Prefix, secretHash, listJSON(k.Scopes), listJSON(k.SenderIDs), k.WebhookURL,
			listJSON(k.AllowedIPs), k.CreatedBy, t.now).Scan(&k.ID)
		if err != nil {
			return apiKeyErr(err)
		}
		return s.audit(ctx, t, k.AccountID, actionAddAPIKey, detail("api_keys", herald.OpInsert, k.ID, nil, k))
	})
}

// APIKey returns one key of the account, or ENOTFOUND.
func (s *Store) APIKey(ctx context.Context, accountID, id int64) (*herald.APIKey, error) {
	return getAPIKey(ctx, s.read(), accountID, id)
}

// getAPIKey reads one key of the account, or ENOTFOUND.
func getAPIKey(ctx context.Context, q querier, accountID, id int64) (*herald.APIKey, error) {
	k, err := scanAPIKey(q.queryRow(ctx, "SELECT "+apiKeySelects+" FROM api_keys k WHERE k.account_id = $1 AND k.id = $2", accountID, id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "API key not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading API key: %w", err)
	}
	return &k, nil
}

// APIKeyByPrefix returns the key with prefix in any account and the hash
// of its secret.
func (s *Store) APIKeyByPrefix(ctx context.Context, prefix string) (*herald.APIKey, string, error) {
	var hash string
	k, err := scanAPIKey(s.read().queryRow(ctx, "SELECT "+apiKeySelects+", k.secret_hash FROM api_keys k WHERE k.prefix = $1", prefix), &hash)
	if isNoRows(err) {
		return nil, "", herald.Errorf(herald.ENOTFOUND, "API key not found.")
	} else if err != nil {
		return nil, "", fmt.Errorf("reading API key: %w", err)
	}
	return &k, hash, nil
}

// UpdateAPIKey saves the name, scopes, sender IDs, webhook and allowed
// IPs of k.
func (s *Store) UpdateAPIKey(ctx context.Context, k *herald.APIKey) error {
	normKeyLists(k)
	return s.inTx(ctx, func(t *tx) error {
		old, err := getAPIKey(ctx, t, k.AccountID, k.ID)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE api_keys SET name = $1, scopes = $2, sender_ids = $3, webhook_url = $4,
			allowed_ips = $5, updated_at = $6 WHERE account_id = $7 AND id = $8`,
			k.Name, listJSON(k.Scopes), listJSON(k.SenderIDs), k.WebhookURL, listJSON(k.AllowedIPs), t.now, k.AccountID, k.ID)
		if err != nil {
			return apiKeyErr(err)
		}
		k.Prefix, k.CreatedBy, k.LastUsedAt, k.CreatedAt, k.UpdatedAt = old.Prefix, old.CreatedBy, old.LastUsedAt, old.CreatedAt, t.now
		return s.audit(ctx, t, k.AccountID, actionChangeAPIKey, detail("api_keys", herald.OpUpdate, k.ID, old, k))
	})
}

// DeleteAPIKey removes a key; it stops working at once.
func (s *Store) DeleteAPIKey(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getAPIKey(ctx, t, accountID, id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM api_keys WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting API key: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteAPIKey, detail("api_keys", herald.OpDelete, id, old, nil))
	})
}

// TouchAPIKey sets the key's LastUsedAt; it writes no audit entry.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	n, err := s.write().exec(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, at.UTC().Truncate(time.Microsecond), id)
	if err != nil {
		return fmt.Errorf("touching API key: %w", err)
	} else if n == 0 {
		return herald.Errorf(herald.ENOTFOUND, "API key not found.")
	}
	return nil
}

// apiKeySpec is the API Accesses list. Scopes are a JSON array: a scope
// filter matches a key when any of its scopes matches.
func (s *Store) apiKeySpec() *listSpec {
	return &listSpec{
		columns: herald.APIKeyColumns(),
		cols: map[string]listCol{
			"id":         {expr: "k.id", typ: herald.ColNumber},
			"name":       {expr: "k.name", typ: herald.ColText},
			"prefix":     {expr: "k.prefix", typ: herald.ColText},
			"scopes":     {expr: s.d.elemText("j"), typ: herald.ColText, each: s.d.eachElem("k.scopes", "j")},
			"webhookUrl": {expr: "k.webhook_url", typ: herald.ColText},
			"lastUsedAt": {expr: "k.last_used_at", typ: herald.ColTime, nullable: true},
			"createdAt":  {expr: "k.created_at", typ: herald.ColTime},
		},
		selects: apiKeySelects,
		from:    "api_keys k",
		id:      "k.id",
	}
}

// ListAPIKeys returns one page of the account's keys.
func (s *Store) ListAPIKeys(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.APIKey], error) {
	p, err := s.buildList(s.apiKeySpec(), q, "k.account_id = $1", accountID)
	if err != nil {
		return herald.Page[herald.APIKey]{}, err
	}
	return runList(ctx, s.read(), p, scanAPIKey)
}
