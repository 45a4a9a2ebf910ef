package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/api"
	"github.com/heraldhq/herald/internal/senders"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// images is a media library in memory: the sender ID routes only read it.
type images map[int64]*herald.Media

// Media returns one file of the account, or ENOTFOUND.
func (m images) Media(_ context.Context, acc, id int64) (*herald.Media, error) {
	if f, ok := m[id]; ok && f.AccountID == acc {
		c := *f
		return &c, nil
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "No such file.")
}

// ListMedia returns nothing: the API never lists.
func (m images) ListMedia(context.Context, int64, herald.ListQuery) (herald.Page[herald.Media], error) {
	return herald.Page[herald.Media]{}, nil
}

// senderJSON is what the tests read of a sender ID.
type senderJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Channel     int    `json:"channel"`
	Status      string `json:"status"`
	Reason      string `json:"reason"`
	Color       string `json:"color"`
	LogoMediaID int64  `json:"logoMediaId"`
	WebhookURL  string `json:"webhookUrl"`
	Phones      []struct {
		Value, Label string
	} `json:"phones"`
}

// TestSendersAPI runs the sender ID scenarios on both engines.
func TestSendersAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		media := images{}
		svc := senders.New(s, media, nil)
		f.srv = httptest.NewServer(api.New(api.Deps{Store: s, Auth: f.auth, Clock: herald.SystemClock{},
			Log: slog.New(slog.DiscardHandler), Senders: svc}))
		t.Cleanup(f.srv.Close)
		media[1] = &herald.Media{ID: 1, AccountID: f.accA.ID, Name: "logo.png", Kind: herald.MediaImage, Format: "png", Width: 240, Height: 240, Size: 4000}
		media[2] = &herald.Media{ID: 2, AccountID: f.accA.ID, Name: "huge.png", Kind: herald.MediaImage, Format: "png", Width: 240, Height: 240, Size: 200 << 10}
		f.testSenderRequests(t, svc)
	})
}

// rcsBody is a valid RCS request.
func rcsBody() map[string]any {
	return map[string]any{"channel": 2, "displayName": "Tansy's pancakes", "description": "Best pancakes", "logoMediaId": 1,
		"phones":   []map[string]string{{"value": "+1234567", "label": "Call us"}},
		"websites": []map[string]string{{"value": "www.tansypancakes.com", "label": "Shop"}}, "privacyUrl": "https://tansypancakes.com/privacy"}
}

func (f *fixture) testSenderRequests(t *testing.T, svc *senders.Service) {
	f.t = t
	p := f.want(f.do("POST", "/api/v1/senders", f.keyA, map[string]any{"displayName": "X"}), 422).problem(t)
	if v, ok := p.violation("channel"); !ok || v.Code != herald.VRequired {
		t.Errorf("no channel: %+v", p)
	}
	bad := rcsBody()
	bad["displayName"] = strings.Repeat("n", 41)
	bad["phones"] = []map[string]string{{"value": "+1234567", "label": ""}}
	bad["logoMediaId"] = 2
	bad["webhookUrl"] = "https://hooks.example/rcs"
	p = f.want(f.do("POST", "/api/v1/senders", f.keyA, bad), 422).problem(t)
	for field, code := range map[string]string{"displayName": herald.VTooLong, "phones[0].label": herald.VRequired,
		"logoMediaId": herald.VRange, "webhookUrl": herald.VPolicy} {
		if v, ok := p.violation(field); !ok || v.Code != code {
			t.Errorf("violation of %s = %+v; want %s (all: %+v)", field, v, code, p.Violations)
		}
	}
	viber := rcsBody()
	viber["channel"] = 3
	p = f.want(f.do("POST", "/api/v1/senders", f.keyA, viber), 422).problem(t)
	if v, ok := p.violation("channel"); !ok || v.Code != herald.VPolicy {
		t.Errorf("a Viber request: %+v", p)
	}

	created := f.want(f.do("POST", "/api/v1/senders", f.keyA, rcsBody(), "Idempotency-Key", "rcs-1"), 201)
	var sd senderJSON
	created.json(t, &sd)
	if sd.Status != "submitted" || sd.Name != "" || sd.Color != "#000000" || sd.LogoMediaID != 1 || len(sd.Phones) != 1 ||
		created.header.Get("Location") != fmt.Sprintf("/api/v1/senders/%d", sd.ID) {
		t.Fatalf("created = %s", created.body)
	}
	again := f.want(f.do("POST", "/api/v1/senders", f.keyA, rcsBody(), "Idempotency-Key", "rcs-1"), 201)
	if again.header.Get("Idempotent-Replayed") != "true" {
		t.Error("a repeated create was not replayed")
	}
	var draft senderJSON
	f.want(f.do("POST", "/api/v1/senders", f.keyA, map[string]any{"channel": "sms", "displayName": "TANSY", "draft": true}), 201).json(t, &draft)
	if draft.Status != "draft" || draft.Channel != 1 {
		t.Fatalf("draft = %+v", draft)
	}

	var list struct{ Items []senderJSON }
	f.want(f.do("GET", "/api/v1/senders?f.status=eq:draft", f.keyA, nil), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != draft.ID {
		t.Errorf("drafts = %+v", list.Items)
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/senders/%d", sd.ID), f.keyB, nil), 404)
	f.want(f.do("GET", "/api/v1/senders?f.account=eq:x", f.keyA, nil), 422)

	path := fmt.Sprintf("/api/v1/senders/%d", sd.ID)
	f.want(f.do("PATCH", fmt.Sprintf("/api/v1/senders/%d", draft.ID), f.keyA, map[string]any{"submit": true}), 200).json(t, &draft)
	if draft.Status != "submitted" || draft.DisplayName != "TANSY" {
		t.Errorf("submitted draft = %+v", draft)
	}
	p = f.want(f.do("PATCH", path, f.keyA, map[string]any{"webhookUrl": "https://hooks.example/rcs"}), 422).problem(t)
	if v, ok := p.violation("webhookUrl"); !ok || v.Code != herald.VPolicy {
		t.Errorf("a webhook before approval: %+v", p)
	}
	f.want(f.do("PATCH", path, f.keyA, map[string]any{"channel": 1}), 422)
	f.want(f.do("DELETE", path, f.keyA, nil), 422)

	ctx := herald.WithActor(context.Background(), herald.Actor{Login: "root"})
	if _, err := svc.Review(ctx, sd.ID, herald.SenderReview{Status: herald.SenderInProgress}); err != nil {
		t.Fatal(err)
	}
	p = f.want(f.do("PATCH", path, f.keyA, map[string]any{"description": "New"}), 422).problem(t)
	if v, ok := p.violation("status"); !ok || v.Code != herald.VPolicy {
		t.Errorf("editing a request in progress: %+v", p)
	}
	f.want(f.do("POST", path+"/cancel", f.keyA, nil), 422)
	if _, err := svc.Review(ctx, sd.ID, herald.SenderReview{Status: herald.SenderDone, Name: "tansy@rbm.example"}); err != nil {
		t.Fatal(err)
	}
	f.want(f.do("PATCH", path, f.keyA, map[string]any{"webhookUrl": "https://hooks.example/rcs", "description": "Even better pancakes"}), 200).json(t, &sd)
	if sd.WebhookURL != "https://hooks.example/rcs" || sd.Name != "tansy@rbm.example" || sd.Status != "done" {
		t.Errorf("after the edit once done: %+v", sd)
	}
	f.want(f.do("POST", path+"/cancel", f.keyA, nil), 200).json(t, &sd)
	if sd.Status != "canceled" {
		t.Errorf("canceled = %+v", sd)
	}
	f.want(f.do("DELETE", path, f.keyA, nil), http.StatusNoContent)
	f.want(f.do("GET", path, f.keyA, nil), 404)
}
