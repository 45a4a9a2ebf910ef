package smtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"
	mailsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
)

// Type is the connector type of SMTP connections.
const Type = herald.ConnectorSMTP

// recheck is how long a connection the server refused (authentication,
// TLS) fails messages at once before it dials again.
const recheck = 10 * time.Second

// HubConfig configures a Hub.
type HubConfig struct {
	// Signer signs tracking links, VERP addresses and Message-IDs.
	Signer *Signer
	// BaseURL is Herald's public URL, such as https://herald.example.com;
	// without it e-mails carry no tracking and no unsubscribe links.
	BaseURL string
	// Media gives attachments; without it e-mails with attachments fail.
	Media MediaSource
	Log   *slog.Logger
}

// Hub builds and tracks the SMTP connections of a process: register its
// Factory under Type, and read Health for the portal. Its methods are safe
// for concurrent use.
type Hub struct {
	signer *Signer
	media  MediaSource
	log    *slog.Logger
	base   atomic.Pointer[string] // the public base URL, without a trailing slash

	mu    sync.Mutex
	conns map[int64]*Connector
}

// NewHub returns a Hub.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	h := &Hub{signer: cfg.Signer, media: cfg.Media, log: cfg.Log, conns: map[int64]*Connector{}}
	h.SetBaseURL(cfg.BaseURL)
	return h
}

// SetBaseURL changes Herald's public URL in the links of e-mails sent from
// now on: a process that listens on a port chosen at start learns it late.
func (h *Hub) SetBaseURL(u string) {
	u = strings.TrimRight(u, "/")
	h.base.Store(&u)
}

// BaseURL returns Herald's public URL in e-mail links.
func (h *Hub) BaseURL() string { return *h.base.Load() }

// Signer returns the hub's signer.
func (h *Hub) Signer() *Signer { return h.signer }

// Factory returns the channel.Factory of SMTP connections.
func (h *Hub) Factory() channel.Factory {
	return func(conn *herald.Connection, _ channel.Sink) (channel.Connector, error) {
		return h.Open(conn)
	}
}

// Open builds the connector of conn (its secrets opened).
func (h *Hub) Open(conn *herald.Connection) (*Connector, error) {
	s, err := ParseSettings(conn.Settings)
	if err != nil {
		return nil, err
	}
	c := &Connector{hub: h, id: conn.ID, name: conn.Name, settings: s, health: Health{OK: true}}
	if c.dkimKey, err = c.dkimSigner(conn.Secrets); err != nil {
		return nil, err
	}
	if c.client, err = s.client(conn.Secrets); err != nil {
		return nil, err
	}
	c.pool = newPool(s.PoolSize, time.Duration(s.IdleTimeout), c.dial)
	return c, nil
}

// dkimSigner returns the connection's DKIM key, nil without one.
func (c *Connector) dkimSigner(secrets map[string]string) (crypto.Signer, error) {
	key, err := dkimKey(secrets)
	if err != nil || key == nil {
		return nil, err
	}
	if c.settings.DKIMSelector == "" {
		var vs herald.Violations
		vs.Add("settings.dkimSelector", herald.VRequired, "A DKIM key needs its selector.")
		return nil, vs.Err()
	}
	return key, nil
}

// client returns go-mail's client configured for the settings: it dials,
// says EHLO, starts TLS and authenticates each pooled session.
func (s *Settings) client(secrets map[string]string) (*gomail.Client, error) {
	user := s.Username
	if user == "" {
		user = secrets[SecretUsername]
	}
	pass := secrets[SecretPassword]
	tlsCfg := &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.TLSInsecure, MinVersion: tls.VersionTLS12} //nolint:gosec // an explicit setting for test servers
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(time.Duration(s.Timeout)),
		gomail.WithHELO(s.Helo), gomail.WithTLSConfig(tlsCfg), gomail.WithoutNoop(), gomail.WithoutRset(),
		gomail.WithSMTPAuth(s.authType(pass != ""))}
	switch s.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if user != "" || pass != "" {
		opts = append(opts, gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("configuring the SMTP client: %w", err)
	}
	return c, nil
}

// Health is the state of a connection as its last dial found it.
type Health struct {
	OK      bool
	Error   string    // why the server refused or could not be reached
	Since   time.Time // when the state began
	Checked time.Time // the last dial
	class   channel.Class
}

// Connector is one SMTP connection: a pool of sessions to one server.
type Connector struct {
	hub      *Hub
	id       int64
	name     string
	settings Settings
	client   *gomail.Client
	dkimKey  crypto.Signer // signs every message when set
	pool     *pool
	prep     preparedCache          // the payloads of running campaigns
	from     atomic.Pointer[sender] // the last sender ID read

	mu     sync.Mutex
	health Health
	stop   context.CancelFunc
}

var (
	_ channel.Connector = (*Connector)(nil)
	_ channel.Starter   = (*Connector)(nil)
	_ channel.Closer    = (*Connector)(nil)
)

// Start starts the idle-session reaper and checks the server in the
// background, so that the connection's health is known before the first
// message.
func (c *Connector) Start(ctx context.Context) error {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.mu.Lock()
	c.stop = cancel
	c.mu.Unlock()
	c.hub.add(c)
	go c.pool.reap(ctx, min(time.Duration(c.settings.IdleTimeout)/2+time.Millisecond, 5*time.Second))
	go func() {
		if err := c.Check(ctx); err != nil {
			c.hub.log.Warn("smtp: connection check failed", "connection", c.name, "err", err)
		}
	}()
	return nil
}

// Close ends the pooled sessions.
func (c *Connector) Close(context.Context) error {
	c.mu.Lock()
	if c.stop != nil {
		c.stop()
	}
	c.mu.Unlock()
	c.hub.remove(c)
	c.pool.close()
	return nil
}

// Check dials one session (kept in the pool) and records the
// connection's health; the error is the classified dial error.
func (c *Connector) Check(ctx context.Context) error {
	s, _, err := c.pool.get(ctx)
	if err != nil {
		return c.dialFailed(err)
	}
	c.pool.put(s, true)
	return nil
}

// dial opens one session and records the outcome in the health.
func (c *Connector) dial(ctx context.Context) (*mailsmtp.Client, error) {
	cl, err := c.client.DialToSMTPClientWithContext(ctx)
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.health.Checked = now
	if err == nil {
		if !c.health.OK {
			c.hub.log.Info("smtp: connection healthy again", "connection", c.name)
			c.health = Health{OK: true, Since: now, Checked: now}
		}
		return cl, nil
	}
	ce := classifyDial(err)
	if c.health.OK || c.health.Error != ce.Err.Error() {
		c.health = Health{Since: now, Checked: now}
		c.hub.log.Warn("smtp: connection unhealthy", "connection", c.name, "class", ce.Class, "err", ce.Err)
	}
	c.health.OK, c.health.Error, c.health.class = false, ce.Err.Error(), ce.Class
	return nil, ce
}

// Health returns the connection's state.
func (c *Connector) Health() Health {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.health
}

// gate fails a message at once while the server refuses the connection's
// configuration, for recheck after each dial.
func (c *Connector) gate() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.health
	if h.OK || h.class != channel.ClassMisconfigured || time.Since(h.Checked) > recheck {
		return nil
	}
	return channel.Misconfigured(fmt.Errorf("smtp: connection %q is unhealthy: %s", c.name, h.Error))
}

// Send builds m's e-mail and submits it on a pooled session. The provider
// ID is its Message-ID; the status is sent once the server answers 250.
func (c *Connector) Send(ctx context.Context, m *herald.Message) (channel.Result, error) {
	if err := c.gate(); err != nil {
		return channel.Result{}, err
	}
	out, err := c.compose(ctx, m)
	defer c.done(out)
	if errors.Is(err, errPayload) {
		return channel.Result{}, channel.Permanent(err, herald.StatusDetail{}, "")
	} else if err != nil {
		return channel.Result{}, channel.Retryable(err, "")
	}
	if err := c.transmit(ctx, out); err != nil {
		return channel.Result{}, err
	}
	return channel.Result{ProviderID: out.messageID, ProviderCode: "250", Status: herald.StatusSent}, nil
}

// transmit sends out on a pooled session. A session the server closed
// while it was idle fails at MAIL: the message is tried once more on a
// new session.
func (c *Connector) transmit(ctx context.Context, out *composed) error {
	for try := 0; ; try++ {
		s, fresh, err := c.pool.get(ctx)
		if err != nil {
			return c.dialFailed(err)
		}
		stage, err := deliver(s.c, out, time.Duration(c.settings.Timeout))
		if err == nil {
			s.sent++
			c.pool.put(s, true)
			return nil
		}
		var te *textproto.Error
		if errors.As(err, &te) {
			c.pool.put(s, s.c.Reset() == nil) // the server answered: the session goes on after RSET
			return c.refused(te, stage)
		}
		c.pool.drop(s)
		if !fresh && try == 0 && stage == "MAIL" {
			continue
		}
		return channel.Retryable(fmt.Errorf("smtp: connection lost at %s: %w", stage, err), "")
	}
}

// deliver runs one mail transaction; stage names the command that failed.
// With a server that offers PIPELINING (RFC 2920) MAIL, RCPT and DATA go
// in one write and the message with its final dot in a second: two round
// trips a message instead of four. With CHUNKING (RFC 3030) as well, the
// message follows MAIL and RCPT in the same write as one BDAT chunk: one
// round trip, and no dot-stuffing.
func deliver(c *mailsmtp.Client, out *composed, timeout time.Duration) (stage string, err error) {
	if err := c.UpdateDeadline(timeout); err != nil {
		return "MAIL", err
	}
	if ok, _ := c.Extension("PIPELINING"); ok && plainAddress(out.envelopeFrom) && plainAddress(out.to) {
		if ok, _ := c.Extension("CHUNKING"); ok {
			return chunked(c.Text, out)
		}
		return pipeline(c.Text, out)
	}
	if err := c.Mail(out.envelopeFrom); err != nil {
		return "MAIL", err
	}
	if err := c.Rcpt(out.to); err != nil {
		return "RCPT", err
	}
	if err := writeData(c, out); err != nil {
		return "DATA", err
	}
	return "", nil
}

// plainAddress reports whether addr can go in a pipelined command as it
// is: printable ASCII without angle brackets (an address that needs
// SMTPUTF8 takes the unpipelined path, which negotiates it).
func plainAddress(addr string) bool {
	return addr != "" && isPrintableASCII(addr) && !strings.ContainsAny(addr, "<> ")
}

// pipeline runs one mail transaction on t with MAIL, RCPT and DATA sent
// together. Every reply is read, even after a refusal, so that the
// session stays in step; the first refusal is returned with its command.
func pipeline(t *textproto.Conn, out *composed) (string, error) {
	w := t.W
	_, _ = w.WriteString("MAIL FROM:<")
	_, _ = w.WriteString(out.envelopeFrom)
	_, _ = w.WriteString(">\r\nRCPT TO:<")
	_, _ = w.WriteString(out.to)
	_, _ = w.WriteString(">\r\nDATA\r\n")
	if err := w.Flush(); err != nil {
		return "MAIL", err
	}
	stage, refused, dataOK, err := readReplies(t, "DATA", 354)
	if err != nil {
		return stage, err
	}
	if refused != nil {
		if dataOK {
			// DATA accepted after a refusal (RFC 2920 says it is not):
			// end the empty message so that the session goes on.
			_, _ = w.WriteString(".\r\n")
			if err := w.Flush(); err != nil {
				return "DATA", err
			}
			_, _, _ = t.ReadResponse(250)
		}
		return stage, refused
	}
	if err := writeBody(t, out); err != nil {
		return "DATA", err
	}
	return "", nil
}

// chunked runs one mail transaction on t as one write: MAIL, RCPT and the
// message as a single BDAT chunk marked LAST (RFC 3030, pipelined as RFC
// 2920 allows). The server reads the chunk whatever it answered before
// (its size is in the command), so every reply is read and the session
// stays in step; the first refusal is returned with its command. A
// message that does not end with a line break gets one, as DATA's final
// dot would give it.
func chunked(t *textproto.Conn, out *composed) (string, error) {
	end := ""
	if !bytes.HasSuffix(out.raw, []byte("\r\n")) {
		end = "\r\n"
	}
	pb := bufPool.Get().(*[]byte)
	b := append((*pb)[:0], "MAIL FROM:<"...)
	b = append(b, out.envelopeFrom...)
	b = append(b, ">\r\nRCPT TO:<"...)
	b = append(b, out.to...)
	b = append(b, ">\r\nBDAT "...)
	b = strconv.AppendInt(b, int64(len(out.raw)+len(end)), 10)
	b = append(b, " LAST\r\n"...)
	b = append(append(b, out.raw...), end...)
	// One write: with nothing buffered, bufio hands a large write to the
	// connection as it is.
	err := t.W.Flush()
	if err == nil {
		_, err = t.W.Write(b)
	}
	if err == nil {
		err = t.W.Flush()
	}
	*pb = b[:0]
	putBuf(pb)
	if err != nil {
		return "MAIL", err
	}
	stage, refused, _, err := readReplies(t, "DATA", 250)
	if err != nil {
		return stage, err
	}
	return stage, refused
}

// readReplies reads the replies to pipelined MAIL, RCPT and a last
// command (DATA, or BDAT, which is named DATA too), which must have code
// last. Every reply is read, even after a refusal, so that the session
// stays in step. It returns the first refusal with its command's name,
// and whether the last command was accepted; a connection that broke is
// returned as err, with the command it broke at.
func readReplies(t *textproto.Conn, last string, code int) (stage string, refused error, lastOK bool, err error) {
	for _, step := range [...]struct {
		name string
		code int
	}{{"MAIL", 250}, {"RCPT", 25}, {last, code}} {
		_, _, err := t.ReadResponse(step.code)
		var te *textproto.Error
		if err != nil && !errors.As(err, &te) {
			return step.name, nil, false, err // the connection broke
		}
		if err != nil && refused == nil {
			stage, refused = step.name, err
		}
		lastOK = err == nil
	}
	return stage, refused, lastOK, nil
}

// writeBody sends the message after DATA's 354 and reads the final
// reply, dot-stuffing lines that start with a dot.
func writeBody(t *textproto.Conn, out *composed) error {
	raw := out.raw
	if out.needsDots() {
		dw := t.DotWriter()
		if _, err := dw.Write(raw); err != nil {
			_ = dw.Close()
			return err
		}
		if err := dw.Close(); err != nil {
			return err
		}
	} else if err := writeEnded(t.W, raw); err != nil {
		return err
	}
	return response(t, 250)
}

// writeEnded writes raw and the final dot, and flushes w. They go in one
// write when raw's buffer has room for the dot (raw is the caller's, not
// used after): w passes a write larger than its buffer straight through.
func writeEnded(w *bufio.Writer, raw []byte) error {
	ended := cap(raw)-len(raw) >= 3
	if ended {
		raw = append(raw, ".\r\n"...)
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if !ended {
		if _, err := w.WriteString(".\r\n"); err != nil {
			return err
		}
	}
	return w.Flush()
}

// writeData sends DATA, the message and the final dot. A message that Herald
// wrote has no line starting with a dot (quoted-printable encodes it), so
// it goes to the connection as it is; any other takes the dot-stuffing
// writer.
func writeData(c *mailsmtp.Client, out *composed) error {
	raw := out.raw
	if out.needsDots() {
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write(raw); err != nil {
			_ = w.Close()
			return err
		}
		return w.Close()
	}
	if err := command(c.Text, 354, "DATA"); err != nil {
		return err
	}
	if err := writeEnded(c.Text.W, raw); err != nil {
		return err
	}
	return response(c.Text, 250)
}

// command sends one command and reads its reply, which must have code.
func command(t *textproto.Conn, code int, cmd string) error {
	id, err := t.Cmd("%s", cmd)
	if err != nil {
		return err
	}
	t.StartResponse(id)
	defer t.EndResponse(id)
	_, _, err = t.ReadResponse(code)
	return err
}

// response reads a reply that must have code.
func response(t *textproto.Conn, code int) error {
	_, _, err := t.ReadResponse(code)
	return err
}

// refused classifies a reply the server refused a message with: 4xx is
// retried; a refusal that says authentication is needed marks the
// connection unhealthy; any other 5xx fails the message with the code.
func (c *Connector) refused(te *textproto.Error, stage string) error {
	code := strconv.Itoa(te.Code)
	err := fmt.Errorf("smtp: the server answered %s with %d %s", stage, te.Code, te.Msg)
	switch {
	case te.Code >= 400 && te.Code < 500:
		return channel.Retryable(err, code)
	case te.Code == 530 || te.Code == 535 || te.Code == 538:
		c.mu.Lock()
		c.health = Health{Error: err.Error(), Since: time.Now(), Checked: time.Now(), class: channel.ClassMisconfigured}
		c.mu.Unlock()
		return &channel.Error{Class: channel.ClassMisconfigured, ProviderCode: code, Err: err}
	}
	return channel.Permanent(err, herald.StatusDetail{}, code)
}

// dialFailed returns a dial error, classified by dial already.
func (c *Connector) dialFailed(err error) error {
	var ce *channel.Error
	if errors.As(err, &ce) {
		return ce
	}
	return channel.Retryable(fmt.Errorf("smtp: waiting for a session: %w", err), "")
}

// classifyDial classifies a failed dial: the server or the network
// failing for a passing reason (refused connection, timeout, 4xx) is
// retryable; a server that refuses the configuration (TLS, STARTTLS,
// authentication, a 5xx greeting) is a misconfiguration.
func classifyDial(err error) *channel.Error {
	var te *textproto.Error
	var ne net.Error
	switch {
	case isTLSError(err):
		return channel.Misconfigured(fmt.Errorf("smtp: TLS failed: %w", err))
	case errors.As(err, &te) && te.Code >= 400 && te.Code < 500:
		return channel.Retryable(fmt.Errorf("smtp: the server is busy: %w", err), strconv.Itoa(te.Code))
	case errors.As(err, &te):
		e := channel.Misconfigured(fmt.Errorf("smtp: the server refused the connection: %w", err))
		e.ProviderCode = strconv.Itoa(te.Code)
		return e
	case errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return channel.Retryable(fmt.Errorf("smtp: cannot reach the server: %w", err), "")
	}
	return channel.Misconfigured(fmt.Errorf("smtp: the server refused the connection: %w", err))
}

// isTLSError reports whether err comes from TLS: a handshake, a
// certificate, or STARTTLS missing.
func isTLSError(err error) bool {
	var rh tls.RecordHeaderError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var op *net.OpError
	switch {
	case errors.As(err, &rh), errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &he):
		return true
	case errors.As(err, &op) && op.Op == "remote error":
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "tls:") || strings.Contains(msg, "STARTTLS")
}

// add and remove track the started connectors for Health.
func (h *Hub) add(c *Connector) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns[c.id] = c
}

func (h *Hub) remove(c *Connector) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[c.id] == c {
		delete(h.conns, c.id)
	}
}

// Health returns the health of a started connection; ok is false when no
// SMTP connection with that ID is started in this process.
func (h *Hub) Health(connectionID int64) (Health, bool) {
	h.mu.Lock()
	c := h.conns[connectionID]
	h.mu.Unlock()
	if c == nil {
		return Health{}, false
	}
	return c.Health(), true
}
