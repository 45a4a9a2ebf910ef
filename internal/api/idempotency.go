package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/problem"
)

// idempotent runs a create at most once per Idempotency-Key: a repeat of the
// same request gets the first answer again (with Idempotent-Replayed: true);
// the same key with another request is a conflict. Answers of 5xx are not
// kept, so a failed attempt can be retried with the same key.
func (h *Handler) idempotent(w http.ResponseWriter, r *http.Request, c *call, rt Route) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		problem.Write(w, r, h.deps.Log, herald.Violations{{Field: "Idempotency-Key", Code: herald.VTooLong, Message: "Idempotency-Key must be at most 255 characters."}}.Err())
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		problem.Write(w, r, h.deps.Log, herald.Errorf(problem.CodeBadRequest, "Could not read the request body."))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	fp := hex.EncodeToString(sum[:])

	prev, err := h.deps.Store.IdempotentResult(r.Context(), c.key.AccountID, key)
	switch {
	case err == nil && prev.Fingerprint != fp:
		problem.Write(w, r, h.deps.Log, herald.Errorf(herald.ECONFLICT, "This Idempotency-Key was used for a different request."))
		return
	case err == nil:
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Content-Type", contentTypeFor(prev.Status))
		w.WriteHeader(prev.Status)
		_, _ = w.Write(prev.Body)
		return
	case !herald.IsNotFound(err):
		problem.Write(w, r, h.deps.Log, err)
		return
	}

	rec := &recorder{header: http.Header{}, Code: http.StatusOK}
	if err := rt.handle(rec, r, c); err != nil {
		problem.Write(rec, r, h.deps.Log, err)
	}
	if rec.Code < 500 {
		res := &herald.IdempotentResult{AccountID: c.key.AccountID, Key: key, Fingerprint: fp, Status: rec.Code, Body: rec.Body.Bytes(), CreatedAt: h.deps.Clock.Now()}
		if err := h.deps.Store.SaveIdempotentResult(r.Context(), res); err != nil {
			h.deps.Log.Warn("saving idempotent result", "err", err)
		}
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// contentTypeFor returns the media type of a saved answer.
func contentTypeFor(status int) string {
	if status >= 400 {
		return "application/problem+json"
	}
	return "application/json"
}

// recorder keeps an answer in memory so it can be saved before it is sent.
type recorder struct {
	header http.Header
	Code   int
	Body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.Code, r.wrote = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.Body.Write(b)
}
