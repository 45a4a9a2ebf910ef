package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/config"
)

// startMain boots Herald and returns its Main and URL.
func startMain(t *testing.T, env map[string]string) (*app.Main, string) {
	t.Helper()
	cfg, err := config.Load([]string{"--addr", "127.0.0.1:0"}, environ(env))
	if err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	fast := auth.FastHashParams()
	m := &app.Main{Config: cfg, Stdout: io.Discard, Log: slog.New(slog.DiscardHandler), Hash: &fast,
		Started: func(a string) { addr <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case a := <-addr:
		return m, "http://" + a
	case err := <-done:
		t.Fatalf("herald did not start: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("herald did not start within a minute")
	}
	return nil, ""
}

// apiCall sends a request with key and decodes a JSON answer into v.
func apiCall(t *testing.T, method, u, key, ctype string, body io.Reader, want int, v any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("X-API-Key", key)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s = %d %s; want %d", method, u, res.StatusCode, b, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
}

// apiKey creates an API key with scopes in the default account, acting as
// the system, and returns its secret.
func apiKey(t *testing.T, m *app.Main, name string, scopes ...herald.Scope) string {
	t.Helper()
	ctx := herald.WithActor(context.Background(), herald.Actor{Login: "system"})
	acc, err := m.Store.AccountByName(ctx, herald.DefaultAccountName)
	if err != nil {
		t.Fatal(err)
	}
	key, err := m.Auth.CreateAPIKey(ctx, &herald.APIKey{AccountID: acc.ID, Name: name, Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// TestImportJob uploads a file through the API and lets the process's
// job queue (River) import it in the background.
func TestImportJob(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		m, base := startMain(t, env)
		key := apiKey(t, m, "crm", herald.ScopeRecipients)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "list.csv")
		fmt.Fprint(fw, "phone\tName\n34600555001\tAnder\n34600555002\tMaite\nnot a number\tX\n")
		_ = mw.Close()
		var im herald.Import
		apiCall(t, "POST", base+"/api/v1/imports", key, mw.FormDataContentType(), &body, 201, &im)
		path := fmt.Sprintf("%s/api/v1/imports/%d", base, im.ID)
		patch := `{"firstRow": 2, "policy": "skip", "tag": "Job", "mapping": [{"column": 0, "field": "phone"}]}`
		apiCall(t, "PATCH", path, key, "application/json", strings.NewReader(patch), 200, nil)
		apiCall(t, "POST", path+"/start", key, "", nil, 202, &im)
		deadline := time.Now().Add(30 * time.Second)
		for !im.Status.Final() && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			apiCall(t, "GET", path, key, "", nil, 200, &im)
		}
		if im.Status != herald.ImportDone || im.Imported != 2 || im.Failed != 1 {
			t.Fatalf("import = %+v; want done with 2 imported and 1 failed", im)
		}
	})
}

// TestStopOptsOut is the end of the contacts tour: a contact who answers
// STOP from the sandbox is opted out, and the contact shows it.
func TestStopOptsOut(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		m, base := startMain(t, env)
		key := apiKey(t, m, "all", herald.ScopeRecipients, herald.ScopeOmniAPI)
		json := "application/json"
		apiCall(t, "POST", base+"/api/v1/optout-words", key, json, strings.NewReader(`{"word": "STOP", "channel": "sms"}`), 201, nil)
		var sent struct {
			ID string `json:"id"`
		}
		apiCall(t, "POST", base+"/api/v1/messages", key, json, strings.NewReader(`{"contact": "+34600111222", "channel": 1,
			"senderId": "sandbox", "payload": {"text": "Spring offers"}}`), 202, &sent)
		reply := fmt.Sprintf(`{"messageId": %q, "text": " stop "}`, sent.ID)
		apiCall(t, "POST", base+"/api/v1/sandbox/replies", key, json, strings.NewReader(reply), 201, nil)
		var list struct {
			Items []herald.Contact `json:"items"`
		}
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			apiCall(t, "GET", base+"/api/v1/contacts?f.phone=eq:%2B34600111222", key, "", nil, 200, &list)
			if len(list.Items) == 1 && len(list.Items[0].OptOuts) > 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(list.Items) != 1 || len(list.Items[0].OptOuts) != 1 {
			t.Fatalf("contacts = %+v; want the contact opted out", list.Items)
		}
		if o := list.Items[0].OptOuts[0]; o.Channel != herald.ChannelSMS || o.By != "word:STOP" {
			t.Errorf("opt-out = %+v; want SMS by word:STOP", o)
		}
	})
}
