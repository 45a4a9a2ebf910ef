package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/internal/webhook"
)

// receiver is the customer's webhook endpoint: it verifies every signature
// and notes the first final status of each message.
type receiver struct {
	srv      *http.Server
	url      string
	secret   atomic.Value // string
	mu       sync.Mutex
	final    map[string]time.Time
	badSigs  atomic.Int64
	requests atomic.Int64
	events   atomic.Int64
	last     atomic.Int64 // Unix nanoseconds of the latest new final status
}

// finalStatus reports whether a webhook status is final for the bench:
// delivered (SMS has no read receipt) or a failure.
func finalStatus(s string) bool {
	switch s {
	case "delivered", "seen", "undelivered", "failed", "expired", "rejected", "canceled":
		return true
	}
	return false
}

// newReceiver starts a receiver on loopback.
func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{final: map[string]time.Time{}, url: "http://" + ln.Addr().String() + "/hook"}
	r.secret.Store("")
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// event is the part of an envelope the receiver reads.
type event struct {
	Type string `json:"type"`
	Data struct {
		MessageID string `json:"messageId"`
		Status    string `json:"status"`
	} `json:"data"`
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.requests.Add(1)
	secret := r.secret.Load().(string)
	if err := webhook.Verify(secret, req.Header.Get(webhook.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
		r.badSigs.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var evs []event
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		err = json.Unmarshal(body, &evs)
	} else {
		evs = make([]event, 1)
		err = json.Unmarshal(body, &evs[0])
	}
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.events.Add(int64(len(evs)))
	now := time.Now()
	r.mu.Lock()
	for _, e := range evs {
		if e.Type != "message.status" || !finalStatus(e.Data.Status) {
			continue
		}
		if _, seen := r.final[e.Data.MessageID]; !seen {
			r.final[e.Data.MessageID] = now
			r.last.Store(now.UnixNano())
		}
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// finals returns how many of ids have a final status.
func (r *receiver) finals(ids []string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, id := range ids {
		if _, ok := r.final[id]; ok {
			n++
		}
	}
	return n
}
