package smtp

import (
	"crypto"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
)

// Keys of an SMTP connection's secrets.
const (
	SecretUsername = "username" // the SMTP AUTH user; may be in settings instead
	SecretPassword = "password" // the SMTP AUTH password
	SecretDKIMKey  = "dkimKey"  // the DKIM private key, PEM (RSA or Ed25519)
)

// TLS modes of a connection.
const (
	TLSStartTLS      = "starttls"      // plain connection upgraded with STARTTLS, required (default)
	TLSImplicit      = "tls"           // TLS from the first byte (port 465)
	TLSOpportunistic = "opportunistic" // STARTTLS when the server offers it
	TLSNone          = "none"          // never encrypted: loopback relays and tests only
)

// Authentication mechanisms.
const (
	AuthNone    = "none"
	AuthPlain   = "plain"
	AuthLogin   = "login"
	AuthCRAMMD5 = "cram-md5"
)

// Unsubscribe scopes: what one-click unsubscribe opts the contact out of.
const (
	ScopeSender  = "sender"  // the sender ID the e-mail came from (default)
	ScopeChannel = "channel" // every e-mail of the account
)

// Settings configure one SMTP connection (its Connection.Settings). The
// password and the DKIM key are secrets; the connection's throughput (TPS)
// is its messages per second.
type Settings struct {
	Host string `json:"host"`
	Port int    `json:"port"` // default 587, or 465 with TLS "tls"
	// TLS is starttls (default), tls, opportunistic or none; TLSInsecure
	// skips the certificate check (self-signed test servers).
	TLS         string `json:"tls,omitempty"`
	TLSInsecure bool   `json:"tlsInsecure,omitempty"`
	// Auth is none (default when there is no password), plain, login or
	// cram-md5; Username may also be the secret "username".
	Auth     string `json:"auth,omitempty"`
	Username string `json:"username,omitempty"`
	// Helo is the name sent in EHLO; default "localhost".
	Helo string `json:"helo,omitempty"`
	// PoolSize is how many connections are kept open and used at once;
	// default 4.
	PoolSize int `json:"poolSize,omitempty"`
	// IdleTimeout closes a pooled connection unused this long; default 30 s.
	IdleTimeout channel.Duration `json:"idleTimeout,omitempty"`
	// Timeout bounds dialing and each command; default 30 s.
	Timeout channel.Duration `json:"timeout,omitempty"`
	// BounceAddress is the envelope sender (Return-Path). With VERP
	// (default on) each message's envelope sender is
	// local+<message>-<signature>@domain, so that a bounce names its
	// message. Empty: the From address, without VERP.
	BounceAddress string `json:"bounceAddress,omitempty"`
	VERP          *bool  `json:"verp,omitempty"`
	// FromName is the display name of every sender ID; FromNames overrides
	// it per sender ID (by address, any case).
	FromName  string            `json:"fromName,omitempty"`
	FromNames map[string]string `json:"fromNames,omitempty"`
	// ReplyTo is an address replies go to instead of the From address.
	ReplyTo string `json:"replyTo,omitempty"`
	// MessageIDDomain is the right side of Message-IDs; default the From
	// address's domain.
	MessageIDDomain string `json:"messageIdDomain,omitempty"`
	// DKIMDomain and DKIMSelector sign every message when the secret
	// dkimKey is set; DKIMDomain defaults to the From address's domain.
	DKIMDomain   string `json:"dkimDomain,omitempty"`
	DKIMSelector string `json:"dkimSelector,omitempty"`
	// Tracking: TrackOpens adds an open pixel to HTML parts, TrackClicks
	// rewrites their links through signed redirects (both default on), and
	// Unsubscribe adds List-Unsubscribe headers and a link (default on);
	// UnsubscribeScope is sender (default) or channel.
	TrackOpens       *bool  `json:"trackOpens,omitempty"`
	TrackClicks      *bool  `json:"trackClicks,omitempty"`
	Unsubscribe      *bool  `json:"unsubscribe,omitempty"`
	UnsubscribeScope string `json:"unsubscribeScope,omitempty"`
}

// on reads an optional switch that defaults to on.
func on(b *bool) bool { return b == nil || *b }

// ParseSettings reads and checks a connection's settings and fills the
// defaults. The error is EINVALID naming each bad field "settings.<key>".
func ParseSettings(raw json.RawMessage) (Settings, error) {
	var s Settings
	if err := channel.DecodeSettings(raw, &s); err != nil {
		var vs herald.Violations
		vs.Add("settings", herald.VFormat, "The SMTP settings cannot be read: %s.", err.Error())
		return s, fmt.Errorf("reading smtp settings: %w", vs.Err())
	}
	s.fill()
	if err := s.check().Err(); err != nil {
		return s, fmt.Errorf("checking smtp settings: %w", err)
	}
	return s, nil
}

// fill sets the defaults of zero fields.
func (s *Settings) fill() {
	s.Host = strings.TrimSpace(s.Host)
	s.TLS = strings.ToLower(strings.TrimSpace(s.TLS))
	s.Auth = strings.ToLower(strings.TrimSpace(s.Auth))
	if s.TLS == "" {
		s.TLS = TLSStartTLS
	}
	if s.Port == 0 {
		s.Port = 587
		if s.TLS == TLSImplicit {
			s.Port = 465
		}
	}
	if s.Helo == "" {
		s.Helo = "localhost"
	}
	if s.PoolSize == 0 {
		s.PoolSize = 4
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = channel.Duration(30 * time.Second)
	}
	if s.Timeout == 0 {
		s.Timeout = channel.Duration(30 * time.Second)
	}
	if s.UnsubscribeScope == "" {
		s.UnsubscribeScope = ScopeSender
	}
}

// check returns the settings' violations.
func (s *Settings) check() herald.Violations {
	var vs herald.Violations
	if s.Host == "" {
		vs.Add("settings.host", herald.VRequired, "The SMTP server's host is required.")
	}
	if s.Port < 1 || s.Port > 65535 {
		vs.Add("settings.port", herald.VRange, "The port is from 1 to 65535.")
	}
	switch s.TLS {
	case TLSStartTLS, TLSImplicit, TLSOpportunistic, TLSNone:
	default:
		vs.Add("settings.tls", herald.VUnknown, "TLS is starttls, tls, opportunistic or none.")
	}
	switch s.Auth {
	case "", AuthNone, AuthPlain, AuthLogin, AuthCRAMMD5:
	default:
		vs.Add("settings.auth", herald.VUnknown, "Authentication is none, plain, login or cram-md5.")
	}
	if s.PoolSize < 1 || s.PoolSize > 100 {
		vs.Add("settings.poolSize", herald.VRange, "The pool has 1 to 100 connections.")
	}
	if s.IdleTimeout < 0 || s.Timeout < 0 {
		vs.Add("settings.timeout", herald.VRange, "Timeouts cannot be negative.")
	}
	if s.BounceAddress != "" {
		if local, _, ok := splitAddress(s.BounceAddress); !ok {
			vs.Add("settings.bounceAddress", herald.VFormat, "%q is not an e-mail address.", s.BounceAddress)
		} else if len(local) > 20 && s.verp() {
			vs.Add("settings.bounceAddress", herald.VTooLong, "With VERP the bounce address's local part is at most 20 characters.")
		}
	}
	if s.ReplyTo != "" {
		if _, _, ok := splitAddress(s.ReplyTo); !ok {
			vs.Add("settings.replyTo", herald.VFormat, "%q is not an e-mail address.", s.ReplyTo)
		}
	}
	if s.UnsubscribeScope != ScopeSender && s.UnsubscribeScope != ScopeChannel {
		vs.Add("settings.unsubscribeScope", herald.VUnknown, "The unsubscribe scope is sender or channel.")
	}
	if strings.ContainsAny(s.FromName, "\r\n") {
		vs.Add("settings.fromName", herald.VFormat, "The from name must be one line.")
	}
	return vs
}

// verp reports whether envelope senders carry the message.
func (s *Settings) verp() bool { return s.BounceAddress != "" && on(s.VERP) }

// fromName returns the display name of sender ID addr.
func (s *Settings) fromName(addr string) string {
	for k, v := range s.FromNames {
		if strings.EqualFold(k, addr) {
			return v
		}
	}
	return s.FromName
}

// splitAddress returns the local part and domain of a bare address.
func splitAddress(addr string) (local, domain string, ok bool) {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(addr) {
		return "", "", false
	}
	i := strings.LastIndexByte(a.Address, '@')
	return a.Address[:i], a.Address[i+1:], true
}

// authType returns go-mail's mechanism for the settings: the plain-text
// variants when TLS is off on purpose.
func (s *Settings) authType(hasPassword bool) gomail.SMTPAuthType {
	noTLS := s.TLS == TLSNone || s.TLS == TLSOpportunistic
	switch s.Auth {
	case AuthPlain:
		if noTLS {
			return gomail.SMTPAuthPlainNoEnc
		}
		return gomail.SMTPAuthPlain
	case AuthLogin:
		if noTLS {
			return gomail.SMTPAuthLoginNoEnc
		}
		return gomail.SMTPAuthLogin
	case AuthCRAMMD5:
		return gomail.SMTPAuthCramMD5
	case "":
		if hasPassword {
			return gomail.SMTPAuthPlain
		}
	}
	return gomail.SMTPAuthNoAuth
}

// dkimKey parses the PEM key of the secret dkimKey; nil when there is none.
func dkimKey(secrets map[string]string) (crypto.Signer, error) {
	pem := strings.TrimSpace(secrets[SecretDKIMKey])
	if pem == "" {
		return nil, nil
	}
	// Secrets typed into the portal's key=value lines carry "\n" escapes.
	pem = strings.ReplaceAll(pem, `\n`, "\n")
	k, err := gomail.PrivKeyFromPEM([]byte(pem))
	if err != nil {
		var vs herald.Violations
		vs.Add("secrets.dkimKey", herald.VFormat, "The DKIM key is not a PEM RSA or Ed25519 private key.")
		return nil, fmt.Errorf("reading the DKIM key: %w", vs.Err())
	}
	return k, nil
}
