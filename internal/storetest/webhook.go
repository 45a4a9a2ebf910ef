package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

func testWebhookSettings(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "hooks")
	other := addFixture(t, f.s, "hooks-other")
	key := f.createKey(t, "hrld_hooks01", herald.ScopeOmniAPI)
	_, err := f.s.WebhookSettings(f.ctx, f.account.ID, key.ID)
	wantCode(t, "WebhookSettings before any", err, herald.ENOTFOUND)

	w := &store.WebhookSettingsRow{SealedSecret: []byte("sealed-1")}
	w.APIKeyID, w.AccountID, w.Format, w.Batch, w.BatchSize, w.BatchWait = key.ID, f.account.ID, herald.FormatEnvelope, true, 20, 30*time.Millisecond
	noErr(t, "SaveWebhookSettings", f.s.SaveWebhookSettings(f.ctx, w))
	got, err := f.s.WebhookSettings(f.ctx, f.account.ID, key.ID)
	noErr(t, "WebhookSettings", err)
	equal(t, "WebhookSettings", *got, *w)

	w.SealedSecret, w.Format, w.Batch = nil, herald.FormatDeliveryInfo, false
	noErr(t, "SaveWebhookSettings keeping the secret", f.s.SaveWebhookSettings(f.ctx, w))
	got, err = f.s.WebhookSettingsByKey(f.ctx, key.ID)
	noErr(t, "WebhookSettingsByKey", err)
	if string(got.SealedSecret) != "sealed-1" || got.Format != herald.FormatDeliveryInfo || got.Batch {
		t.Errorf("after update: %+v", got)
	}
	_, err = f.s.WebhookSettings(other.ctx, other.account.ID, key.ID)
	wantCode(t, "WebhookSettings of another account's key", err, herald.ENOTFOUND)
	steal := *w
	steal.AccountID, steal.SealedSecret = other.account.ID, []byte("x")
	wantCode(t, "SaveWebhookSettings for another account's key", f.s.SaveWebhookSettings(other.ctx, &steal), herald.ENOTFOUND)
	noErr(t, "DeleteAPIKey", f.s.DeleteAPIKey(f.ctx, f.account.ID, key.ID))
	_, err = f.s.WebhookSettingsByKey(f.ctx, key.ID)
	wantCode(t, "WebhookSettingsByKey after the key is deleted", err, herald.ENOTFOUND)
}

// newDelivery returns a pending delivery of the fixture's account.
func (f *fixture) newDelivery(i int, messageID string) *herald.WebhookDelivery {
	return &herald.WebhookDelivery{AccountID: f.account.ID, APIKeyID: 3, MessageID: messageID,
		EventID: fmt.Sprintf("evt-%d", i), EventType: herald.EventMessageStatus, URL: "http://127.0.0.1/hook",
		Payload: fmt.Sprintf(`{"n":%d}`, i), NextAttempt: time.UnixMilli(1_000), CreatedAt: msgBase()}
}

func testWebhookDeliveries(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "deliveries")
	other := addFixture(t, f.s, "deliveries-other")
	ctx := context.Background()
	var ds []*herald.WebhookDelivery
	for i := range 4 {
		ds = append(ds, f.newDelivery(i, "m-1"))
	}
	noErr(t, "InsertDeliveries", f.s.MessageTx(ctx, func(x *store.MessageTx) error { return x.InsertDeliveries(ctx, ds, "") }))
	for _, d := range ds {
		if d.ID == 0 || d.State != herald.DeliveryPending {
			t.Fatalf("InsertDeliveries left %+v", d)
		}
	}
	rows, err := f.s.ClaimDueDeliveries(ctx, "me", 2_000, 60_000, 3)
	noErr(t, "ClaimDueDeliveries", err)
	if len(rows) != 3 || rows[0].ClaimedBy != "me" || rows[0].NextAttempt.UnixMilli() != 60_000 || rows[0].Payload == "" {
		t.Fatalf("ClaimDueDeliveries = %+v", rows)
	}
	at := msgBase().Add(time.Second)
	results := []store.AttemptResult{
		{Attempt: herald.WebhookAttempt{AccountID: f.account.ID, DeliveryIDs: []int64{ds[0].ID}, URL: ds[0].URL,
			StatusCode: 200, Duration: 12 * time.Millisecond, At: at}, Delivered: true},
		{Attempt: herald.WebhookAttempt{AccountID: f.account.ID, DeliveryIDs: []int64{ds[1].ID, ds[2].ID}, URL: ds[1].URL,
			StatusCode: 503, Error: "HTTP 503", At: at}, NextAttempt: []int64{70_000, 0}},
	}
	noErr(t, "RecordWebhookAttempts", f.s.RecordWebhookAttempts(ctx, results))
	checkDelivery(t, f, ds[0].ID, herald.DeliveryDelivered, 1, 200)
	checkDelivery(t, f, ds[1].ID, herald.DeliveryPending, 1, 503)
	checkDelivery(t, f, ds[2].ID, herald.DeliveryFailed, 1, 503)
	attempts, err := f.s.WebhookAttempts(ctx, f.account.ID, ds[2].ID)
	noErr(t, "WebhookAttempts of a batched delivery", err)
	if len(attempts) != 1 || len(attempts[0].DeliveryIDs) != 2 || attempts[0].StatusCode != 503 || attempts[0].Error != "HTTP 503" {
		t.Errorf("WebhookAttempts = %+v", attempts)
	}
	attempts, err = f.s.WebhookAttempts(ctx, f.account.ID, ds[0].ID)
	noErr(t, "WebhookAttempts", err)
	if len(attempts) != 1 || attempts[0].DurationMS != 12 || !attempts[0].At.Equal(at) {
		t.Errorf("WebhookAttempts = %+v", attempts)
	}
	_, err = f.s.WebhookAttempts(ctx, other.account.ID, ds[0].ID)
	wantCode(t, "WebhookAttempts in another account", err, herald.ENOTFOUND)

	noErr(t, "RedeliverWebhook", f.s.RedeliverWebhook(ctx, f.account.ID, ds[2].ID))
	checkDelivery(t, f, ds[2].ID, herald.DeliveryPending, 0, 503)
	wantCode(t, "RedeliverWebhook in another account", f.s.RedeliverWebhook(ctx, other.account.ID, ds[2].ID), herald.ENOTFOUND)
	rows, err = f.s.ClaimDueDeliveries(ctx, "me", time.Now().UnixMilli()+1, time.Now().UnixMilli()+60_000, 10)
	noErr(t, "ClaimDueDeliveries after redelivery", err)
	var claimed []int64
	for _, r := range rows {
		claimed = append(claimed, r.ID)
	}
	slices.Sort(claimed)
	equal(t, "claimed after redelivery (the retry and the unclaimed one were due too)", claimed, []int64{ds[1].ID, ds[2].ID, ds[3].ID})

	own, err := f.s.MessageDeliveries(ctx, f.account.ID, "m-1")
	noErr(t, "MessageDeliveries", err)
	if len(own) != 4 {
		t.Errorf("MessageDeliveries = %d, want 4", len(own))
	}
	page, err := f.s.ListWebhookDeliveries(ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "state", Op: herald.OpEq, Value: "delivered"}}})
	noErr(t, "ListWebhookDeliveries", err)
	if len(page.Items) != 1 || page.Items[0].ID != ds[0].ID || page.Items[0].DeliveredAt == nil {
		t.Errorf("ListWebhookDeliveries(delivered) = %+v", page.Items)
	}
	page, err = f.s.ListWebhookDeliveries(ctx, other.account.ID, herald.ListQuery{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("ListWebhookDeliveries of another account = %+v, %v", page.Items, err)
	}
}

// checkDelivery fails t unless delivery id has state, attempts and status.
func checkDelivery(t *testing.T, f *fixture, id int64, state herald.DeliveryState, attempts, status int) {
	t.Helper()
	d, err := f.s.WebhookDelivery(f.ctx, f.account.ID, id)
	noErr(t, "WebhookDelivery", err)
	if d.State != state || d.Attempts != attempts || d.LastStatus != status {
		t.Errorf("delivery %d = state %s, attempts %d, status %d; want %s, %d, %d", id, d.State, d.Attempts, d.LastStatus, state, attempts, status)
	}
}
