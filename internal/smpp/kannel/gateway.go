package kannel

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SMSC is one "group = smsc" of type smpp: bearerbox as an ESME.
type SMSC struct {
	// ID is the smsc-id; groups with the same ID form one SMSC (a
	// transmitter group with Port and a receiver group with ReceivePort).
	ID string
	// Host and Port are the SMSC's address (Port for transmitter or
	// transceiver binds); ReceivePort alone makes a receiver bind. Kannel
	// refuses both ports in one group.
	Host              string
	Port, ReceivePort int
	// Transceiver binds with bind_transceiver (transceiver-mode).
	Transceiver bool
	// Username, Password and SystemType go in the bind. Kannel 1.4.5
	// requires system-type: an empty one is sent empty.
	Username, Password, SystemType string
	// MaxPendingSubmits is Kannel's window; default 100.
	MaxPendingSubmits int
	// EnquireLinkInterval in seconds; default 30.
	EnquireLinkInterval int
	// Extra lines, such as "msg-id-type = 0x01", added to the group.
	Extra []string
}

// GatewayConfig describes a bearerbox and smsbox pair. Zero ports are
// picked free by StartGateway.
type GatewayConfig struct {
	AdminPort, BoxPort, SendsmsPort int
	// AdminPassword guards status.xml; default "bar".
	AdminPassword string
	// Username and Password are the sendsms-user; default tester/foobar.
	Username, Password string
	// LogLevel is bearerbox's and smsbox's log-file level, 0 debug to 4
	// panic; Kannel's default 0 costs throughput. Default 1.
	// SmsboxLogLevel, when set, overrides it for smsbox.
	LogLevel, SmsboxLogLevel int
	// MOURL is the sms-service get-url that receives MO messages (Kannel
	// escapes such as %p, %P, %a apply); empty answers MO with a fixed
	// text instead.
	MOURL string
	SMSCs []SMSC
}

// Render returns the configuration file. Groups are separated by one blank
// line and never contain one: a blank line ends a Kannel group.
func (c GatewayConfig) Render(logDir string) string {
	var groups [][]string
	add := func(lines ...string) { groups = append(groups, lines) }
	q := strconv.Quote
	add("group = core",
		"admin-port = "+strconv.Itoa(c.AdminPort),
		"admin-interface = 127.0.0.1",
		"admin-password = "+q(c.AdminPassword),
		"status-password = "+q(c.AdminPassword),
		`admin-deny-ip = "*.*.*.*"`,
		`admin-allow-ip = "127.0.0.1"`,
		"smsbox-port = "+strconv.Itoa(c.BoxPort),
		"smsbox-interface = 127.0.0.1",
		`box-deny-ip = "*.*.*.*"`,
		`box-allow-ip = "127.0.0.1"`,
		"log-file = "+q(filepath.Join(logDir, "bearerbox.log")),
		"log-level = "+strconv.Itoa(c.LogLevel),
		"dlr-storage = internal")
	add("group = smsbox",
		"bearerbox-host = 127.0.0.1",
		"bearerbox-port = "+strconv.Itoa(c.BoxPort),
		"sendsms-port = "+strconv.Itoa(c.SendsmsPort),
		"sendsms-interface = 127.0.0.1",
		"log-file = "+q(filepath.Join(logDir, "smsbox.log")),
		"log-level = "+strconv.Itoa(cmp.Or(c.SmsboxLogLevel, c.LogLevel)))
	add("group = sendsms-user",
		"username = "+q(c.Username),
		"password = "+q(c.Password),
		"max-messages = 10",
		"concatenation = true")
	if c.MOURL != "" {
		add("group = sms-service", "keyword = default", "get-url = "+q(c.MOURL), "max-messages = 0", "catch-all = true")
	} else {
		add("group = sms-service", "keyword = default", `text = "No service specified"`)
	}
	for _, s := range c.SMSCs {
		g := []string{"group = smsc", "smsc = smpp", "smsc-id = " + q(s.ID), "host = " + q(s.Host)}
		if s.Port != 0 {
			g = append(g, "port = "+strconv.Itoa(s.Port))
		}
		if s.ReceivePort != 0 {
			g = append(g, "receive-port = "+strconv.Itoa(s.ReceivePort))
		}
		if s.Transceiver {
			g = append(g, "transceiver-mode = true")
		}
		g = append(g,
			"smsc-username = "+q(s.Username),
			"smsc-password = "+q(s.Password),
			"system-type = "+q(s.SystemType),
			"max-pending-submits = "+strconv.Itoa(s.MaxPendingSubmits),
			"enquire-link-interval = "+strconv.Itoa(s.EnquireLinkInterval),
			"reconnect-delay = 1")
		for _, e := range s.Extra {
			if strings.TrimSpace(e) != "" {
				g = append(g, e)
			}
		}
		add(g...)
	}
	var b strings.Builder
	for i, g := range groups {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, l := range g {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// Gateway is a running bearerbox and smsbox.
type Gateway struct {
	Config GatewayConfig
	// Dir holds the configuration and the logs.
	Dir       string
	bearerbox *process
	smsbox    *process
}

// StartGateway writes cfg to dir and starts bearerbox and then smsbox,
// waiting for each to listen. Call WaitOnline to wait for the SMSC binds.
func StartGateway(ctx context.Context, cfg GatewayConfig, dir string) (*Gateway, error) {
	if err := Require(BearerboxPath, SmsboxPath); err != nil {
		return nil, err
	}
	for _, p := range []*int{&cfg.AdminPort, &cfg.BoxPort, &cfg.SendsmsPort} {
		if *p == 0 {
			port, err := FreePort()
			if err != nil {
				return nil, err
			}
			*p = port
		}
	}
	setDefault(&cfg.AdminPassword, "bar")
	setDefault(&cfg.Username, "tester")
	setDefault(&cfg.Password, "foobar")
	setDefault(&cfg.LogLevel, 1)
	for i := range cfg.SMSCs {
		setDefault(&cfg.SMSCs[i].MaxPendingSubmits, 100)
		setDefault(&cfg.SMSCs[i].EnquireLinkInterval, 30)
		setDefault(&cfg.SMSCs[i].Host, "127.0.0.1")
	}
	path := filepath.Join(dir, "kannel.conf")
	if err := os.WriteFile(path, []byte(cfg.Render(dir)), 0o644); err != nil {
		return nil, fmt.Errorf("kannel: writing the configuration: %w", err)
	}
	g := &Gateway{Config: cfg, Dir: dir}
	var err error
	if g.bearerbox, err = start("bearerbox", BearerboxPath, "-v", "4", path); err != nil {
		return nil, err
	}
	if err := g.waitPort(ctx, g.bearerbox, cfg.AdminPort); err != nil {
		g.Close()
		return nil, err
	}
	if g.smsbox, err = start("smsbox", SmsboxPath, "-v", "4", path); err != nil {
		g.Close()
		return nil, err
	}
	if err := g.waitPort(ctx, g.smsbox, cfg.SendsmsPort); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// waitPort waits until p listens on port, failing if p exits.
func (g *Gateway) waitPort(ctx context.Context, p *process, port int) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for !listening(port) {
		if p.exited() {
			return fmt.Errorf("kannel: %s %w: %s%s", p.name, errExited, p.out.String(), g.Logs())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kannel: %s does not listen on %d: %w", p.name, port, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// Logs returns the tail of bearerbox's and smsbox's log files, for test
// failures.
func (g *Gateway) Logs() string {
	var b strings.Builder
	for _, name := range []string{"bearerbox.log", "smsbox.log"} {
		data, err := os.ReadFile(filepath.Join(g.Dir, name))
		if err != nil {
			continue
		}
		if len(data) > 8000 {
			data = data[len(data)-8000:]
		}
		fmt.Fprintf(&b, "\n--- %s ---\n%s", name, data)
	}
	return b.String()
}

// Status returns bearerbox's status.xml.
func (g *Gateway) Status(ctx context.Context) (string, error) {
	u := fmt.Sprintf("http://127.0.0.1:%d/status.xml?password=%s", g.Config.AdminPort, url.QueryEscape(g.Config.AdminPassword))
	return get(ctx, u)
}

// smscStates returns the status word of each <smsc> in status.xml, such as
// "online" or "connecting".
func smscStates(xml string) []string {
	var out []string
	for _, part := range strings.Split(xml, "<smsc>")[1:] {
		if i := strings.Index(part, "<status>"); i >= 0 {
			s := part[i+len("<status>"):]
			if end := strings.IndexAny(s, " <"); end >= 0 {
				s = s[:end]
			}
			out = append(out, s)
		}
	}
	return out
}

// WaitOnline waits until every SMSC bind shows "online" in status.xml.
func (g *Gateway) WaitOnline(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		st, err := g.Status(ctx)
		if err == nil {
			states := smscStates(st)
			online := len(states) > 0
			for _, s := range states {
				online = online && s == "online"
			}
			if online {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kannel: waiting for the SMSC binds: %w (status: %.2000s)%s", ctx.Err(), st, g.Logs())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Sent returns status.xml's count of SMS sent: submit_sm answered with
// status 0 by the SMSCs.
func (g *Gateway) Sent(ctx context.Context) (int, error) {
	st, err := g.Status(ctx)
	if err != nil {
		return 0, err
	}
	i := strings.Index(st, "<sms>")
	j := strings.Index(st, "</sms>")
	if i < 0 || j < i {
		return 0, fmt.Errorf("kannel: no <sms> in status.xml")
	}
	n := counter(st[i:j], "<sent><total>")
	if n < 0 {
		return 0, fmt.Errorf("kannel: no sent total in status.xml")
	}
	return n, nil
}

// CPU returns the CPU time (user and system) bearerbox and smsbox have
// used so far.
func (g *Gateway) CPU() time.Duration {
	return g.bearerbox.cpu() + g.smsbox.cpu()
}

// SendSMS calls smsbox's sendsms with the sendsms-user's credentials and
// params (from, to, text, dlr-mask, dlr-url...). It returns the HTTP status
// and body.
func (g *Gateway) SendSMS(ctx context.Context, params url.Values) (int, string, error) {
	q := url.Values{"username": {g.Config.Username}, "password": {g.Config.Password}}
	for k, v := range params {
		q[k] = v
	}
	u := fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/sendsms?%s", g.Config.SendsmsPort, q.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("kannel: sendsms: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), nil
}

// Close stops smsbox, then bearerbox.
func (g *Gateway) Close() {
	if g.smsbox != nil {
		g.smsbox.stop(3 * time.Second)
	}
	if g.bearerbox != nil {
		g.bearerbox.stop(3 * time.Second)
	}
}

// get fetches u and returns its body.
func get(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// setDefault sets *v to def when it is the zero value.
func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
