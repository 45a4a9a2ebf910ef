// Package smppserver is Herald's SMPP server for customers: accounts bind
// with their SMPP credentials, submit_sm become Herald messages (origin
// smpp, routed and tracked like API messages) whose IDs are the
// message_ids, and the receipts of those messages and the account's MO
// messages go back as deliver_sm on a receiver or transceiver bind.
//
// A long message submitted in parts is made into one message of the
// whole text once its parts are in (see parts.go).
//
// Receipts and MO travel through a durable outbox (smpp_deliveries): a
// poller queues them from the committed status events and MO messages, and
// a delivery is dequeued only when the customer acknowledges its
// deliver_sm. While a system_id has no receiving bind its deliveries wait;
// a new bind (OnBound) flushes them.
package smppserver

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/store"
)

// Store is what the server needs from the database.
type Store interface {
	SMPPCredentialBySystemID(ctx context.Context, systemID string) (*herald.SMPPCredential, error)
	FillSMPPOutbox(ctx context.Context, limit int, pick func(store.SMPPSource) (herald.SMPPDelivery, bool)) (int, error)
	PendingSMPPDeliveries(ctx context.Context, systemID string, after int64, limit int) ([]herald.SMPPDelivery, error)
	DeleteSMPPDeliveries(ctx context.Context, ids ...int64) error
}

// Config configures a Service.
type Config struct {
	TLS  *tls.Config   // accept TLS connections when set
	Poll time.Duration // how often the outbox is filled and flushed; default 100 ms
	// PartsTimeout is how long a long message submitted in parts waits for
	// its missing parts before it is sent without them; default
	// PartsTimeout.
	PartsTimeout time.Duration
	Log          *slog.Logger
}

// Service is the SMPP server with its outbox. Build it with New and run it
// with Serve.
type Service struct {
	cfg   Config
	store Store
	parts PartsStore // nil: every part is a message of its own
	msgs  herald.MessageService
	log   *slog.Logger
	srv   *smpp.Server
	wake  chan struct{}

	mu      sync.Mutex
	creds   map[string]*herald.SMPPCredential // by lower-case system_id, of bound customers
	offered map[string]int64                  // highest delivery ID handed to a bind, per system_id
	acked   []int64                           // deliveries acknowledged, to dequeue
	// inProgress are the sets of parts being made into a message.
	inProgress map[string]bool
}

// New returns a Service that sends through msgs.
func New(cfg Config, st Store, msgs herald.MessageService) (*Service, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	if cfg.PartsTimeout <= 0 {
		cfg.PartsTimeout = PartsTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, store: st, msgs: msgs, log: cfg.Log, wake: make(chan struct{}, 1),
		creds: map[string]*herald.SMPPCredential{}, offered: map[string]int64{}, inProgress: map[string]bool{}}
	if ps, ok := st.(PartsStore); ok {
		s.parts = ps
	}
	srv, err := smpp.NewServer(smpp.ServerConfig{TLS: cfg.TLS, Auth: s.auth, Submit: s.submit, Logger: cfg.Log,
		OnBound: func(smpp.BindInfo) { s.poke() }, OnUnbound: s.unbound})
	if err != nil {
		return nil, fmt.Errorf("smpp server: %w", err)
	}
	s.srv = srv
	return s, nil
}

// Binds returns the binds open now, for the portal.
func (s *Service) Binds() []smpp.BindInfo { return s.srv.Binds() }

// Serve accepts binds on ln and runs the outbox until ctx ends.
func (s *Service) Serve(ctx context.Context, ln net.Listener) error {
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.runOutbox(ctx) }()
	err := s.srv.Serve(ctx, ln)
	<-done
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("smpp server: %w", err)
	}
	return nil
}

// auth decides a bind by the account's SMPP credentials: ESME_RINVSYSID
// for an unknown system_id, ESME_RINVPASWD for a wrong password, and
// ESME_RBINDFAIL for an address not on the credential's list.
func (s *Service) auth(ctx context.Context, b *smpp.BindRequest) (smpp.BindSettings, error) {
	c, err := s.store.SMPPCredentialBySystemID(ctx, b.SystemID)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return smpp.BindSettings{}, smpp.StatusInvSystemID
	} else if err != nil {
		return smpp.BindSettings{}, fmt.Errorf("reading SMPP credential: %w", err)
	}
	if ok, err := auth.VerifyPassword(b.Password, c.PasswordHash); err != nil || !ok {
		return smpp.BindSettings{}, smpp.StatusInvPassword
	}
	if !c.Allows(b.Remote.Addr()) {
		s.log.Warn("smpp: bind from an address not allowed", "system_id", b.SystemID, "remote", b.Remote)
		return smpp.BindSettings{}, smpp.StatusBindFailed
	}
	s.mu.Lock()
	s.creds[strings.ToLower(c.SystemID)] = c
	s.mu.Unlock()
	return smpp.BindSettings{Account: strconv.FormatInt(c.AccountID, 10), Throughput: float64(c.Throughput), MaxBinds: c.MaxBinds}, nil
}

// unbound forgets what was offered to a closed bind: unacknowledged
// deliveries are offered again.
func (s *Service) unbound(b smpp.BindInfo, _ error) {
	s.mu.Lock()
	delete(s.offered, strings.ToLower(b.SystemID))
	s.mu.Unlock()
}

// poke wakes the outbox loop.
func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// submit turns a submit_sm into a Herald message and answers with its ID.
func (s *Service) submit(ctx context.Context, r *smpp.SubmitRequest) (string, error) {
	if r.Binary {
		return "", smpp.StatusSubmitFailed
	}
	account, err := strconv.ParseInt(r.Account, 10, 64)
	if err != nil {
		return "", smpp.StatusSysErr
	}
	if r.ConcatTotal > 1 && s.parts != nil {
		return s.submitPart(ctx, r, account)
	}
	m, err := s.send(ctx, account, r.SystemID, r.Source, r.Dest, r.Text, callbackData(r.RegisteredDelivery, r.Source, r.Dest), nil)
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// send sends text from src to dst for the account of systemID, from the
// credential's fallback sender ID when src is refused; fn, when set, runs
// in the transaction that commits the message. Errors are SMPP statuses.
func (s *Service) send(ctx context.Context, account int64, systemID string, src, dst smpp.Address, text, cb string,
	fn func(ctx context.Context, x *store.MessageTx, m *herald.Message) error) (*herald.Message, error) {
	payload, _ := json.Marshal(map[string]string{"text": text}) // strings always encode
	req := &herald.SendRequest{AccountID: account, Contact: herald.ContactRef{Phone: phone(dst)}, CreateRecipient: true,
		Steps:  []herald.SendStep{{Channel: herald.ChannelSMS, SenderID: src.Addr, Payload: payload}},
		Origin: herald.OriginSMPP, Traffic: herald.TrafficAPI, CorrelationID: systemID, CallbackData: cb}
	sendOnce := func() (*herald.Message, error) {
		if as, ok := s.msgs.(acceptSender); ok && fn != nil {
			return as.SendInAccept(ctx, req, fn)
		}
		return s.msgs.Send(ctx, req)
	}
	m, err := sendOnce()
	if err != nil && herald.ErrorCode(err) == herald.EINVALID {
		if fallback := s.senderID(systemID); fallback != "" && fallback != src.Addr {
			req.Steps[0].SenderID = fallback
			m, err = sendOnce()
		}
	}
	if errors.Is(err, errPartsTaken) {
		return nil, err
	}
	if err != nil {
		return nil, submitStatus(err)
	}
	return m, nil
}

// senderID returns the fallback sender ID of a bound system_id.
func (s *Service) senderID(systemID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.creds[strings.ToLower(systemID)]; c != nil {
		return c.SenderID
	}
	return ""
}

// submitStatus maps an accept error to an SMPP status.
func submitStatus(err error) smpp.Status {
	switch herald.ErrorCode(err) {
	case herald.EINVALID:
		if strings.Contains(err.Error(), "contact") || strings.Contains(err.Error(), "phone") {
			return smpp.StatusInvDstAddr
		}
		return smpp.StatusSubmitFailed
	case herald.EUNAVAILABLE, herald.ERATELIMIT:
		return smpp.StatusMsgQueueFull
	}
	return smpp.StatusSysErr
}

// phone returns an SMPP destination as a phone number: international with
// a '+'.
func phone(a smpp.Address) string {
	if a.Addr == "" || a.Addr[0] == '+' || a.TON != 1 && len(a.Addr) < 8 {
		return a.Addr
	}
	return "+" + a.Addr
}

// CredentialChanged ends the open binds of the system_ids of a credential
// that was edited or deleted, so that the customer binds again under the
// credential's new password, address list, throughput and bind limit, or
// is refused when it is gone. Deliveries not acknowledged wait in the
// outbox for the next bind.
func (s *Service) CredentialChanged(systemIDs ...string) {
	for _, id := range systemIDs {
		s.mu.Lock()
		delete(s.creds, strings.ToLower(id))
		s.mu.Unlock()
		if n := s.srv.Unbind(id, unbindTimeout); n > 0 {
			s.log.Info("smpp: ended binds of a changed credential", "system_id", id, "binds", n)
		}
	}
}

// unbindTimeout is how long CredentialChanged waits for each unbind_resp.
const unbindTimeout = 5 * time.Second
