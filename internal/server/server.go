// Package server composes Herald's HTTP surface: the API under /api/v1, the
// portal at /, health probes and Prometheus metrics, with request logging,
// panic recovery and graceful shutdown.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Deps are the handlers and probes the server composes.
type Deps struct {
	API      http.Handler                // mounted at /api/v1/
	Portal   http.Handler                // mounted at /; nil on worker-only processes
	Public   http.Handler                // public media links, mounted at /media/public/
	Email    http.Handler                // mounted at /email/: e-mail tracking, unsubscribe, inbound mail; may be nil
	Ready    func(context.Context) error // nil error when the process can serve
	Registry *prometheus.Registry        // served at /metrics
	Log      *slog.Logger
}

// Server is Herald's HTTP server.
type Server struct {
	http *http.Server
	ln   net.Listener
	log  *slog.Logger
	done chan error
}

// New returns a server for addr; call Listen then Serve.
func New(addr string, d Deps) *Server {
	m := newMetrics(d.Registry)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeHealth(w, http.StatusOK, "ok", "")
	})
	mux.HandleFunc("GET /readyz", readyz(d.Ready))
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{}))
	if d.API != nil {
		mux.Handle("/api/v1/", d.API)
	}
	if d.Portal != nil {
		mux.Handle("/", d.Portal)
	}
	if d.Public != nil {
		mux.Handle("/media/public/", d.Public)
	}
	if d.Email != nil {
		mux.Handle("/email/", d.Email)
	}
	h := recoverPanics(d.Log, m.instrument(logRequests(d.Log, securityHeaders(mux))))
	return &Server{
		http: &http.Server{
			Addr:              addr,
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       5 * time.Minute, // uploads of large files
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(d.Log.Handler(), slog.LevelWarn),
		},
		log:  d.Log,
		done: make(chan error, 1),
	}
}

// Listen opens the listening socket, so that Addr is known before Serve.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.http.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.http.Addr, err)
	}
	s.ln = ln
	return nil
}

// Addr returns the address the server listens on (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve serves until Shutdown; it returns nil after a clean shutdown.
func (s *Server) Serve() error {
	err := s.http.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("serving HTTP: %w", err)
}

// Shutdown stops accepting connections and waits for requests in flight
// until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutting down HTTP: %w", err)
	}
	return nil
}

// readyz answers 200 when the process can serve and 503 with the reason
// otherwise.
func readyz(ready func(context.Context) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if ready != nil {
			if err := ready(ctx); err != nil {
				writeHealth(w, http.StatusServiceUnavailable, "unavailable", err.Error())
				return
			}
		}
		writeHealth(w, http.StatusOK, "ok", "")
	}
}

func writeHealth(w http.ResponseWriter, status int, state, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": state, "reason": reason})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming answers (exports, server-sent events) through.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one structured line per request.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
			level = slog.LevelDebug
		}
		log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start),
			"remote", r.RemoteAddr)
	})
}

// recoverPanics turns a panic in a handler into a logged 500.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "Internal error.", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets headers every answer should carry.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
