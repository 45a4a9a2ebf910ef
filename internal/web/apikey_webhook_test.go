package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/heraldhq/herald"
)

func TestWebhookSettingsPage(t *testing.T) {
	f := newFixture(t)
	c, u := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "admin")
	k := &herald.APIKey{AccountID: f.account.ID, CreatedBy: u.ID, Name: "shop", Scopes: []herald.Scope{herald.ScopeOmniAPI}}
	if _, err := f.auth.CreateAPIKey(sys(f.account.ID), k); err != nil {
		t.Fatal(err)
	}
	path := "/apikeys/" + strconv.FormatInt(k.ID, 10) + "/webhook"
	secretRe := regexp.MustCompile(`data-webhook-secret>([^<]+)<`)

	page := c.get(path)
	if page.Status != http.StatusOK {
		t.Fatalf("GET %s: %d", path, page.Status)
	}
	m := secretRe.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatal("the signing secret is not shown")
	}
	first := m[1]
	mustContain(t, page.Body, `data-copy="webhook-secret"`, `value="envelope" checked`, path+"/rotate", "data-confirm=")
	mustContain(t, c.get("/apikeys/"+strconv.FormatInt(k.ID, 10)).Body, path)

	// Bad input: every field's error beside it, nothing saved.
	res := c.post(path, url.Values{"webhookUrl": {"ftp://x"}, "format": {"xml"}, "batch": {"on"}, "batchSize": {"500"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid settings: %d\n%s", res.Status, res.Body)
	}
	wantFieldErrors(t, res.Body, map[string]string{
		"webhookUrl": "The webhook must be an http:// or https:// URL.",
		"format":     "Format must be envelope or delivery-info.",
		"batchSize":  "Batch size must be from 1 to 100.",
	})
	res = c.post(path, url.Values{"batchSize": {"ten"}})
	wantFieldErrors(t, res.Body, map[string]string{"batchSize": "Batch size must be a whole number."})

	res = c.post(path, url.Values{"webhookUrl": {"https://shop.example/hook"}, "format": {"delivery-info"}, "batch": {"on"}, "batchSize": {"20"}})
	if res.Status != http.StatusSeeOther || res.Location != path {
		t.Fatalf("save: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	ws, err := f.portal.webhooks.WebhookSettings(context.Background(), f.account.ID, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Format != herald.FormatDeliveryInfo || !ws.Batch || ws.BatchSize != 20 || ws.Secret != first {
		t.Errorf("saved settings = %+v", ws)
	}
	saved, _ := f.store.APIKey(context.Background(), f.account.ID, k.ID)
	if saved.WebhookURL != "https://shop.example/hook" {
		t.Errorf("webhook URL = %q", saved.WebhookURL)
	}
	page = c.get(path)
	mustContain(t, page.Body, "Webhook settings of shop saved.", `value="delivery-info" checked`, `value="20"`)

	// Rotating asks first (GET is the confirmation page), then replaces the secret.
	mustContain(t, c.get(path+"/rotate").Body, "Rotate the signing secret?")
	if res := c.post(path+"/rotate", nil); res.Status != http.StatusSeeOther || res.Location != path {
		t.Fatalf("rotate: %d %q", res.Status, res.Location)
	}
	m = secretRe.FindStringSubmatch(c.get(path).Body)
	if m == nil || m[1] == first {
		t.Errorf("secret after rotation = %v; want a new one", m)
	}

	// Another account's key is not found; a user without apikeys.manage is refused.
	other, roles := f.newAccount("Other")
	oc, _ := f.signedInClient(other.ID, roles[herald.RoleAdmin], "otheradmin")
	if res := oc.get(path); res.Status != http.StatusNotFound {
		t.Errorf("other account: %d, want 404", res.Status)
	}
	vc, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleFinanceManager], "finance")
	if res := vc.post(path+"/rotate", nil); res.Status != http.StatusForbidden {
		t.Errorf("finance manager rotating: %d, want 403", res.Status)
	}
}
