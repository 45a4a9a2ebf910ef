package smtp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"hash"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Signer signs what Herald puts in e-mails so that it cannot be forged:
// the tokens of the tracking pixel, tracked links and unsubscribe links,
// VERP bounce addresses and Message-IDs. It holds a key derived from the
// server's key, the same in every process. It is safe for concurrent use.
type Signer struct {
	key  []byte
	macs sync.Pool // keyed HMAC-SHA256 states, reset between uses
}

// NewSigner returns a Signer with key (32 bytes from secret.Derive).
func NewSigner(key []byte) *Signer {
	s := &Signer{key: append([]byte(nil), key...)}
	s.macs.New = func() any { return hmac.New(sha256.New, s.key) }
	return s
}

// Link kinds, the first field of a token.
const (
	linkOpen        = "o"
	linkClick       = "c"
	linkUnsubscribe = "u"
	linkInbound     = "i"
)

// mac returns the HMAC-SHA256 of parts joined with NUL. Tracked links
// take one per link, so the keyed states are pooled.
func (s *Signer) mac(parts ...string) []byte {
	h := s.macs.Get().(hash.Hash)
	h.Reset()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		io.WriteString(h, p)
	}
	sum := h.Sum(make([]byte, 0, sha256.Size))
	s.macs.Put(h)
	return sum
}

// token returns the signed token of a link of kind for a message:
// "<account>.<message>.<signature>", where extra (a URL, a scope) is
// covered by the signature but carried elsewhere.
func (s *Signer) token(kind string, account int64, message, extra string) string {
	return string(s.appendToken(make([]byte, 0, 64+len(message)+len(kind)+len(extra)), kind, account, message, extra))
}

// appendToken appends token's result to buf. It writes the signed input
// after buf's end, in the space the token then takes, so that it does not
// allocate.
func (s *Signer) appendToken(buf []byte, kind string, account int64, message, extra string) []byte {
	n := len(buf)
	buf = strconv.AppendInt(buf, account, 36)
	acc := len(buf)
	buf = append(buf, 0)
	buf = append(buf, kind...)
	buf = append(buf, 0)
	buf = append(buf, buf[n:acc]...)
	buf = append(buf, 0)
	buf = append(buf, message...)
	buf = append(buf, 0)
	buf = append(buf, extra...)
	h := s.macs.Get().(hash.Hash)
	h.Reset()
	h.Write(buf[acc+1:])
	end := len(buf)
	buf = h.Sum(buf) // in buf's spare room: a sum of its own would escape to the heap
	s.macs.Put(h)
	var sum [16]byte
	copy(sum[:], buf[end:])
	buf = append(buf[:acc], '.')
	buf = append(buf, message...)
	buf = append(buf, '.')
	return base64.RawURLEncoding.AppendEncode(buf, sum[:16])
}

// parseToken checks a token of kind with extra and returns its account and
// message; ok is false for a malformed or forged token.
func (s *Signer) parseToken(kind, tok, extra string) (account int64, message string, ok bool) {
	acc, rest, ok1 := strings.Cut(tok, ".")
	message, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return 0, "", false
	}
	want := base64.RawURLEncoding.EncodeToString(s.mac(kind, acc, message, extra)[:16])
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return 0, "", false
	}
	account, err := strconv.ParseInt(acc, 36, 64)
	return account, message, err == nil && account > 0
}

// lower32 is base32 without padding in lower case: mail systems may fold
// the case of local parts.
var lower32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// short returns an 8-character signature (40 bits) of message for use.
func (s *Signer) short(use, message string) string {
	// mac(use, message) with one buffer for the input and the sum: VERP
	// addresses and Message-IDs take one each per e-mail.
	buf := make([]byte, 0, len(use)+1+len(message)+sha256.Size)
	buf = append(append(append(buf, use...), 0), message...)
	h := s.macs.Get().(hash.Hash)
	h.Reset()
	h.Write(buf)
	buf = h.Sum(buf)
	s.macs.Put(h)
	var sum [5]byte
	copy(sum[:], buf[len(buf)-sha256.Size:])
	var enc [8]byte
	lower32.Encode(enc[:], sum[:])
	return string(enc[:])
}

// compactID returns a message ID (a UUID) without its dashes.
func compactID(id string) string { return strings.ReplaceAll(id, "-", "") }

// expandID puts the dashes back into a compact UUID; ok is false when c is
// not 32 lower-case hex digits.
func expandID(c string) (string, bool) {
	if len(c) != 32 {
		return "", false
	}
	for i := 0; i < len(c); i++ {
		if !(c[i] >= '0' && c[i] <= '9' || c[i] >= 'a' && c[i] <= 'f') {
			return "", false
		}
	}
	return c[:8] + "-" + c[8:12] + "-" + c[12:16] + "-" + c[16:20] + "-" + c[20:], true
}

// VERP returns the envelope sender of message under bounce address
// bounce (local@domain): local+<message>-<signature>@domain.
func (s *Signer) VERP(bounce, message string) string {
	i := strings.LastIndexByte(bounce, '@')
	if i < 0 {
		return bounce
	}
	id := compactID(message)
	return bounce[:i] + "+" + id + "-" + s.short("verp", id) + bounce[i:]
}

// ParseVERP returns the message of a VERP address; ok is false when addr is
// none or its signature is wrong.
func (s *Signer) ParseVERP(addr string) (message string, ok bool) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", false
	}
	local := strings.ToLower(addr[:at])
	plus := strings.LastIndexByte(local, '+')
	if plus < 0 {
		return "", false
	}
	id, sig, found := strings.Cut(local[plus+1:], "-")
	if !found || !hmac.Equal([]byte(sig), []byte(s.short("verp", id))) {
		return "", false
	}
	return expandID(id)
}

// MessageID returns the Message-ID header value of message, with angle
// brackets: <message.signature@domain>.
func (s *Signer) MessageID(message, domain string) string {
	return "<" + message + "." + s.short("msgid", message) + "@" + domain + ">"
}

// ParseMessageID returns the message of a Message-ID that MessageID made;
// ok is false for any other.
func (s *Signer) ParseMessageID(v string) (message string, ok bool) {
	v = strings.TrimSpace(v)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	left, _, found := strings.Cut(v, "@")
	if !found {
		return "", false
	}
	dot := strings.LastIndexByte(left, '.')
	if dot < 0 {
		return "", false
	}
	message, sig := strings.ToLower(left[:dot]), strings.ToLower(left[dot+1:])
	if !hmac.Equal([]byte(sig), []byte(s.short("msgid", message))) {
		return "", false
	}
	if _, ok := expandID(compactID(message)); !ok {
		return "", false
	}
	return message, true
}

// InboundToken returns the token of the inbound mail webhook.
func (s *Signer) InboundToken() string {
	return base64.RawURLEncoding.EncodeToString(s.mac(linkInbound, "inbound mail")[:16])
}

// checkInbound reports whether tok is the inbound mail webhook's token.
func (s *Signer) checkInbound(tok string) bool {
	return hmac.Equal([]byte(tok), []byte(s.InboundToken()))
}
