package herald

import (
	"context"
	"time"
)

// Webhook event types.
const (
	EventMessageStatus  = "message.status"  // an outbound message changed status, or its chain switched channel
	EventMessageInbound = "message.inbound" // a contact sent a message
)

// WebhookFormat is the body format a webhook receives.
type WebhookFormat string

// Webhook formats.
const (
	FormatEnvelope     WebhookFormat = "envelope"      // {id, type, time, account, data}
	FormatDeliveryInfo WebhookFormat = "delivery-info" // {"deliveryInfoNotification": {...}} for statuses
)

// Webhook batching limits.
const (
	MaxWebhookBatch     = 100
	DefaultWebhookBatch = 100
	DefaultBatchWait    = 50 * time.Millisecond
)

// WebhookSettings are the webhook options of one API key: the signing
// secret, the body format and batching. Statuses and inbound messages of
// the key's messages go to the key's webhook URL or the URL of the request.
type WebhookSettings struct {
	APIKeyID  int64         `json:"apiKeyId"`
	AccountID int64         `json:"-"`
	Secret    string        `json:"secret"` // HMAC-SHA256 key; stored sealed
	Format    WebhookFormat `json:"format"`
	// Batch sends up to BatchSize envelopes per request as a JSON array,
	// waiting at most BatchWait to fill one; off sends one per request.
	Batch     bool          `json:"batch"`
	BatchSize int           `json:"batchSize"`
	BatchWait time.Duration `json:"-"`
	UpdatedAt time.Time     `json:"updatedAt"`
}

// Validate checks the settings and fills defaults.
func (w *WebhookSettings) Validate() error {
	var vs Violations
	if w.Format == "" {
		w.Format = FormatEnvelope
	}
	if w.Format != FormatEnvelope && w.Format != FormatDeliveryInfo {
		vs.Add("format", VUnknown, "Format must be envelope or delivery-info.")
	}
	if w.BatchSize == 0 {
		w.BatchSize = DefaultWebhookBatch
	}
	if w.BatchSize < 1 || w.BatchSize > MaxWebhookBatch {
		vs.Add("batchSize", VRange, "Batch size must be from 1 to %d.", MaxWebhookBatch)
	}
	if w.BatchWait <= 0 {
		w.BatchWait = DefaultBatchWait
	}
	return vs.Err()
}

// DeliveryState is where a webhook delivery is.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending   DeliveryState = "pending"   // waiting for its first or next attempt
	DeliveryDelivered DeliveryState = "delivered" // the receiver answered 2xx
	DeliveryFailed    DeliveryState = "failed"    // retries ran out
)

// WebhookDelivery is one event on its way to one URL.
type WebhookDelivery struct {
	ID          int64         `json:"id"`
	AccountID   int64         `json:"-"`
	APIKeyID    int64         `json:"apiKeyId"`
	MessageID   string        `json:"messageId"`
	EventID     string        `json:"eventId"`
	EventType   string        `json:"eventType"`
	URL         string        `json:"url"`
	Payload     string        `json:"payload"` // the JSON body of one event
	State       DeliveryState `json:"state"`
	Attempts    int           `json:"attempts"`
	NextAttempt time.Time     `json:"nextAttemptAt"`
	LastStatus  int           `json:"lastStatus"` // HTTP status of the last attempt; 0 for a network error
	LastError   string        `json:"lastError"`
	CreatedAt   time.Time     `json:"createdAt"`
	DeliveredAt *time.Time    `json:"deliveredAt"`
}

// WebhookAttempt is one HTTP request to a webhook: it carries one delivery,
// or several when the webhook batches.
type WebhookAttempt struct {
	ID          int64         `json:"id"`
	AccountID   int64         `json:"-"`
	DeliveryIDs []int64       `json:"deliveryIds"`
	URL         string        `json:"url"`
	StatusCode  int           `json:"statusCode"` // 0 for a network error
	Error       string        `json:"error"`
	Duration    time.Duration `json:"-"`
	DurationMS  int64         `json:"durationMs"`
	At          time.Time     `json:"at"`
}

// WebhookDeliveryColumns are the columns of the Webhook deliveries table.
func WebhookDeliveryColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "eventType", Label: "Event", Type: ColEnum, Options: []string{EventMessageStatus, EventMessageInbound}, Filterable: true},
		{Key: "messageId", Label: "Message ID", Type: ColText, Filterable: true},
		{Key: "url", Label: "URL", Type: ColText, Filterable: true},
		{Key: "state", Label: "State", Type: ColEnum, Options: []string{"pending", "delivered", "failed"}, Sortable: true, Filterable: true},
		{Key: "attempts", Label: "Attempts", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "lastStatus", Label: "Last status", Type: ColNumber, Filterable: true},
	}
}

// WebhookStore reads and manages webhook settings and deliveries. Methods
// are scoped to accountID.
type WebhookStore interface {
	// WebhookSettings returns the key's settings, creating them with a new
	// secret when the key has none yet. ENOTFOUND for an unknown key.
	WebhookSettings(ctx context.Context, accountID, apiKeyID int64) (*WebhookSettings, error)
	// UpdateWebhookSettings saves format and batching (not the secret).
	UpdateWebhookSettings(ctx context.Context, w *WebhookSettings) error
	// RotateWebhookSecret replaces the key's secret and returns the settings.
	RotateWebhookSecret(ctx context.Context, accountID, apiKeyID int64) (*WebhookSettings, error)
	// ListWebhookDeliveries returns one page of deliveries, newest first.
	ListWebhookDeliveries(ctx context.Context, accountID int64, q ListQuery) (Page[WebhookDelivery], error)
	// WebhookDelivery returns one delivery, or ENOTFOUND.
	WebhookDelivery(ctx context.Context, accountID, id int64) (*WebhookDelivery, error)
	// WebhookAttempts returns the attempts that carried a delivery, oldest first.
	WebhookAttempts(ctx context.Context, accountID, deliveryID int64) ([]WebhookAttempt, error)
	// MessageDeliveries returns the deliveries of a message's events.
	MessageDeliveries(ctx context.Context, accountID int64, messageID string) ([]WebhookDelivery, error)
	// RedeliverWebhook makes a delivery pending again, due now. ENOTFOUND.
	RedeliverWebhook(ctx context.Context, accountID, id int64) error
}
