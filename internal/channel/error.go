package channel

import (
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// Class says what to do about a failed submission.
type Class int

// Error classes.
const (
	// ClassRetryable: a passing problem (timeout, throttling, provider
	// outage); submit again after a backoff.
	ClassRetryable Class = iota
	// ClassPermanent: the provider refused this message (bad number, not
	// capable, content refused); it fails, and a chain moves on.
	ClassPermanent
	// ClassMisconfigured: the connection is wrong (credentials, URL); the
	// message fails with a connection error the system owner must fix.
	ClassMisconfigured
)

// String names the class.
func (c Class) String() string {
	switch c {
	case ClassPermanent:
		return "permanent"
	case ClassMisconfigured:
		return "misconfigured"
	}
	return "retryable"
}

// Error is a classified submission error.
type Error struct {
	Class        Class
	Detail       herald.StatusDetail // what the message's status event says; zero for the class's default
	ProviderCode string              // the provider's raw code
	Err          error               // the cause, for logs
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Class.String() + " send error"
	if e.ProviderCode != "" {
		msg += " (provider code " + e.ProviderCode + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Retryable wraps err as a retryable error.
func Retryable(err error, providerCode string) *Error {
	return &Error{Class: ClassRetryable, ProviderCode: providerCode, Err: err}
}

// Permanent wraps err as a permanent error with detail (zero for
// herald.DetailProviderError).
func Permanent(err error, detail herald.StatusDetail, providerCode string) *Error {
	return &Error{Class: ClassPermanent, Detail: detail, ProviderCode: providerCode, Err: err}
}

// Misconfigured wraps err as a connection configuration error.
func Misconfigured(err error) *Error {
	return &Error{Class: ClassMisconfigured, Err: err}
}

// Classify returns err as an *Error: classified errors as they are, any
// other error as retryable (networks fail for passing reasons more often
// than not).
func Classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Retryable(err, "")
}

// StatusDetail returns the detail a failed message gets for e.
func (e *Error) StatusDetail() herald.StatusDetail {
	switch {
	case e.Detail.Code != 0:
		return e.Detail
	case e.Class == ClassMisconfigured:
		return herald.DetailMisconfigured
	case e.Class == ClassPermanent:
		return herald.DetailProviderError
	}
	return herald.DetailRetrying
}

// Message returns the text stored as the message's error: the detail and
// the cause, without secrets (connectors must not put secrets in errors).
func (e *Error) Message() string {
	if e.Err == nil {
		return e.StatusDetail().Description
	}
	return fmt.Sprintf("%s %s", e.StatusDetail().Description, e.Err.Error())
}
