package api

import (
	"context"
	"net/http"
	"time"

	"github.com/heraldhq/herald"
)

func (h *Handler) webhookRoutes() []Route {
	s := herald.ScopeOmniAPI
	return []Route{
		{Method: "GET", Path: Prefix + "/webhook", Scope: s, Summary: "The calling key's webhook settings, with its signing secret", handle: h.getWebhook},
		{Method: "PATCH", Path: Prefix + "/webhook", Scope: s, Summary: "Change the calling key's webhook format and batching", handle: h.updateWebhook},
		{Method: "POST", Path: Prefix + "/webhook/rotate-secret", Scope: s, Summary: "Replace the calling key's signing secret", handle: h.rotateWebhook},
		{Method: "GET", Path: Prefix + "/webhook-deliveries", Scope: s, Summary: "List webhook deliveries", handle: h.listDeliveries},
		{Method: "GET", Path: Prefix + "/webhook-deliveries/{id}", Scope: s, Summary: "Get a webhook delivery with its attempts", handle: h.getDelivery},
		{Method: "POST", Path: Prefix + "/webhook-deliveries/{id}/redeliver", Scope: s, Summary: "Deliver a webhook again", handle: h.redeliver},
	}
}

// webhookSettings is the answer about a key's webhook.
type webhookSettings struct {
	*herald.WebhookSettings
	URL         string `json:"url"`
	BatchWaitMS int64  `json:"batchWaitMs"`
}

// webhookInput is the body of PATCH /webhook.
type webhookInput struct {
	Format      *herald.WebhookFormat `json:"format"`
	Batch       *bool                 `json:"batch"`
	BatchSize   *int                  `json:"batchSize"`
	BatchWaitMS *int64                `json:"batchWaitMs"`
}

// webhooks returns the webhook service or the unavailable error.
func (h *Handler) webhooks() (herald.WebhookStore, error) {
	if h.deps.Webhooks == nil {
		return nil, errNoMessaging
	}
	return h.deps.Webhooks, nil
}

// answerWebhook writes the settings of the calling key.
func (h *Handler) answerWebhook(w http.ResponseWriter, c *call, ws *herald.WebhookSettings) error {
	return writeJSON(w, http.StatusOK, webhookSettings{WebhookSettings: ws, URL: c.key.WebhookURL, BatchWaitMS: ws.BatchWait.Milliseconds()})
}

func (h *Handler) getWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.webhooks()
	if err != nil {
		return err
	}
	ws, err := svc.WebhookSettings(r.Context(), c.key.AccountID, c.key.ID)
	if err != nil {
		return err
	}
	return h.answerWebhook(w, c, ws)
}

func (h *Handler) updateWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.webhooks()
	if err != nil {
		return err
	}
	var in webhookInput
	if err := decode(r, &in); err != nil {
		return err
	}
	ws, err := svc.WebhookSettings(r.Context(), c.key.AccountID, c.key.ID)
	if err != nil {
		return err
	}
	if in.Format != nil {
		ws.Format = *in.Format
	}
	if in.Batch != nil {
		ws.Batch = *in.Batch
	}
	if in.BatchSize != nil {
		ws.BatchSize = *in.BatchSize
	}
	if in.BatchWaitMS != nil {
		ws.BatchWait = time.Duration(*in.BatchWaitMS) * time.Millisecond
	}
	if err := svc.UpdateWebhookSettings(r.Context(), ws); err != nil {
		return err
	}
	return h.answerWebhook(w, c, ws)
}

func (h *Handler) rotateWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.webhooks()
	if err != nil {
		return err
	}
	ws, err := svc.RotateWebhookSecret(r.Context(), c.key.AccountID, c.key.ID)
	if err != nil {
		return err
	}
	return h.answerWebhook(w, c, ws)
}

func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.webhooks()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.WebhookDeliveryColumns())
	if err != nil {
		return err
	}
	p, err := svc.ListWebhookDeliveries(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

// deliveryDetails is a delivery with its attempts.
type deliveryDetails struct {
	*herald.WebhookDelivery
	AttemptLog []herald.WebhookAttempt `json:"attemptLog"`
}

func (h *Handler) getDelivery(w http.ResponseWriter, r *http.Request, c *call) error {
	d, svc, err := h.delivery(r.Context(), r, c)
	if err != nil {
		return err
	}
	as, err := svc.WebhookAttempts(r.Context(), c.key.AccountID, d.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deliveryDetails{WebhookDelivery: d, AttemptLog: as})
}

// delivery reads the {id} delivery of the caller's account.
func (h *Handler) delivery(ctx context.Context, r *http.Request, c *call) (*herald.WebhookDelivery, herald.WebhookStore, error) {
	svc, err := h.webhooks()
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	d, err := svc.WebhookDelivery(ctx, c.key.AccountID, id)
	return d, svc, err
}

func (h *Handler) redeliver(w http.ResponseWriter, r *http.Request, c *call) error {
	d, svc, err := h.delivery(r.Context(), r, c)
	if err != nil {
		return err
	}
	if err := svc.RedeliverWebhook(r.Context(), c.key.AccountID, d.ID); err != nil {
		return err
	}
	d, err = svc.WebhookDelivery(r.Context(), c.key.AccountID, d.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, d)
}
