package smpp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// BindMode is how a client binds.
type BindMode uint8

// Bind modes.
const (
	// BindTransceiver sends and receives on one bind_transceiver session.
	BindTransceiver BindMode = iota
	// BindTransmitterReceiver opens a bind_transmitter and a bind_receiver
	// session for each bind, for SMSCs without transceiver support.
	BindTransmitterReceiver
	// BindTransmitter only sends: receipts and MO are not received.
	BindTransmitter
	// BindReceiver only receives.
	BindReceiver
)

// String returns the mode's name.
func (m BindMode) String() string {
	switch m {
	case BindTransceiver:
		return "transceiver"
	case BindTransmitterReceiver:
		return "transmitter+receiver"
	case BindTransmitter:
		return "transmitter"
	case BindReceiver:
		return "receiver"
	}
	return fmt.Sprintf("BindMode(%d)", m)
}

// Config configures a Client: one connection to an SMSC, served by one or
// more binds. Zero values take the defaults given.
type Config struct {
	// Addr is the SMSC's host:port.
	Addr string
	// TLS, when set, wraps the connection in TLS.
	TLS *tls.Config
	// Dial, when set, opens the TCP connection (tests, proxies).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// SystemID, Password and SystemType go in the bind. Password is sent as
	// is (SMPP allows 8 characters; some SMSCs accept more).
	SystemID, Password, SystemType string
	// InterfaceVersion is sent in the bind; default 0x34.
	InterfaceVersion byte
	// AddressRange is sent in receiver and transceiver binds.
	AddressRange string

	// Mode is the bind mode; Binds the number of binds (sessions, or
	// transmitter+receiver pairs); default 1.
	Mode  BindMode
	Binds int

	// Window is the number of submit_sm a session keeps outstanding; default 10.
	Window int
	// Throughput limits submit_sm per second across all binds; 0 is unlimited.
	Throughput float64
	// EnquireLink is the idle time after which a session sends
	// enquire_link; default 30s.
	EnquireLink time.Duration
	// ResponseTimeout is how long a session waits for any response
	// (bind_resp included) before it presumes the SMSC dead, closes and
	// reconnects; default 10s.
	ResponseTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the exponential backoff between
	// connection attempts; default 1s and 60s.
	ReconnectMin, ReconnectMax time.Duration
	// ThrottleBackoff is how long the client pauses sending after
	// ESME_RTHROTTLED or ESME_RMSGQFUL; default 1s.
	ThrottleBackoff time.Duration
	// MaxRetries is how many times a segment is sent again after its
	// session died before the answer, or after a temporary status;
	// default 3, -1 for none. Throttling does not count.
	MaxRetries int
	// Retryable classifies submit_sm_resp statuses; default Status.Temporary.
	Retryable func(Status) bool

	// Alphabet, DataCoding and Concat shape the text: see their types.
	// DataCoding is the data_coding of text in the default alphabet
	// (default 0, or 3 for Latin1).
	Alphabet   Alphabet
	DataCoding byte
	Concat     Concat
	// Source and Dest set the TON and NPI of addresses.
	Source, Dest AddrPlan
	// ServiceType, ESMClass, ProtocolID and RegisteredDelivery go in every
	// submit_sm (the UDHI bit is added when a header is present).
	ServiceType        string
	ESMClass           byte
	ProtocolID         byte
	RegisteredDelivery byte

	// Inbound receives receipts and MO messages; nil acknowledges and
	// drops them.
	Inbound Inbound
	// InboundConcurrency is how many deliver_sm a session handles at
	// once; default 128. Each waits until what it delivered is stored
	// (a receipt's status is committed with others, a few milliseconds
	// later), so this, over that wait, bounds the receipts a session
	// takes per second; SMSCs keep up to their window outstanding.
	InboundConcurrency int
	// ReassemblyTimeout is how long the parts of a concatenated MO wait
	// for the rest; the parts present are then delivered as incomplete.
	// Default 2 minutes.
	ReassemblyTimeout time.Duration

	// Logger receives session events; default slog.Default().
	Logger *slog.Logger
}

// withDefaults validates cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Addr == "" {
		return cfg, errors.New("smpp: config: Addr is required")
	}
	if cfg.Mode > BindReceiver {
		return cfg, fmt.Errorf("smpp: config: unknown bind mode %d", cfg.Mode)
	}
	if cfg.Alphabet > Latin1 || cfg.Concat > ConcatPayload {
		return cfg, errors.New("smpp: config: unknown alphabet or concatenation")
	}
	if cfg.Throughput < 0 || cfg.Window < 0 || cfg.Binds < 0 {
		return cfg, errors.New("smpp: config: negative Throughput, Window or Binds")
	}
	setDefault(&cfg.InterfaceVersion, 0x34)
	setDefault(&cfg.Binds, 1)
	setDefault(&cfg.Window, 10)
	setDefault(&cfg.EnquireLink, 30*time.Second)
	setDefault(&cfg.ResponseTimeout, 10*time.Second)
	setDefault(&cfg.ReconnectMin, time.Second)
	setDefault(&cfg.ReconnectMax, time.Minute)
	setDefault(&cfg.ThrottleBackoff, time.Second)
	setDefault(&cfg.MaxRetries, 3)
	setDefault(&cfg.InboundConcurrency, 128)
	setDefault(&cfg.ReassemblyTimeout, 2*time.Minute)
	cfg.ReconnectMax = max(cfg.ReconnectMax, cfg.ReconnectMin)
	cfg.MaxRetries = max(cfg.MaxRetries, 0)
	if cfg.Retryable == nil {
		cfg.Retryable = Status.Temporary
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}

// setDefault sets *v to def when it is the zero value.
func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
