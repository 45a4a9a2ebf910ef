package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"

	"github.com/heraldhq/herald"
	smtpconn "github.com/heraldhq/herald/internal/channel/smtp"
)

// emailKeyPurpose names the key that signs e-mail links and addresses.
const emailKeyPurpose = "herald email links v1"

// emailSigner returns the signer of e-mail links, VERP addresses and
// Message-IDs: the same in every process sharing the secret key.
func (m *Main) emailSigner() *smtpconn.Signer {
	return smtpconn.NewSigner(m.emailKey)
}

// emailMedia is the media library e-mails take attachments from and keep
// inbound attachments in, when the store has one and a blob store is set.
func (m *Main) emailMedia() smtpconn.MediaSource {
	var src smtpconn.MediaSource
	if ms, ok := any(m.Store).(herald.MediaStore); ok && m.Blobs != nil {
		src.Store, src.Blobs = ms, m.Blobs
	}
	return src
}

// newEmailHub builds the hub of SMTP connections.
func (m *Main) newEmailHub() *smtpconn.Hub {
	return smtpconn.NewHub(smtpconn.HubConfig{Signer: m.emailSigner(), BaseURL: m.Config.PublicURL(),
		Media: m.emailMedia(), Log: m.Log.With("component", "messaging", "connector", "smtp")})
}

// emailInbox returns the inbox of inbound mail and bounces, made once.
func (m *Main) emailInbox() *smtpconn.Inbox {
	if m.inbox == nil {
		m.inbox = smtpconn.NewInbox(m.Messaging.Engine, m.Store, m.Messaging.SMTP.Signer(), m.emailMedia(),
			m.Log.With("component", "email-inbound"))
	}
	return m.inbox
}

// emailHandler serves the public e-mail endpoints: tracking, unsubscribe
// and the inbound mail webhook.
func (m *Main) emailHandler() http.Handler {
	t := smtpconn.NewTracker(m.Messaging.SMTP.Signer(), m.Messaging.Engine, m.Store, m.Store, m.emailInbox(),
		m.Log.With("component", "email"))
	return t.Handler()
}

// InboundMailURL is the URL of the inbound mail webhook: a mail service
// posts each raw e-mail there.
func (m *Main) InboundMailURL() string {
	return m.Messaging.SMTP.BaseURL() + "/email/inbound/" + m.Messaging.SMTP.Signer().InboundToken()
}

// SMTPListener is the running inbound SMTP listener of a process.
type SMTPListener struct {
	*smtpconn.Listener
	addr string
}

// Addr returns the address the listener accepts connections on.
func (l *SMTPListener) Addr() string { return l.addr }

// startSMTP starts the inbound SMTP listener when HERALD_SMTP_ADDR is set;
// it runs until ctx ends.
func (m *Main) startSMTP(ctx context.Context) error {
	if m.Config.SMTPAddr == "" || m.Config.Role == "worker" {
		return nil
	}
	cfg := smtpconn.ListenerConfig{Domain: m.Config.SMTPDomain, MaxSize: m.Config.SMTPMaxSize, Log: m.Log.With("component", "smtp-listener")}
	if m.Config.SMTPTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(m.Config.SMTPTLSCert, m.Config.SMTPTLSKey)
		if err != nil {
			return fmt.Errorf("loading the SMTP listener's TLS certificate: %w", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", m.Config.SMTPAddr)
	if err != nil {
		return fmt.Errorf("listening for SMTP: %w", err)
	}
	l := smtpconn.NewListener(cfg, m.emailInbox())
	m.SMTP = &SMTPListener{Listener: l, addr: ln.Addr().String()}
	go func() {
		if err := l.Serve(ctx, ln); err != nil {
			m.Log.Error("smtp listener stopped", "err", err)
		}
	}()
	m.Log.Info("smtp listener is accepting mail", "addr", ln.Addr().String(), "starttls", cfg.TLS != nil)
	return nil
}

// emailHealth reports SMTP connections' health to the portal.
type emailHealth struct{ m *Main }

// ConnectionHealth implements web.ConnectionHealth.
func (e emailHealth) ConnectionHealth(id int64) (ok bool, reason string, known bool) {
	if e.m.Messaging == nil || e.m.Messaging.SMTP == nil {
		return false, "", false
	}
	h, found := e.m.Messaging.SMTP.Health(id)
	return h.OK, h.Error, found
}

// InboundMailURL implements web.ConnectionHealth.
func (e emailHealth) InboundMailURL() string {
	if e.m.Messaging == nil || e.m.Messaging.SMTP == nil {
		return ""
	}
	return e.m.InboundMailURL()
}
