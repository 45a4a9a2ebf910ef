package herald

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. They are stable: API clients match on them, and the HTTP layer
// maps each to a status code in exactly one place.
const (
	EINVALID      = "invalid"      // the input breaks a rule; Violations say which
	ENOTFOUND     = "not_found"    // no such object in the caller's account
	ECONFLICT     = "conflict"     // the object exists already or changed meanwhile
	EUNAUTHORIZED = "unauthorized" // no or wrong credentials
	EFORBIDDEN    = "forbidden"    // credentials fine, permission missing
	ERATELIMIT    = "rate_limited" // too many attempts; retry later
	EINTERNAL     = "internal"     // a bug or an outage; details are logged, not shown
	EUNAVAILABLE  = "unavailable"  // a dependency is down; retry later
	ETOOLARGE     = "too_large"    // the request body or file is over its limit
)

// Error is a domain error with a stable code, a message safe to show to the
// user and, for EINVALID, the fields that were wrong.
type Error struct {
	Code       string
	Message    string
	Violations []Violation
}

// Violation names one field that broke a rule. Field uses the JSON name of the
// field in the API (dotted for nested fields, for example "webhook.url").
type Violation struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Violations) == 0 {
		return fmt.Sprintf("herald error: code=%s message=%s", e.Code, e.Message)
	}
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Message
	}
	return fmt.Sprintf("herald error: code=%s message=%s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Internal errors never
// leak their text: they read "Internal error.".
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorViolations returns the field violations carried by err, if any.
func ErrorViolations(err error) []Violation {
	var e *Error
	if errors.As(err, &e) {
		return e.Violations
	}
	return nil
}

// IsNotFound reports whether err is an ENOTFOUND error.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }

// Violations collects field violations while validating an input. The zero
// value is ready to use.
type Violations []Violation

// Add records a violation of rule code on field.
func (vs *Violations) Add(field, code, format string, args ...any) {
	*vs = append(*vs, Violation{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Has reports whether field already has a violation.
func (vs Violations) Has(field string) bool {
	for _, v := range vs {
		if v.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when there are no violations and an EINVALID *Error
// carrying them otherwise.
func (vs Violations) Err() error {
	if len(vs) == 0 {
		return nil
	}
	msg := "The request has invalid fields."
	if len(vs) == 1 {
		msg = vs[0].Message
	}
	return &Error{Code: EINVALID, Message: msg, Violations: vs}
}

// Violation codes used across validators, so clients can react to a rule
// without parsing text.
const (
	VRequired = "required"
	VTooLong  = "too_long"
	VTooShort = "too_short"
	VFormat   = "format"
	VTaken    = "taken"
	VUnknown  = "unknown"
	VPolicy   = "policy"
	VRange    = "range"
	VTooLarge = "too_large" // a file over its size limit
)

// CheckLen adds VRequired or VTooLong violations for a string field.
func (vs *Violations) CheckLen(field, value string, required bool, max int) {
	n := len([]rune(value))
	switch {
	case required && strings.TrimSpace(value) == "":
		vs.Add(field, VRequired, "%s is required.", fieldLabel(field))
	case n > max:
		vs.Add(field, VTooLong, "%s must be at most %d characters (it has %d).", fieldLabel(field), max, n)
	}
}

// fieldLabel turns a JSON field name such as "firstName" into "First name".
func fieldLabel(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	var b strings.Builder
	for i, r := range field {
		switch {
		case i == 0:
			b.WriteString(strings.ToUpper(string(r)))
		case r >= 'A' && r <= 'Z':
			b.WriteByte(' ')
			b.WriteString(strings.ToLower(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
