package app

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smppserver"
	"github.com/heraldhq/herald/internal/web"
)

// CreateConnection validates c, seals its secrets under the installation's
// key and stores it, assigned to c.Accounts: how the CLI, tests and
// benchmarks add an SMPP connection (the portal has its own page).
func (m *Main) CreateConnection(ctx context.Context, c *herald.Connection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	plain, err := json.Marshal(c.Secrets)
	if err != nil {
		return fmt.Errorf("sealing connection secrets: %w", err)
	}
	c.SealedSecrets = m.box.Seal(plain)
	if err := m.Store.CreateConnection(ctx, c); err != nil {
		return fmt.Errorf("creating connection %q: %w", c.Name, err)
	}
	return nil
}

// SMPPServer is the running SMPP server of a process.
type SMPPServer struct {
	*smppserver.Service
	addr string
}

// Addr returns the address the SMPP server listens on.
func (s *SMPPServer) Addr() string { return s.addr }

// startSMPP starts the SMPP server for customers when HERALD_SMPP_ADDR is
// set; it runs until ctx ends.
func (m *Main) startSMPP(ctx context.Context) error {
	if m.Config.SMPPAddr == "" || m.Config.Role == "worker" {
		return nil
	}
	cfg := smppserver.Config{Log: m.Log.With("component", "smpp-server"), PartsTimeout: m.Config.SMPPPartsWait}
	if m.Config.SMPPTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(m.Config.SMPPTLSCert, m.Config.SMPPTLSKey)
		if err != nil {
			return fmt.Errorf("loading the SMPP server's TLS certificate: %w", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	svc, err := smppserver.New(cfg, m.Store, m.Messaging.Engine)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Config.SMPPAddr)
	if err != nil {
		return fmt.Errorf("listening for SMPP: %w", err)
	}
	m.SMPP = &SMPPServer{Service: svc, addr: ln.Addr().String()}
	go func() {
		if err := svc.Serve(ctx, ln); err != nil {
			m.Log.Error("smpp server stopped", "err", err)
		}
	}()
	m.Log.Info("smpp server is listening", "addr", ln.Addr().String(), "tls", cfg.TLS != nil)
	return nil
}

// smppStatus reports the process's SMPP binds to the portal: the SMPP
// client connections of the messaging engine and the customer binds of the
// SMPP server, either of which may be absent.
type smppStatus struct{ m *Main }

var _ web.SMPPStatus = smppStatus{}

// SMPPConnections implements web.SMPPStatus, ordered by connection name.
func (s smppStatus) SMPPConnections() []web.SMPPConnection {
	if s.m.Messaging == nil || s.m.Messaging.SMPP == nil {
		return nil
	}
	all := s.m.Messaging.SMPP.All()
	out := make([]web.SMPPConnection, 0, len(all))
	for _, c := range all {
		out = append(out, web.SMPPConnection{ID: c.ConnectionID, Name: c.Name, Sessions: c.Sessions})
	}
	slices.SortFunc(out, func(a, b web.SMPPConnection) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// SMPPServerBinds implements web.SMPPStatus.
func (s smppStatus) SMPPServerBinds() []smpp.BindInfo {
	if s.m.SMPP == nil {
		return nil
	}
	return s.m.SMPP.Binds()
}
