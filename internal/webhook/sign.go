package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Request headers of a webhook.
const (
	HeaderSignature = "Herald-Signature"  // t=<unix seconds>,n=<nonce>,v1=<hex HMAC-SHA256>
	HeaderEventType = "Herald-Event-Type" // the event type, or "batch"
	HeaderEventID   = "Herald-Event-Id"   // the event ID (the first one of a batch)
	HeaderCount     = "Herald-Event-Count"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// NewSecret returns a new random signing secret.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating webhook secret: %w", err)
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// newNonce returns a random nonce of 16 hex characters.
func newNonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	return hex.EncodeToString(b)
}

// mac returns the hex HMAC-SHA256 of "timestamp.nonce.body" under secret.
func mac(secret string, ts int64, nonce string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(strconv.FormatInt(ts, 10)))
	h.Write([]byte{'.'})
	h.Write([]byte(nonce))
	h.Write([]byte{'.'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Sign returns the Herald-Signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts, nonce := t.Unix(), newNonce()
	return "t=" + strconv.FormatInt(ts, 10) + ",n=" + nonce + ",v1=" + mac(secret, ts, nonce, body)
}

// Verification errors.
var (
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrTooOld       = errors.New("webhook: signature timestamp outside the tolerance")
	ErrMalformed    = errors.New("webhook: malformed signature header")
)

// Verify checks a Herald-Signature header against body: the HMAC must
// match and the timestamp be within tolerance of now. Receivers should
// also refuse a nonce they have seen within the tolerance.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts int64
	var nonce string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformed
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return ErrMalformed
			}
			ts = n
		case "n":
			nonce = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if ts == 0 || nonce == "" || len(sigs) == 0 {
		return ErrMalformed
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrTooOld
	}
	want := mac(secret, ts, nonce, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
