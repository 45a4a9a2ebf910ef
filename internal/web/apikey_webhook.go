package web

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
)

// webhookSettingsFields are the webhook settings form's inputs.
func webhookSettingsFields() []string {
	return []string{"webhookUrl", "format", "batch", "batchSize"}
}

// webhookFormat is a format choice with its explanation.
type webhookFormat struct {
	Value herald.WebhookFormat
	Label string
	Text  string
}

// webhookFormats are the formats a webhook can receive.
func webhookFormats() []webhookFormat {
	return []webhookFormat{
		{herald.FormatEnvelope, "Envelope", "One envelope {id, type, time, account, data} per event, for statuses and inbound messages."},
		{herald.FormatDeliveryInfo, "Delivery info", "Statuses as deliveryInfoNotification with codes such as 7500 delivered (the reference-000 format)."},
	}
}

// webhookSettingsData is the data of the webhook settings page.
type webhookSettingsData struct {
	Form     *form
	Key      *herald.APIKey
	Settings *herald.WebhookSettings
	Formats  []webhookFormat
	MaxBatch int
}

// loadWebhookSettings loads the {id} key and its webhook settings; it
// answered the request when ok is false.
func (p *Portal) loadWebhookSettings(w http.ResponseWriter, r *http.Request) (*herald.APIKey, *herald.WebhookSettings, bool) {
	if p.webhooks == nil {
		p.fail(w, r, errNoMessaging)
		return nil, nil, false
	}
	k, ok := p.loadAPIKey(w, r)
	if !ok {
		return nil, nil, false
	}
	ws, err := p.webhooks.WebhookSettings(r.Context(), k.AccountID, k.ID)
	if err != nil {
		p.fail(w, r, err)
		return nil, nil, false
	}
	return k, ws, true
}

// renderWebhookSettings renders the webhook settings page.
func (p *Portal) renderWebhookSettings(w http.ResponseWriter, r *http.Request, status int, d *webhookSettingsData) {
	d.Formats, d.MaxBatch = webhookFormats(), herald.MaxWebhookBatch
	pg := p.newPage(r, "Webhook of "+d.Key.Name)
	pg.Active = "apikeys"
	pg.Data = d
	p.renderStatus(w, r, status, "apikey_webhook", pg)
}

// webhookSettingsPage shows a key's webhook URL, format, batching and
// signing secret.
func (p *Portal) webhookSettingsPage(w http.ResponseWriter, r *http.Request) {
	k, ws, ok := p.loadWebhookSettings(w, r)
	if !ok {
		return
	}
	f := newForm(webhookSettingsFields()...)
	f.set("webhookUrl", k.WebhookURL)
	f.set("format", string(ws.Format))
	if ws.Batch {
		f.set("batch", "on")
	}
	f.set("batchSize", strconv.Itoa(ws.BatchSize))
	p.renderWebhookSettings(w, r, http.StatusOK, &webhookSettingsData{Form: f, Key: k, Settings: ws})
}

// webhookSettingsFromForm reads the form into k and ws; a batch size that
// is not a number is a violation.
func webhookSettingsFromForm(f *form, k *herald.APIKey, ws *herald.WebhookSettings) error {
	k.WebhookURL = f.Get("webhookUrl")
	ws.Format, ws.Batch = herald.WebhookFormat(f.Get("format")), f.Checked("batch")
	var vs herald.Violations
	if s := f.Get("batchSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			vs.Add("batchSize", herald.VFormat, "Batch size must be a whole number.")
		}
		ws.BatchSize = n
	}
	if err := k.Validate(); err != nil {
		vs = append(vs, herald.ErrorViolations(err)...)
	}
	if err := ws.Validate(); err != nil {
		vs = append(vs, herald.ErrorViolations(err)...)
	}
	return vs.Err()
}

// updateWebhookSettings saves the URL (on the key) and the format and
// batching (on its webhook settings). The secret stays.
func (p *Portal) updateWebhookSettings(w http.ResponseWriter, r *http.Request) {
	k, ws, ok := p.loadWebhookSettings(w, r)
	if !ok {
		return
	}
	f := readForm(r, webhookSettingsFields()...)
	ctx := r.Context()
	err := webhookSettingsFromForm(f, k, ws)
	if err == nil {
		err = p.store.UpdateAPIKey(ctx, k)
	}
	if err == nil {
		err = p.webhooks.UpdateWebhookSettings(ctx, ws)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) {
			p.renderWebhookSettings(w, r, status, &webhookSettingsData{Form: f, Key: k, Settings: ws})
		})
		return
	}
	p.redirect(w, r, webhookSettingsPath(k), "Webhook settings of "+k.Name+" saved.")
}

// webhookSettingsPath is the address of k's webhook settings page.
func webhookSettingsPath(k *herald.APIKey) string {
	return "/apikeys/" + strconv.FormatInt(k.ID, 10) + "/webhook"
}

// rotateWarning is what rotating a signing secret does.
const rotateWarning = "Rotate the signing secret? Webhooks are signed with the new secret at once; receivers checking the old one reject them until they are updated."

// confirmRotateWebhookSecret asks before rotating the secret.
func (p *Portal) confirmRotateWebhookSecret(w http.ResponseWriter, r *http.Request) {
	k, ok := p.loadAPIKey(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "apikeys", confirmData{Heading: "Rotate signing secret", Message: rotateWarning,
		Action: r.URL.Path, Button: "Rotate secret", Cancel: webhookSettingsPath(k)})
}

// rotateWebhookSecret replaces the key's signing secret.
func (p *Portal) rotateWebhookSecret(w http.ResponseWriter, r *http.Request) {
	if p.webhooks == nil {
		p.fail(w, r, errNoMessaging)
		return
	}
	k, ok := p.loadAPIKey(w, r)
	if !ok {
		return
	}
	if _, err := p.webhooks.RotateWebhookSecret(r.Context(), k.AccountID, k.ID); err != nil {
		p.actionFailed(w, r, webhookSettingsPath(k), err)
		return
	}
	p.redirect(w, r, webhookSettingsPath(k), "Signing secret of "+k.Name+" rotated.")
}
