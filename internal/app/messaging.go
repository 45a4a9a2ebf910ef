package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/broadcast"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/sandbox"
	smppconn "github.com/heraldhq/herald/internal/channel/smpp"
	smtpconn "github.com/heraldhq/herald/internal/channel/smtp"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/secret"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/webhook"
)

// Messaging is the messaging pipeline of a process: the engine, the
// sandbox network behind the sandbox connections and the webhook
// deliverer, wired together.
type Messaging struct {
	Engine    *engine.Engine
	Sandbox   *sandbox.Network
	Webhooks  *webhook.Service
	Deliverer *webhook.Deliverer // nil in an accept-only process
	SMPP      *smppconn.Hub      // the SMPP client connections
	SMTP      *smtpconn.Hub      // the SMTP (e-mail) connections
	// Broadcasts runs broadcasts; Runner sends them (nil in an
	// accept-only process).
	Broadcasts *broadcast.Service
	Runner     *broadcast.Runner
	// ConnectorTypes are the registered connector types, for the
	// Connections form.
	ConnectorTypes []string
	started        bool
}

// registry returns the process's metrics registry, made on first use.
func (m *Main) registry() *prometheus.Registry {
	if m.Metrics == nil {
		m.Metrics = prometheus.NewRegistry()
	}
	return m.Metrics
}

// openMessaging builds the messaging pipeline. dispatch runs the
// dispatcher, the sweepers and the deliverer; without it the engine only
// accepts (serve --role=api). It also gives a new installation its sandbox
// connections and the first account its sandbox sender IDs.
func (m *Main) openMessaging(ctx context.Context, box *secret.Box, dispatch bool) error {
	m.box = box
	log := m.Log.With("component", "messaging")
	reg := m.registry()
	ms := &Messaging{
		Sandbox:  sandbox.NewNetwork(m.Store, m.Clock, log.With("connector", "sandbox")),
		Webhooks: webhook.NewService(m.Store, box, m.Clock),
	}
	connectors := channel.NewRegistry()
	if err := connectors.Register(herald.ConnectorSandbox, ms.Sandbox.Factory()); err != nil {
		return err
	}
	ms.SMPP = smppconn.NewHub(m.Store, log.With("connector", "smpp"), reg)
	if err := connectors.Register(herald.ConnectorSMPP, ms.SMPP.Factory()); err != nil {
		return err
	}
	ms.SMTP = m.newEmailHub()
	if err := connectors.Register(herald.ConnectorSMTP, ms.SMTP.Factory()); err != nil {
		return err
	}
	ms.ConnectorTypes = connectors.Types()
	cfg := engine.Config{Dispatch: dispatch, SandboxSenders: true}
	if m.Store.Engine() == store.EnginePostgres {
		cfg.Flushers = 4 // PostgreSQL takes concurrent transactions; SQLite has one writer
	}
	if dispatch {
		ms.Deliverer = webhook.NewDeliverer(webhook.Config{Instance: engineInstanceID(&cfg)}, m.Store, ms.Webhooks,
			m.Clock, log.With("part", "webhooks"), webhook.NewMetrics(reg))
	}
	ms.Broadcasts = broadcast.New(broadcast.Deps{Store: m.Store, Jobs: m.Jobs, Clock: m.Clock, Log: m.Log.With("component", "broadcasts")})
	deps := engine.Deps{Store: m.Store, Contacts: m.contacts(), Templates: m.Store, Connectors: connectors, Box: box,
		Webhooks: ms.Deliverer, Clock: m.Clock, Log: log, Metrics: reg, Hook: ms.Broadcasts.Hook()}
	ms.Engine = engine.New(cfg, deps)
	ms.Broadcasts.UseEngine(ms.Engine)
	if dispatch {
		ms.Runner = broadcast.NewRunner(ms.Broadcasts, broadcast.RunnerConfig{Instance: cfg.Instance})
	}
	m.Messaging = ms
	return m.bootstrapSandbox(ctx)
}

// ReopenMessaging builds the messaging pipeline again, before it starts,
// with or without dispatching: "herald send" leaves the sending to a
// running server when there is one.
func (m *Main) ReopenMessaging(ctx context.Context, dispatch bool) error {
	if m.Messaging != nil && m.Messaging.started {
		return errors.New("messaging is running already")
	}
	m.Metrics = prometheus.NewRegistry()
	return m.openMessaging(ctx, m.box, dispatch)
}

// engineInstanceID fills cfg's instance ID so the deliverer shares it.
func engineInstanceID(cfg *engine.Config) string {
	if cfg.Instance == "" {
		cfg.Instance = webhook.NewEventID()
	}
	return cfg.Instance
}

// contacts returns the contact directory messaging resolves recipients
// with, when the store has one.
func (m *Main) contacts() herald.ContactDirectory {
	if d, ok := any(m.Store).(herald.ContactDirectory); ok {
		return d
	}
	return nil
}

// bootstrapSandbox wires every channel to the sandbox on a new installation
// and gives every account the sender ID "sandbox" on each.
func (m *Main) bootstrapSandbox(ctx context.Context) error {
	created, err := m.Messaging.Engine.EnsureSandboxConnections(ctx)
	if err != nil || !created {
		return err
	}
	page, err := m.Store.ListAccounts(ctx, herald.ListQuery{Limit: herald.MaxPageSize})
	if err != nil {
		return fmt.Errorf("listing accounts: %w", err)
	}
	for _, a := range page.Items {
		if err := m.Messaging.Engine.ProvisionSandbox(ctx, a.ID); err != nil {
			return fmt.Errorf("giving account %q its sandbox sender IDs: %w", a.Name, err)
		}
	}
	m.Log.Info("wired every channel to the sandbox connector", "accounts", len(page.Items))
	return nil
}

// StartMessaging starts the sandbox, the deliverer and the engine.
func (m *Main) StartMessaging(ctx context.Context) error {
	ms := m.Messaging
	if ms == nil || ms.started {
		return nil
	}
	ms.Sandbox.Start(ctx)
	if ms.Deliverer != nil {
		ms.Deliverer.Start(ctx)
	}
	if err := ms.Engine.Start(ctx); err != nil {
		return fmt.Errorf("starting messaging: %w", err)
	}
	if m.Events != nil {
		ms.Broadcasts.SetPublisher(m.Events)
	}
	if ms.Runner != nil {
		ms.Runner.Start(ctx)
	}
	ms.started = true
	return nil
}

// StopMessaging stops the engine (handing its work over), then the
// deliverer and the sandbox.
func (m *Main) StopMessaging(ctx context.Context) error {
	ms := m.Messaging
	if ms == nil || !ms.started {
		return nil
	}
	ms.started = false
	if ms.Runner != nil {
		ms.Runner.Stop() // its last batch commits before the engine stops
	}
	err := ms.Engine.Stop(ctx)
	if ms.Deliverer != nil {
		ms.Deliverer.Stop()
	}
	ms.Sandbox.Stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stopping messaging: %w", err)
	}
	return nil
}
