// Package app is the one place where Herald's concrete parts meet: it opens
// the store, the job runner and the event bus, builds the services, the API
// and the portal, and runs the HTTP server. The CLI and the end-to-end tests
// both boot Herald through Main.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/api"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/broadcast"
	smtpconn "github.com/heraldhq/herald/internal/channel/smtp"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/events"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/jobs"
	"github.com/heraldhq/herald/internal/media"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/web"
)

// Main is a Herald process. Set the exported fields, then call Open (for
// one-shot commands) or Run (for serve).
type Main struct {
	Config config.Config
	Log    *slog.Logger
	Stdout io.Writer // where the generated first admin password is printed
	Clock  herald.Clock
	// Hash overrides the password hashing cost; tests make it cheap.
	Hash *auth.HashParams
	// Started, when set, is called with the listening address once the
	// server accepts connections (tests listen on port 0).
	Started func(addr string)

	Store     *store.Store
	Jobs      *jobs.Runner
	Events    *events.Bus
	Auth      *auth.Service
	Server    *server.Server
	Messaging *Messaging
	Metrics   *prometheus.Registry
	SMPP      *SMPPServer   // nil unless HERALD_SMPP_ADDR is set
	SMTP      *SMTPListener // nil unless HERALD_SMTP_ADDR is set
	Media     *media.Service
	// Blobs keeps the media library's files; e-mail attachments need it
	// (with a store that keeps media). Nil: e-mails go without attachments.
	Blobs herald.BlobStore

	box      *secret.Box     // seals stored secrets
	inbox    *smtpconn.Inbox // inbound mail and bounces, made on first use
	changes  *changes        // configuration changes for every process
	emailKey []byte          // signs e-mail links, VERP addresses and Message-IDs
}

// Open opens the database (migrating it), the secret key, the job runner
// and the identity service, and creates the first account and admin on a
// new database. Close releases what Open opened.
func (m *Main) Open(ctx context.Context) error {
	if m.Log == nil {
		m.Log = slog.New(slog.DiscardHandler)
	}
	if m.Stdout == nil {
		m.Stdout = os.Stdout
	}
	if m.Clock == nil {
		m.Clock = herald.SystemClock{}
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	key, err := m.secretKey()
	if err != nil {
		return err
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return fmt.Errorf("HERALD_SECRET_KEY: %w", err)
	}
	if err := m.openMedia(key); err != nil {
		return err
	}
	m.emailKey = secret.Derive(key, emailKeyPurpose)
	cfg := auth.DefaultConfig()
	if m.Hash != nil {
		cfg.Hash = *m.Hash
	}
	if m.Auth, err = auth.New(m.Store, box, m.Clock, cfg, m.Log); err != nil {
		return fmt.Errorf("starting auth: %w", err)
	}
	if err := m.openJobs(ctx); err != nil {
		return err
	}
	if err := m.bootstrap(ctx); err != nil {
		return err
	}
	return m.openMessaging(ctx, box, m.Config.Role != "api")
}

// openStore opens and migrates the database.
func (m *Main) openStore(ctx context.Context) error {
	if m.Config.DatabaseURL == "" {
		if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
			return fmt.Errorf("creating data directory: %w", err)
		}
	}
	s, err := store.Open(ctx, m.Config.DatabaseURL, m.Config.DataDir, m.Clock)
	if err != nil {
		return fmt.Errorf("opening database: %w", err)
	}
	m.Store = s
	if err := s.Migrate(ctx); err != nil {
		return fmt.Errorf("migrating database: %w", err)
	}
	m.Log.Info("database ready", "engine", s.Engine())
	return nil
}

// secretKey loads the server's key, which seals stored secrets and signs
// media links.
func (m *Main) secretKey() ([]byte, error) {
	var key []byte
	var err error
	if m.Config.SecretKey != "" {
		key, err = secret.ParseKey(m.Config.SecretKey)
	} else {
		key, err = secret.LoadOrCreateKey(filepath.Join(m.Config.DataDir, "secret.key"))
	}
	if err != nil {
		return nil, fmt.Errorf("HERALD_SECRET_KEY: %w", err)
	}
	return key, nil
}

// openJobs builds the job runner for the process role and migrates River's
// tables.
func (m *Main) openJobs(ctx context.Context) error {
	reg := jobs.NewRegistry()
	if err := registerJobs(reg, m.Store, m.Clock, m.Log); err != nil {
		return err
	}
	if err := importer.RegisterJob(reg, m.Store); err != nil {
		return err
	}
	if err := broadcast.RegisterJobs(reg, m.broadcasts); err != nil {
		return err
	}
	r, err := jobs.New(jobs.Config{
		Engine:     m.Store.Engine(),
		SQLite:     m.Store.SQLiteDB(),
		Pool:       m.Store.PgxPool(),
		Logger:     m.Log.With("component", "jobs"),
		Registry:   reg,
		InsertOnly: m.Config.Role == "api",
	})
	if err != nil {
		return fmt.Errorf("creating job runner: %w", err)
	}
	if err := r.Migrate(ctx); err != nil {
		return fmt.Errorf("migrating job tables: %w", err)
	}
	m.Jobs = r
	return nil
}

// tuneGC sets the garbage collector's target from the configuration,
// unless the GOGC environment variable chose one. A busy server's heap is
// mostly short-lived request and message data; collecting at twice the
// default growth halves the collections for a modest increase of memory.
func (m *Main) tuneGC() {
	if m.Config.GCPercent <= 0 || os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(int(m.Config.GCPercent))
}

// Run serves until ctx is cancelled, then stops gracefully within the
// configured shutdown timeout.
func (m *Main) Run(ctx context.Context) error {
	m.tuneGC()
	if err := m.Open(ctx); err != nil {
		return err
	}
	bus, err := events.Open(ctx, events.Config{URL: m.Config.NATSURL, Logger: m.Log.With("component", "events")})
	if err != nil {
		return fmt.Errorf("starting event bus: %w", err)
	}
	m.Events = bus
	if m.Config.Role != "api" {
		if err := m.Jobs.Start(ctx); err != nil {
			return fmt.Errorf("starting jobs: %w", err)
		}
	}
	if err := m.StartMessaging(ctx); err != nil {
		return err
	}
	if err := m.startSMPP(ctx); err != nil {
		return err
	}
	if err := m.startSMTP(ctx); err != nil {
		return err
	}
	m.changes = newChanges(m)
	if err := m.changes.listen(); err != nil {
		return err
	}
	if err := m.listen(); err != nil {
		return err
	}
	m.Log.Info("herald is serving", "addr", m.Server.Addr(), "url", m.Config.PublicURL(), "role", m.Config.Role, "version", herald.Version)
	errc := make(chan error, 1)
	go func() { errc <- m.Server.Serve() }()
	if m.Started != nil {
		m.Started(m.Server.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	return m.shutdown(sctx)
}

// listen builds the HTTP server and opens its socket.
func (m *Main) listen() error {
	reg := m.registry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	deps := server.Deps{Registry: reg, Log: m.Log, Ready: m.ready}
	if m.Config.Role != "worker" {
		st := notifyingStore{Store: m.Store, changes: m.changes}
		deps.API = api.New(api.Deps{Store: st, Auth: m.Auth, Clock: m.Clock, Log: m.Log.With("component", "api"), TrustProxy: m.Config.TrustProxy,
			Messages: m.Messaging.Engine, MessageStore: m.Store, Webhooks: m.Messaging.Webhooks, Sandbox: m.Messaging.Engine, Imports: m.importService(),
			Media: m.Media, Templates: m.templates(), ConversationTemplates: m.templates(),
			Senders: m.senderService(), Broadcasts: m.Messaging.Broadcasts})
		portal, err := web.New(web.Config{
			CookieSecure: m.Config.SecureCookies(),
			BaseURL:      m.Config.BaseURL,
			TrustProxy:   m.Config.TrustProxy,
			Logger:       m.Log.With("component", "web"),
		}, web.Deps{Store: st, Auth: m.Auth, Clock: m.Clock, Imports: m.importService(),
			Moderator: m.Messaging.Broadcasts,
			Messaging: m.Messaging.Engine, Webhooks: m.Messaging.Webhooks, Box: m.box,
			Connections: m.changes, ConnectorTypes: m.Messaging.ConnectorTypes, SMPP: smppStatus{m},
			Media: m.Media, Senders: m.senderService(), MediaURL: mediaURL,
			Templates: m.templates(), MediaPicker: m.Media, MediaUploadURL: "/media",
			Health: emailHealth{m}, Broadcasts: m.Messaging.Broadcasts, Events: m.Events})
		if err != nil {
			return fmt.Errorf("building portal: %w", err)
		}
		deps.Portal = portal.Handler()
		deps.Public = m.Media.PublicHandler()
		deps.Email = m.emailHandler()
	}
	m.Server = server.New(m.Config.Addr, deps)
	if err := m.Server.Listen(); err != nil {
		return err
	}
	if m.Config.BaseURL == "" {
		// E-mail links name the port actually bound (tests bind port 0).
		m.Messaging.SMTP.SetBaseURL("http://" + m.Server.Addr())
	}
	return nil
}

// ready reports whether the database answers and its schema is current.
func (m *Main) ready(ctx context.Context) error {
	return m.Store.Ready(ctx)
}

// shutdown stops the server, then the jobs, then closes everything.
func (m *Main) shutdown(ctx context.Context) error {
	var errs []error
	if m.Server != nil {
		errs = append(errs, m.Server.Shutdown(ctx))
	}
	errs = append(errs, m.StopMessaging(ctx))
	if m.Jobs != nil && m.Config.Role != "api" {
		if err := m.Jobs.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
			errs = append(errs, fmt.Errorf("stopping jobs: %w", err))
		}
	}
	errs = append(errs, m.Close())
	return errors.Join(errs...)
}

// Close releases the event bus and the database.
func (m *Main) Close() error {
	var errs []error
	if m.Events != nil {
		errs = append(errs, m.Events.Close())
		m.Events = nil
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
		m.Store = nil
	}
	return errors.Join(errs...)
}

// tick is how often housekeeping runs.
const tick = time.Hour
