package store

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// WebhookSettingsRow is a key's webhook settings as stored: the secret is
// sealed under the server's key (Secret is empty).
type WebhookSettingsRow struct {
	herald.WebhookSettings
	SealedSecret []byte
}

// webhookSettingsSelects are the columns scanWebhookSettings reads.
const webhookSettingsSelects = "api_key_id, account_id, secret, format, batch, batch_size, batch_wait_ms, updated_at"

// scanWebhookSettings reads webhookSettingsSelects.
func scanWebhookSettings(r scanner) (*WebhookSettingsRow, error) {
	w := &WebhookSettingsRow{}
	var waitMS int64
	err := r.Scan(&w.APIKeyID, &w.AccountID, &w.SealedSecret, &w.Format, &w.Batch, &w.BatchSize, &waitMS, &w.UpdatedAt)
	w.BatchWait = time.Duration(waitMS) * time.Millisecond
	w.UpdatedAt = utc(w.UpdatedAt)
	return w, err
}

// WebhookSettings returns the stored settings of the account's key
// apiKeyID, or ENOTFOUND when it has none (or is not the account's).
func (s *Store) WebhookSettings(ctx context.Context, accountID, apiKeyID int64) (*WebhookSettingsRow, error) {
	w, err := scanWebhookSettings(s.read().queryRow(ctx, "SELECT "+webhookSettingsSelects+
		" FROM webhook_settings WHERE api_key_id = $1 AND account_id = $2", apiKeyID, accountID))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "No webhook settings for this API key.")
	} else if err != nil {
		return nil, fmt.Errorf("reading webhook settings: %w", err)
	}
	return w, nil
}

// SaveWebhookSettings inserts or replaces the settings of w's key, which
// must belong to w's account (else ENOTFOUND). A nil SealedSecret keeps
// the stored one.
func (s *Store) SaveWebhookSettings(ctx context.Context, w *WebhookSettingsRow) error {
	return s.inTx(ctx, func(t *tx) error {
		w.UpdatedAt = t.now
		var secret any
		if w.SealedSecret != nil {
			secret = w.SealedSecret
		}
		n, err := t.exec(ctx, `INSERT INTO webhook_settings (api_key_id, account_id, secret, format, batch, batch_size, batch_wait_ms, updated_at)
			SELECT k.id, k.account_id, COALESCE($3, (SELECT secret FROM webhook_settings WHERE api_key_id = k.id)), $4, $5, $6, $7, $8
			FROM api_keys k WHERE k.id = $1 AND k.account_id = $2
			ON CONFLICT (api_key_id) DO UPDATE SET secret = excluded.secret, format = excluded.format, batch = excluded.batch,
			batch_size = excluded.batch_size, batch_wait_ms = excluded.batch_wait_ms, updated_at = excluded.updated_at`,
			w.APIKeyID, w.AccountID, secret, w.Format, w.Batch, w.BatchSize, w.BatchWait.Milliseconds(), t.now)
		if err != nil {
			return fmt.Errorf("saving webhook settings: %w", err)
		} else if n == 0 {
			return herald.Errorf(herald.ENOTFOUND, "API key not found.")
		}
		return nil
	})
}

// WebhookSettingsByKey returns the stored settings of API key apiKeyID in
// any account, for the engine that signs and formats its webhooks;
// ENOTFOUND when it has none.
func (s *Store) WebhookSettingsByKey(ctx context.Context, apiKeyID int64) (*WebhookSettingsRow, error) {
	w, err := scanWebhookSettings(s.read().queryRow(ctx, "SELECT "+webhookSettingsSelects+
		" FROM webhook_settings WHERE api_key_id = $1", apiKeyID))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "No webhook settings for this API key.")
	} else if err != nil {
		return nil, fmt.Errorf("reading webhook settings: %w", err)
	}
	return w, nil
}
