package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func startServer(t *testing.T, d Deps) (*Server, string) {
	t.Helper()
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	d.Log = slog.New(slog.DiscardHandler)
	s := New("127.0.0.1:0", d)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		_ = s.Shutdown(context.Background())
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, "http://" + s.Addr()
}

func fetch(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	r, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, r.Header, string(b)
}

func TestProbesMetricsAndRecovery(t *testing.T) {
	ready := errors.New("database is behind: 2 migrations pending")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/things/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	portal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	_, base := startServer(t, Deps{API: mux, Portal: portal, Ready: func(context.Context) error { return ready }})

	if code, _, body := fetch(t, base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/healthz = %d %s", code, body)
	}
	if code, _, body := fetch(t, base+"/readyz"); code != 503 || !strings.Contains(body, "2 migrations pending") {
		t.Fatalf("/readyz = %d %s", code, body)
	}
	code, hdr, _ := fetch(t, base+"/api/v1/things/42")
	if code != http.StatusTeapot || hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("API answer = %d %v", code, hdr)
	}
	fetch(t, base+"/api/v1/things/43")
	if code, _, _ := fetch(t, base+"/anything"); code != 500 {
		t.Fatalf("a panicking handler gave %d; want 500", code)
	}
	_, _, metrics := fetch(t, base+"/metrics")
	want := `herald_http_requests_total{code="418",method="GET",route="GET /api/v1/things/{id}"} 2`
	if !strings.Contains(metrics, want) {
		t.Fatalf("metrics lack %s:\n%s", want, metrics)
	}
	if strings.Contains(metrics, "/api/v1/things/42") {
		t.Fatal("metrics label raw paths")
	}
}

// TestGracefulShutdown: a request in flight when shutdown starts still
// gets its answer.
func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "finished")
	})
	s := New("127.0.0.1:0", Deps{API: api, Registry: prometheus.NewRegistry(), Log: slog.New(slog.DiscardHandler)})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	got := make(chan string, 1)
	go func() {
		r, err := http.Get("http://" + s.Addr() + "/api/v1/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		got <- string(b)
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if body := <-got; body != "finished" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve after shutdown: %v", err)
	}
}
