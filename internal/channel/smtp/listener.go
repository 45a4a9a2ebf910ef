package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/heraldhq/herald"
)

// ListenerConfig configures the inbound SMTP listener.
type ListenerConfig struct {
	Domain  string      // the name in the greeting; default "localhost"
	MaxSize int64       // the largest message accepted; default 40 MB
	TLS     *tls.Config // offers STARTTLS when set
	Log     *slog.Logger
}

// Listener is Herald's inbound SMTP server: it accepts mail for the
// e-mail sender IDs and bounce addresses the Inbox knows, and refuses
// every other recipient (it is no relay). Start it with Serve.
type Listener struct {
	inbox *Inbox
	srv   *gosmtp.Server
	log   *slog.Logger
}

// NewListener returns a Listener that hands mail to inbox.
func NewListener(cfg ListenerConfig, inbox *Inbox) *Listener {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = maxInboundBytes
	}
	l := &Listener{inbox: inbox, log: cfg.Log}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &inSession{l: l}, nil
	}))
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = cfg.MaxSize
	srv.MaxRecipients = 50
	srv.ReadTimeout, srv.WriteTimeout = 2*time.Minute, 2*time.Minute
	srv.TLSConfig = cfg.TLS
	srv.ErrorLog = slog.NewLogLogger(cfg.Log.Handler(), slog.LevelDebug)
	l.srv = srv
	return l
}

// Serve accepts connections on ln until ctx ends or Close.
func (l *Listener) Serve(ctx context.Context, ln net.Listener) error {
	go func() {
		<-ctx.Done()
		_ = l.srv.Close()
	}()
	if err := l.srv.Serve(ln); err != nil && !errors.Is(err, gosmtp.ErrServerClosed) && ctx.Err() == nil {
		return fmt.Errorf("smtp: serving inbound mail: %w", err)
	}
	return nil
}

// Close stops the listener.
func (l *Listener) Close() error { return l.srv.Close() }

// inSession is one inbound SMTP transaction.
type inSession struct {
	l     *Listener
	from  string
	rcpts []string
}

func (s *inSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.from = from
	return nil
}

// errNoMailbox refuses a recipient that is not Herald's.
var errNoMailbox = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}

// errTemporary answers when Herald cannot take the mail right now.
var errTemporary = &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}

func (s *inSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok, err := s.l.inbox.Accepts(ctx, to)
	switch {
	case err != nil:
		s.l.log.Warn("smtp: checking an inbound recipient", "to", to, "err", err)
		return errTemporary
	case !ok:
		return errNoMailbox
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *inSession) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := s.l.inbox.Deliver(ctx, s.rcpts, buf.Bytes())
	switch herald.ErrorCode(err) {
	case "":
		return nil
	case herald.EINVALID, herald.ENOTFOUND:
		return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: herald.ErrorMessage(err)}
	}
	s.l.log.Error("smtp: taking inbound mail", "from", s.from, "err", err)
	return errTemporary
}

func (s *inSession) Reset()        { s.from, s.rcpts = "", nil }
func (s *inSession) Logout() error { return nil }
