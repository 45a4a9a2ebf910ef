// Package problem turns Herald errors into HTTP: the one place where error
// codes become status codes, and the application/problem+json (RFC 9457)
// body the API answers with.
package problem

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/heraldhq/herald"
)

// Status returns the HTTP status for a herald error code.
func Status(code string) int {
	switch code {
	case "":
		return http.StatusOK
	case herald.EINVALID:
		return http.StatusUnprocessableEntity
	case herald.ENOTFOUND:
		return http.StatusNotFound
	case herald.ECONFLICT:
		return http.StatusConflict
	case herald.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case herald.EFORBIDDEN:
		return http.StatusForbidden
	case herald.ERATELIMIT:
		return http.StatusTooManyRequests
	case herald.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case herald.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case CodeBadRequest:
		return http.StatusBadRequest
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	}
	return http.StatusInternalServerError
}

// Codes of transport-level problems that the domain does not know.
const (
	CodeBadRequest       = "bad_request"        // the body is not valid JSON
	CodeMethodNotAllowed = "method_not_allowed" // the path exists, the method does not
	CodeUnsupportedMedia = "unsupported_media_type"
)

// Problem is the body of an error answer.
type Problem struct {
	Type       string             `json:"type"`
	Title      string             `json:"title"`
	Status     int                `json:"status"`
	Code       string             `json:"code"`
	Detail     string             `json:"detail"`
	Instance   string             `json:"instance,omitempty"`
	Violations []herald.Violation `json:"violations,omitempty"`
}

// From builds the problem for err. Internal errors say only "Internal error.".
func From(err error) Problem {
	code := herald.ErrorCode(err)
	st := Status(code)
	return Problem{
		Type:       "https://herald.dev/problems/" + code,
		Title:      http.StatusText(st),
		Status:     st,
		Code:       code,
		Detail:     herald.ErrorMessage(err),
		Violations: herald.ErrorViolations(err),
	}
}

// Write answers r with the problem for err, and logs internal errors with
// the request.
func Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := From(err)
	p.Instance = r.URL.Path
	if p.Status >= 500 && log != nil {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
