package webhook

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
)

// Store is what the webhook settings and deliveries need from the database.
type Store interface {
	WebhookSettings(ctx context.Context, accountID, apiKeyID int64) (*store.WebhookSettingsRow, error)
	WebhookSettingsByKey(ctx context.Context, apiKeyID int64) (*store.WebhookSettingsRow, error)
	SaveWebhookSettings(ctx context.Context, w *store.WebhookSettingsRow) error
	ListWebhookDeliveries(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.WebhookDelivery], error)
	WebhookDelivery(ctx context.Context, accountID, id int64) (*herald.WebhookDelivery, error)
	WebhookAttempts(ctx context.Context, accountID, deliveryID int64) ([]herald.WebhookAttempt, error)
	MessageDeliveries(ctx context.Context, accountID int64, messageID string) ([]herald.WebhookDelivery, error)
	RedeliverWebhook(ctx context.Context, accountID, id int64) error
	ClaimDueDeliveries(ctx context.Context, instance string, now, leaseUntil int64, limit int) ([]store.DeliveryRow, error)
	RecordWebhookAttempts(ctx context.Context, results []store.AttemptResult) error
}

// settingsTTL is how long Service caches a key's settings.
const settingsTTL = 10 * time.Second

// Service manages the webhook settings of API keys, sealing their secrets,
// and reads deliveries for the API and the portal. It implements
// herald.WebhookStore.
type Service struct {
	store Store
	box   *secret.Box
	clock herald.Clock

	mu    sync.Mutex
	cache map[int64]cached
}

// cached is a key's settings and when they go stale.
type cached struct {
	w       *herald.WebhookSettings
	expires time.Time
}

var _ herald.WebhookStore = (*Service)(nil)

// NewService returns a Service sealing secrets with box.
func NewService(s Store, box *secret.Box, clock herald.Clock) *Service {
	return &Service{store: s, box: box, clock: clock, cache: map[int64]cached{}}
}

// WebhookSettings returns the settings of the account's key, creating them
// with a new secret when it has none.
func (s *Service) WebhookSettings(ctx context.Context, accountID, apiKeyID int64) (*herald.WebhookSettings, error) {
	row, err := s.store.WebhookSettings(ctx, accountID, apiKeyID)
	if herald.IsNotFound(err) {
		return s.create(ctx, accountID, apiKeyID)
	} else if err != nil {
		return nil, err
	}
	return s.open(row)
}

// create saves default settings with a new secret.
func (s *Service) create(ctx context.Context, accountID, apiKeyID int64) (*herald.WebhookSettings, error) {
	w := &herald.WebhookSettings{APIKeyID: apiKeyID, AccountID: accountID}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return s.save(ctx, w, true)
}

// save stores w, with a new secret when rotate is set.
func (s *Service) save(ctx context.Context, w *herald.WebhookSettings, rotate bool) (*herald.WebhookSettings, error) {
	row := &store.WebhookSettingsRow{WebhookSettings: *w}
	if rotate {
		sec, err := NewSecret()
		if err != nil {
			return nil, err
		}
		row.SealedSecret = s.box.Seal([]byte(sec))
	}
	row.Secret = ""
	if err := s.store.SaveWebhookSettings(ctx, row); err != nil {
		return nil, err
	}
	s.forget(w.APIKeyID)
	return s.WebhookSettings(ctx, w.AccountID, w.APIKeyID)
}

// open returns the settings of row with the secret opened.
func (s *Service) open(row *store.WebhookSettingsRow) (*herald.WebhookSettings, error) {
	plain, err := s.box.Open(row.SealedSecret)
	if err != nil {
		return nil, fmt.Errorf("opening the webhook secret of API key %d: %w", row.APIKeyID, err)
	}
	w := row.WebhookSettings
	w.Secret = string(plain)
	return &w, nil
}

// UpdateWebhookSettings saves format and batching (not the secret).
func (s *Service) UpdateWebhookSettings(ctx context.Context, w *herald.WebhookSettings) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if _, err := s.WebhookSettings(ctx, w.AccountID, w.APIKeyID); err != nil {
		return err
	}
	saved, err := s.save(ctx, w, false)
	if err != nil {
		return err
	}
	*w = *saved
	return nil
}

// RotateWebhookSecret replaces the key's secret.
func (s *Service) RotateWebhookSecret(ctx context.Context, accountID, apiKeyID int64) (*herald.WebhookSettings, error) {
	w, err := s.WebhookSettings(ctx, accountID, apiKeyID)
	if err != nil {
		return nil, err
	}
	return s.save(ctx, w, true)
}

// ForKey returns the key's settings from a short cache, creating them when
// the key has none: what signing and formatting use.
func (s *Service) ForKey(ctx context.Context, accountID, apiKeyID int64) (*herald.WebhookSettings, error) {
	now := s.clock.Now()
	s.mu.Lock()
	c, ok := s.cache[apiKeyID]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.w, nil
	}
	w, err := s.WebhookSettings(ctx, accountID, apiKeyID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[apiKeyID] = cached{w: w, expires: now.Add(settingsTTL)}
	s.mu.Unlock()
	return w, nil
}

// forget drops a key from the cache.
func (s *Service) forget(apiKeyID int64) {
	s.mu.Lock()
	delete(s.cache, apiKeyID)
	s.mu.Unlock()
}

// ListWebhookDeliveries returns one page of the account's deliveries.
func (s *Service) ListWebhookDeliveries(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.WebhookDelivery], error) {
	return s.store.ListWebhookDeliveries(ctx, accountID, q)
}

// WebhookDelivery returns one delivery, or ENOTFOUND.
func (s *Service) WebhookDelivery(ctx context.Context, accountID, id int64) (*herald.WebhookDelivery, error) {
	return s.store.WebhookDelivery(ctx, accountID, id)
}

// WebhookAttempts returns the attempts that carried a delivery.
func (s *Service) WebhookAttempts(ctx context.Context, accountID, deliveryID int64) ([]herald.WebhookAttempt, error) {
	return s.store.WebhookAttempts(ctx, accountID, deliveryID)
}

// MessageDeliveries returns the deliveries of a message's events.
func (s *Service) MessageDeliveries(ctx context.Context, accountID int64, messageID string) ([]herald.WebhookDelivery, error) {
	return s.store.MessageDeliveries(ctx, accountID, messageID)
}

// RedeliverWebhook makes a delivery pending again, due now.
func (s *Service) RedeliverWebhook(ctx context.Context, accountID, id int64) error {
	return s.store.RedeliverWebhook(ctx, accountID, id)
}
