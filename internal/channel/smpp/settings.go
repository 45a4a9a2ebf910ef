package smpp

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/smpp"
)

// SecretPassword is the key of the bind password in a connection's secrets.
const SecretPassword = "password"

// Settings configure one SMPP connection (its Connection.Settings). The
// bind password is the connection's secret "password". Zero values take
// the protocol layer's defaults.
type Settings struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// TLS wraps the connection in TLS; TLSInsecure skips the certificate
	// check (test SMSCs with self-signed certificates).
	TLS         bool   `json:"tls"`
	TLSInsecure bool   `json:"tlsInsecure,omitempty"`
	SystemID    string `json:"systemId"`
	SystemType  string `json:"systemType"`
	// BindMode is "transceiver" (default), "transmitter+receiver" or
	// "transmitter"; Binds the number of binds (or pairs).
	BindMode string `json:"bindMode"`
	Binds    int    `json:"binds"`
	// SourceTON/NPI and DestTON/NPI are the address plans; with AutoTON
	// (default true) "+digits" is sent as international and alphanumeric
	// senders as TON 5.
	SourceTON byte  `json:"sourceTon"`
	SourceNPI byte  `json:"sourceNpi"`
	DestTON   byte  `json:"destTon"`
	DestNPI   byte  `json:"destNpi"`
	AutoTON   *bool `json:"autoTon,omitempty"`
	// Window is the submit_sm each bind keeps outstanding.
	Window int `json:"window"`
	// Throughput is submit_sm per second over all binds; 0 takes the
	// connection's TPS.
	Throughput float64 `json:"throughput"`
	// EnquireLink, ResponseTimeout, ReconnectMin and ReconnectMax tune the
	// sessions' timers.
	EnquireLink     channel.Duration `json:"enquireLink"`
	ResponseTimeout channel.Duration `json:"responseTimeout"`
	ReconnectMin    channel.Duration `json:"reconnectMin"`
	ReconnectMax    channel.Duration `json:"reconnectMax"`
	// RegisteredDelivery goes in every submit_sm; default 1 (final receipt).
	RegisteredDelivery *byte `json:"registeredDelivery,omitempty"`
	// DataCoding is the data_coding of text in the default alphabet.
	DataCoding byte `json:"dataCoding"`
	// Concat is "udh8" (default), "udh16", "sar" or "payload".
	Concat string `json:"concat"`
	// Alphabet is "gsm7" (default, unpacked), "gsm7-packed" or "latin1".
	Alphabet string `json:"alphabet"`
}

// bindMode, concat and alphabet name the protocol layer's options; ok is
// false for an unknown name.
func bindMode(name string) (smpp.BindMode, bool) {
	switch name {
	case "", "transceiver":
		return smpp.BindTransceiver, true
	case "transmitter+receiver":
		return smpp.BindTransmitterReceiver, true
	case "transmitter":
		return smpp.BindTransmitter, true
	}
	return 0, false
}

func concat(name string) (smpp.Concat, bool) {
	switch name {
	case "", "udh8":
		return smpp.ConcatUDH8, true
	case "udh16":
		return smpp.ConcatUDH16, true
	case "sar":
		return smpp.ConcatSAR, true
	case "payload":
		return smpp.ConcatPayload, true
	}
	return 0, false
}

func alphabet(name string) (smpp.Alphabet, bool) {
	switch name {
	case "", "gsm7":
		return smpp.GSM7, true
	case "gsm7-packed":
		return smpp.GSM7Packed, true
	case "latin1":
		return smpp.Latin1, true
	}
	return 0, false
}

// ParseSettings reads and checks a connection's settings.
func ParseSettings(raw json.RawMessage) (Settings, error) {
	var s Settings
	if err := channel.DecodeSettings(raw, &s); err != nil {
		return s, fmt.Errorf("reading smpp settings: %w", err)
	}
	var vs herald.Violations
	if strings.TrimSpace(s.Host) == "" {
		vs.Add("settings.host", herald.VRequired, "The SMSC's host is required.")
	}
	if s.Port <= 0 || s.Port > 65535 {
		vs.Add("settings.port", herald.VRange, "The port is from 1 to 65535.")
	}
	if _, ok := bindMode(s.BindMode); !ok {
		vs.Add("settings.bindMode", herald.VUnknown, "The bind mode is transceiver, transmitter+receiver or transmitter.")
	}
	if _, ok := concat(s.Concat); !ok {
		vs.Add("settings.concat", herald.VUnknown, "Concatenation is udh8, udh16, sar or payload.")
	}
	if _, ok := alphabet(s.Alphabet); !ok {
		vs.Add("settings.alphabet", herald.VUnknown, "The alphabet is gsm7, gsm7-packed or latin1.")
	}
	if s.Binds < 0 || s.Window < 0 || s.Throughput < 0 {
		vs.Add("settings", herald.VRange, "Binds, window and throughput cannot be negative.")
	}
	if err := vs.Err(); err != nil {
		return s, fmt.Errorf("checking smpp settings: %w", err)
	}
	return s, nil
}

// config returns the protocol layer's client configuration of conn.
func (s Settings) config(conn *herald.Connection) smpp.Config {
	auto := s.AutoTON == nil || *s.AutoTON
	rd := byte(1)
	if s.RegisteredDelivery != nil {
		rd = *s.RegisteredDelivery
	}
	tps := s.Throughput
	if tps == 0 {
		tps = float64(conn.TPS)
	}
	mode, _ := bindMode(s.BindMode)
	cc, _ := concat(s.Concat)
	alpha, _ := alphabet(s.Alphabet)
	cfg := smpp.Config{
		Addr:     net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		SystemID: s.SystemID, Password: conn.Secrets[SecretPassword], SystemType: s.SystemType,
		Mode: mode, Binds: s.Binds, Window: s.Window, Throughput: tps,
		EnquireLink: time.Duration(s.EnquireLink), ResponseTimeout: time.Duration(s.ResponseTimeout),
		ReconnectMin: time.Duration(s.ReconnectMin), ReconnectMax: time.Duration(s.ReconnectMax),
		Alphabet: alpha, DataCoding: s.DataCoding, Concat: cc,
		Source:             smpp.AddrPlan{TON: s.SourceTON, NPI: s.SourceNPI, Auto: auto},
		Dest:               smpp.AddrPlan{TON: s.DestTON, NPI: s.DestNPI, Auto: auto},
		RegisteredDelivery: rd,
	}
	if s.TLS {
		cfg.TLS = &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.TLSInsecure} //nolint:gosec // opt-in for test SMSCs
	}
	return cfg
}
