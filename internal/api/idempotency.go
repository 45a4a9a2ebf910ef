package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/problem"
)

// abandonAfter is how long a reserved Idempotency-Key may stay without an
// answer before another request may take it over (its process died).
const abandonAfter = time.Minute

// idempotent runs a create at most once per Idempotency-Key. The key is
// reserved before the handler runs, so two concurrent requests with one key
// cannot both create: the second gets 409 while the first runs. A repeat of
// the same request then gets the first answer again (with
// Idempotent-Replayed: true); the same key with another request is a
// conflict. Answers of 5xx are not kept, so a failed attempt can be retried
// with the same key.
func (h *Handler) idempotent(w http.ResponseWriter, r *http.Request, c *call, rt Route) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		problem.Write(w, r, h.deps.Log, herald.Violations{{Field: "Idempotency-Key", Code: herald.VTooLong, Message: "Idempotency-Key must be at most 255 characters."}}.Err())
		return
	}
	fp, err := fingerprint(r, rt.Stream)
	if err != nil {
		problem.Write(w, r, h.deps.Log, err)
		return
	}
	res := &herald.IdempotentResult{AccountID: c.key.AccountID, Key: key, Fingerprint: fp, CreatedAt: h.deps.Clock.Now()}

	if replayed, err := h.reserve(r, res); err != nil || replayed != nil {
		if err != nil {
			problem.Write(w, r, h.deps.Log, err)
			return
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Content-Type", contentTypeFor(replayed.Status))
		w.WriteHeader(replayed.Status)
		_, _ = w.Write(replayed.Body)
		return
	}

	rec := &recorder{header: http.Header{}, Code: http.StatusOK}
	if err := rt.handle(rec, r, c); err != nil {
		problem.Write(rec, r, h.deps.Log, err)
	}
	res.Status, res.Body = rec.Code, rec.Body.Bytes()
	if rec.Code < 500 {
		err = h.deps.Store.CompleteIdempotentResult(r.Context(), res)
	} else {
		err = h.deps.Store.DeleteIdempotentResult(r.Context(), res.AccountID, key)
	}
	if err != nil {
		h.deps.Log.Warn("saving idempotent result", "err", err)
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// fingerprint identifies a request for its Idempotency-Key: the method,
// path and body. An upload (stream) is not read ahead: its fingerprint is
// the method, path, query, media type and, outside multipart bodies, the
// declared length, so that a repeat is answered from the first answer
// without its body being read again.
func fingerprint(r *http.Request, stream bool) (string, error) {
	var sum [sha256.Size]byte
	if stream {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		length := ""
		if mt != "multipart/form-data" {
			length = strconv.FormatInt(r.ContentLength, 10)
		}
		sum = sha256.Sum256([]byte(r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery + "\n" + mt + "\n" + length))
		return hex.EncodeToString(sum[:]), nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return "", herald.Errorf(problem.CodeBadRequest, "Could not read the request body.")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum = sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	return hex.EncodeToString(sum[:]), nil
}

// reserve takes the key for res. When the key is taken it returns the saved
// answer to replay, or an error: ECONFLICT for another request or one still
// running.
func (h *Handler) reserve(r *http.Request, res *herald.IdempotentResult) (*herald.IdempotentResult, error) {
	ctx := r.Context()
	for attempt := 0; ; attempt++ {
		err := h.deps.Store.SaveIdempotentResult(ctx, res)
		if err == nil {
			return nil, nil
		} else if herald.ErrorCode(err) != herald.ECONFLICT {
			return nil, err
		}
		prev, err := h.deps.Store.IdempotentResult(ctx, res.AccountID, res.Key)
		if herald.IsNotFound(err) && attempt == 0 {
			continue // deleted meanwhile: take it
		} else if err != nil {
			return nil, err
		}
		switch {
		case prev.Fingerprint != res.Fingerprint:
			return nil, herald.Errorf(herald.ECONFLICT, "This Idempotency-Key was used for a different request.")
		case prev.Status != 0:
			return prev, nil
		case attempt == 0 && h.deps.Clock.Now().Sub(prev.CreatedAt) > abandonAfter:
			if err := h.deps.Store.DeleteIdempotentResult(ctx, res.AccountID, res.Key); err != nil {
				return nil, err
			}
		default:
			return nil, herald.Errorf(herald.ECONFLICT, "A request with this Idempotency-Key is still being processed; retry shortly.")
		}
	}
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
