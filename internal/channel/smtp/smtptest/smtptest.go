// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// on loopback for tests: it can require TLS (STARTTLS or implicit) and
// authentication (PLAIN, LOGIN, CRAM-MD5), refuse recipients with any
// reply, limit the message size, and it keeps every message it accepts.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// Users, when set, requires authentication with one of these user
	// names and passwords, by PLAIN, LOGIN or CRAM-MD5.
	Users map[string]string
	// STARTTLS offers STARTTLS with a self-signed certificate; Implicit
	// speaks TLS from the first byte.
	STARTTLS, Implicit bool
	// MaxSize refuses larger messages (552); 0 for no limit.
	MaxSize int64
	// Reply, when set, answers RCPT TO: a non-nil error refuses it.
	Reply func(rcpt string) *gosmtp.SMTPError
	// Discard keeps no messages, only counts them (benchmarks).
	Discard bool
}

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running test SMTP server.
type Server struct {
	Addr string
	opts Options
	srv  *gosmtp.Server

	mu       sync.Mutex
	msgs     []Message
	count    int
	sessions int
	notify   chan struct{}
}

// Start runs a server on 127.0.0.1 until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Listen(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Listen runs a server on 127.0.0.1 until Close.
func Listen(opts Options) (*Server, error) {
	s := &Server{opts: opts, notify: make(chan struct{}, 1)}
	srv := gosmtp.NewServer(s)
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = opts.MaxSize
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.ErrorLog = quietLog{}
	var ln net.Listener
	var err error
	if opts.STARTTLS || opts.Implicit {
		cfg, cerr := SelfSigned()
		if cerr != nil {
			return nil, cerr
		}
		srv.TLSConfig = cfg
	}
	if opts.Implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return nil, fmt.Errorf("smtptest: listening: %w", err)
	}
	s.Addr, s.srv = ln.Addr().String(), srv
	ln = &countingListener{Listener: ln, s: s}
	go func() { _ = srv.Serve(ln) }()
	return s, nil
}

// quietLog drops go-smtp's error log (closed connections at the end of a
// test).
type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Host and Port split Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

// Port returns the listening port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	var n int
	fmt.Sscan(p, &n)
	return n
}

// Messages returns the accepted messages so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count returns how many messages were accepted.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Sessions returns how many connections the server has accepted.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Wait waits until n messages were accepted or timeout passes, and
// returns the messages.
func (s *Server) Wait(n int, timeout time.Duration) []Message {
	deadline := time.Now().Add(timeout)
	for s.Count() < n && time.Now().Before(deadline) {
		select {
		case <-s.notify:
		case <-time.After(20 * time.Millisecond):
		}
	}
	return s.Messages()
}

// countingListener counts the connections a server accepts.
type countingListener struct {
	net.Listener
	s *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.s.mu.Lock()
		l.s.sessions++
		l.s.mu.Unlock()
	}
	return c, err
}

// NewSession implements gosmtp.Backend.
func (s *Server) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &session{srv: s}, nil
}

// session is one SMTP connection's transaction state.
type session struct {
	srv    *Server
	authed bool
	from   string
	to     []string
}

var _ gosmtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if ss.srv.opts.Users == nil {
		return nil
	}
	return []string{sasl.Plain, sasl.Login, "CRAM-MD5"}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	users := ss.srv.opts.Users
	check := func(user, pass string) error {
		if want, ok := users[user]; !ok || want != pass {
			return gosmtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "CRAM-MD5":
		return &cramServer{users: users, done: func() { ss.authed = true }}, nil
	}
	return nil, gosmtp.ErrAuthUnknownMechanism
}

func (ss *session) needAuth() error {
	if ss.srv.opts.Users != nil && !ss.authed {
		return gosmtp.ErrAuthRequired
	}
	return nil
}

func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if err := ss.needAuth(); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if err := ss.needAuth(); err != nil {
		return err
	}
	if f := ss.srv.opts.Reply; f != nil {
		if e := f(to); e != nil {
			return e
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	s := ss.srv
	s.mu.Lock()
	s.count++
	if !s.opts.Discard {
		s.msgs = append(s.msgs, Message{From: ss.from, To: ss.to, Data: buf.Bytes()})
	}
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check(l.user, string(resp))
}

// cramServer is the server side of AUTH CRAM-MD5 (RFC 2195).
type cramServer struct {
	users     map[string]string
	done      func()
	challenge []byte
}

func (c *cramServer) Next(resp []byte) ([]byte, bool, error) {
	if c.challenge == nil {
		c.challenge = fmt.Appendf(nil, "<%d.%d@mx.test>", time.Now().UnixNano(), len(c.users))
		return c.challenge, false, nil
	}
	user, digest, ok := strings.Cut(string(resp), " ")
	pass, known := c.users[user]
	if !ok || !known {
		return nil, true, gosmtp.ErrAuthFailed
	}
	m := hmac.New(md5.New, []byte(pass))
	m.Write(c.challenge)
	if !hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(digest)) {
		return nil, true, gosmtp.ErrAuthFailed
	}
	c.done()
	return nil, true, nil
}

// SelfSigned returns a TLS configuration with a new self-signed
// certificate for 127.0.0.1 and localhost.
func SelfSigned() (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost", "mx.test"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, errors.Join(errors.New("smtptest: creating a certificate"), err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, nil
}
