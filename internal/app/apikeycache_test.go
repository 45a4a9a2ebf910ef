package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/store"
)

// frozenClock always tells the same time, so that nothing expires.
type frozenClock struct{ t time.Time }

func (c frozenClock) Now() time.Time { return c.t }

// TestAPIKeyChangeInAnotherProcess blocks the account of a cached API key
// through another process's store, which publishes the change on the
// event bus: the key stops working here at once. The clock stands still,
// so the cache's expiry cannot be what forgets the key.
func TestAPIKeyChangeInAnotherProcess(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		cfg, err := config.Load([]string{"--addr", "127.0.0.1:0"}, environ(env))
		if err != nil {
			t.Fatal(err)
		}
		addr := make(chan string, 1)
		fast := auth.FastHashParams()
		m := &app.Main{Config: cfg, Stdout: io.Discard, Log: slog.New(slog.DiscardHandler), Hash: &fast,
			Clock: frozenClock{time.Now()}, Started: func(a string) { addr <- a }}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		var base string
		select {
		case a := <-addr:
			base = "http://" + a
		case err := <-done:
			t.Fatalf("herald did not start: %v", err)
		}
		key := apiKey(t, m, "cached", herald.ScopeOmniAPI)
		apiCall(t, "GET", base+"/api/v1/account", key, "", nil, http.StatusOK, nil)
		apiCall(t, "GET", base+"/api/v1/account", key, "", nil, http.StatusOK, nil) // from the cache

		other, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, herald.SystemClock{})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		sys := herald.WithActor(ctx, herald.Actor{Login: "system"})
		acc, err := other.AccountByName(sys, herald.DefaultAccountName)
		if err != nil {
			t.Fatal(err)
		}
		acc.Status = herald.AccountBlocked
		if err := other.UpdateAccount(sys, acc); err != nil {
			t.Fatal(err)
		}
		// The other process's notice, as its change propagation sends it.
		if err := m.Events.Publish(ctx, "herald.changed.auth", []byte(`{"origin":"another process"}`)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Minute)
		for {
			status := getStatus(t, base+"/api/v1/account", key)
			if status == http.StatusUnauthorized {
				break
			}
			if status != http.StatusOK {
				t.Fatalf("GET /account = %d", status)
			}
			if time.Now().After(deadline) {
				t.Fatal("the blocked account's key still works after a minute")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestAPIKeyRevokedAtOnce revokes a cached key through the API: the next
// request with it fails.
func TestAPIKeyRevokedAtOnce(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		m, base := startMain(t, env)
		admin := apiKey(t, m, "admin", herald.ScopeAdmin)
		ctx := herald.WithActor(context.Background(), herald.Actor{Login: "system"})
		acc, err := m.Store.AccountByName(ctx, herald.DefaultAccountName)
		if err != nil {
			t.Fatal(err)
		}
		victim := &herald.APIKey{AccountID: acc.ID, Name: "victim", Scopes: []herald.Scope{herald.ScopeOmniAPI}}
		key, err := m.Auth.CreateAPIKey(ctx, victim)
		if err != nil {
			t.Fatal(err)
		}
		apiCall(t, "GET", base+"/api/v1/account", key, "", nil, http.StatusOK, nil)
		apiCall(t, "GET", base+"/api/v1/account", key, "", nil, http.StatusOK, nil) // from the cache
		apiCall(t, "DELETE", base+"/api/v1/api-keys/"+strconv.FormatInt(victim.ID, 10), admin, "", nil, http.StatusNoContent, nil)
		apiCall(t, "GET", base+"/api/v1/account", key, "", nil, http.StatusUnauthorized, nil)
	})
}

// getStatus returns the status of a GET with key.
func getStatus(t *testing.T, u, key string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
