// Package config holds Herald's typed configuration: defaults, then a config
// file, then HERALD_* environment variables, then command-line flags, each
// overriding the one before. Unknown keys are errors, never ignored.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of a Herald process.
type Config struct {
	Addr            string        // HTTP listen address
	DataDir         string        // where the SQLite database, media and the secret key live
	DatabaseURL     string        // empty: SQLite in DataDir; postgres://...: PostgreSQL
	AdminPassword   string        // first admin's password; generated when empty
	SecretKey       string        // base64 32-byte key sealing secrets; DataDir/secret.key when empty
	NATSURL         string        // external NATS; empty: embedded, in-process, no listener
	Role            string        // all, api or worker
	BaseURL         string        // the portal's public URL, for links and secure cookies
	CookieSecure    string        // auto, true or false
	TrustProxy      bool          // take the client address from X-Forwarded-For
	LogLevel        string        // debug, info, warn or error
	LogFormat       string        // text or json
	ShutdownTimeout time.Duration // how long a graceful stop may take
	SMPPAddr        string        // SMPP server listen address; empty: no SMPP server
	SMPPTLSCert     string        // PEM certificate file: the SMPP server accepts TLS only
	SMPPTLSKey      string        // PEM key file of SMPPTLSCert
	SMPPPartsWait   time.Duration // how long a long message submitted in parts waits for missing parts
	SMTPAddr        string        // inbound SMTP listen address; empty: no listener
	SMTPDomain      string        // the inbound SMTP listener's name in its greeting
	SMTPMaxSize     int64         // the largest inbound e-mail in bytes
	SMTPTLSCert     string        // PEM certificate file: the listener offers STARTTLS
	SMTPTLSKey      string        // PEM key file of SMTPTLSCert
	GCPercent       int64         // the garbage collector's target heap growth in percent (GOGC)
}

// Setting describes one configuration key.
type Setting struct {
	Env     string // environment variable and config file key
	Flag    string // command-line flag of serve; "" when none
	Default string
	Help    string
	set     func(c *Config, v string) error
}

// Settings lists every configuration key; the README's reference is made
// from it.
func Settings() []Setting {
	return []Setting{
		{"HERALD_ADDR", "addr", "127.0.0.1:8080", "HTTP listen address (host:port).", setAddr},
		{"HERALD_DATA_DIR", "data-dir", "./herald-data", "Directory for the embedded database, media and the secret key.", str(func(c *Config) *string { return &c.DataDir })},
		{"HERALD_DATABASE_URL", "database-url", "", "Empty for embedded SQLite in the data directory; postgres://user:pass@host:5432/db for PostgreSQL.", setDatabaseURL},
		{"HERALD_ADMIN_PASSWORD", "", "", "Password of the first admin, used once on first start; generated and printed when empty.", str(func(c *Config) *string { return &c.AdminPassword })},
		{"HERALD_SECRET_KEY", "", "", "Base64 32-byte key that seals stored secrets and signs public media links; read from or created in <data-dir>/secret.key when empty. Every process of one installation needs the same key.", str(func(c *Config) *string { return &c.SecretKey })},
		{"HERALD_NATS_URL", "nats-url", "", "External NATS server for events between processes; empty runs NATS in-process with no listener.", setNATSURL},
		{"HERALD_ROLE", "role", "all", "What this process runs: all, api (HTTP only) or worker (background jobs only).", oneOf(func(c *Config) *string { return &c.Role }, "all", "api", "worker")},
		{"HERALD_BASE_URL", "base-url", "", "Public URL of the portal and of public media links, such as https://herald.example.com; http://<addr> when empty.", setBaseURL},
		{"HERALD_COOKIE_SECURE", "", "auto", "Mark session cookies Secure: auto (when the base URL is https), true or false.", oneOf(func(c *Config) *string { return &c.CookieSecure }, "auto", "true", "false")},
		{"HERALD_TRUST_PROXY", "", "false", "Take client addresses from X-Forwarded-For (only behind a proxy you run).", setBool(func(c *Config) *bool { return &c.TrustProxy })},
		{"HERALD_LOG_LEVEL", "log-level", "info", "debug, info, warn or error.", oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
		{"HERALD_LOG_FORMAT", "log-format", "text", "text or json.", oneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")},
		{"HERALD_SHUTDOWN_TIMEOUT", "", "30s", "How long a graceful stop waits for requests and jobs.", setDuration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{"HERALD_SMPP_ADDR", "smpp-addr", "", "SMPP server listen address (host:port) for customers' binds; empty runs no SMPP server.", str(func(c *Config) *string { return &c.SMPPAddr })},
		{"HERALD_SMPP_TLS_CERT", "", "", "PEM certificate file; with HERALD_SMPP_TLS_KEY the SMPP server accepts TLS connections only.", str(func(c *Config) *string { return &c.SMPPTLSCert })},
		{"HERALD_SMPP_TLS_KEY", "", "", "PEM private key file of HERALD_SMPP_TLS_CERT.", str(func(c *Config) *string { return &c.SMPPTLSKey })},
		{"HERALD_SMPP_PARTS_WAIT", "", "2m", "How long a long message submitted to the SMPP server in parts waits for its missing parts before it is sent without them.", setDuration(func(c *Config) *time.Duration { return &c.SMPPPartsWait })},
		{"HERALD_SMTP_ADDR", "smtp-addr", "", "Inbound SMTP listen address (host:port) for replies and bounces to e-mail sender IDs; empty runs no listener.", setOptionalAddr(func(c *Config) *string { return &c.SMTPAddr })},
		{"HERALD_SMTP_DOMAIN", "", "localhost", "The inbound SMTP listener's host name in its greeting.", str(func(c *Config) *string { return &c.SMTPDomain })},
		{"HERALD_SMTP_MAX_SIZE", "", "41943040", "The largest inbound e-mail the listener takes, in bytes.", setPositiveInt(func(c *Config) *int64 { return &c.SMTPMaxSize })},
		{"HERALD_SMTP_TLS_CERT", "", "", "PEM certificate file; with HERALD_SMTP_TLS_KEY the inbound SMTP listener offers STARTTLS.", str(func(c *Config) *string { return &c.SMTPTLSCert })},
		{"HERALD_SMTP_TLS_KEY", "", "", "PEM private key file of HERALD_SMTP_TLS_CERT.", str(func(c *Config) *string { return &c.SMTPTLSKey })},
		{"HERALD_GC_PERCENT", "", "200", "How far the heap grows past live data before the garbage collector runs, in percent (Go's GOGC; the GOGC variable wins when set). Higher spends less CPU on collection and more memory.", setPositiveInt(func(c *Config) *int64 { return &c.GCPercent })},
	}
}

// Default returns the configuration with every default applied.
func Default() Config {
	var c Config
	for _, s := range Settings() {
		if err := s.set(&c, s.Default); err != nil {
			panic(fmt.Sprintf("config: bad default for %s: %v", s.Env, err))
		}
	}
	return c
}

// Load builds the configuration for serve-like commands: defaults, then the
// file named by --config or HERALD_CONFIG, then the environment, then the
// flags in args. environ is os.Environ() in production.
func Load(args, environ []string) (Config, error) {
	c := Default()
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "HERALD_") {
			env[k] = v
		}
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	file := fs.String("config", env["HERALD_CONFIG"], "configuration file of KEY=value lines")
	flags := map[string]*string{}
	for _, s := range Settings() {
		if s.Flag != "" {
			flags[s.Flag] = fs.String(s.Flag, "", s.Help)
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("parsing flags: %w", err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *file != "" {
		if err := c.applyFile(*file); err != nil {
			return c, err
		}
	}
	if err := c.applyEnv(env); err != nil {
		return c, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range Settings() {
		if s.Flag != "" && set[s.Flag] {
			if err := s.set(&c, *flags[s.Flag]); err != nil {
				return c, fmt.Errorf("flag --%s: %w", s.Flag, err)
			}
		}
	}
	return c, nil
}

// FlagUsage returns the help text of serve's flags.
func FlagUsage() string {
	var b strings.Builder
	b.WriteString("  --config FILE\n\tconfiguration file of KEY=value lines (env HERALD_CONFIG)\n")
	for _, s := range Settings() {
		if s.Flag != "" {
			fmt.Fprintf(&b, "  --%s\n\t%s (env %s, default %q)\n", s.Flag, s.Help, s.Env, s.Default)
		}
	}
	return b.String()
}

// ignoredEnv are HERALD_ variables that are not configuration keys.
func ignoredEnv(k string) bool {
	return k == "HERALD_CONFIG" || strings.HasPrefix(k, "HERALD_TEST_")
}

// applyEnv sets every HERALD_* variable and rejects unknown ones.
func (c *Config) applyEnv(env map[string]string) error {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if ignoredEnv(k) {
			continue
		}
		if err := c.setKey(k, env[k]); err != nil {
			return fmt.Errorf("environment: %w", err)
		}
	}
	return nil
}

// applyFile reads KEY=value lines; blank lines and # comments are skipped.
func (c *Config) applyFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening config file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("%s:%d: expected KEY=value", path, n)
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if err := c.setKey(strings.TrimSpace(k), v); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading config file: %w", err)
	}
	return nil
}

// setKey sets the setting named k, or reports it as unknown with the
// closest known name.
func (c *Config) setKey(k, v string) error {
	for _, s := range Settings() {
		if s.Env == k {
			if err := s.set(c, v); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			return nil
		}
	}
	msg := fmt.Sprintf("unknown configuration key %s", k)
	if near := closest(k); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return errors.New(msg)
}

// closest returns the known key nearest to k, if reasonably near.
func closest(k string) string {
	best, bestD := "", 4
	for _, s := range Settings() {
		if d := distance(k, s.Env); d < bestD {
			best, bestD = s.Env, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// SecureCookies reports whether session cookies get the Secure attribute.
func (c Config) SecureCookies() bool {
	switch c.CookieSecure {
	case "true":
		return true
	case "false":
		return false
	}
	return strings.HasPrefix(c.BaseURL, "https://")
}

// PublicURL returns BaseURL, or the listen address as an http URL.
func (c Config) PublicURL() string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	return "http://" + c.Addr
}

func str(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func oneOf(field func(*Config) *string, allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		for _, a := range allowed {
			if v == a {
				*field(c) = v
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

func setBool(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*field(c) = b
		return nil
	}
}

func setDuration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 30s", v)
		}
		*field(c) = d
		return nil
	}
}

// setOptionalAddr accepts "" or host:port.
func setOptionalAddr(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v != "" {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("%q is not host:port: %w", v, err)
			}
		}
		*field(c) = v
		return nil
	}
}

// setPositiveInt accepts a whole number above zero.
func setPositiveInt(field func(*Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("%q is not a positive whole number", v)
		}
		*field(c) = n
		return nil
	}
}

func setAddr(c *Config, v string) error {
	if _, _, err := net.SplitHostPort(v); err != nil {
		return fmt.Errorf("%q is not host:port: %w", v, err)
	}
	c.Addr = v
	return nil
}

func setBaseURL(c *Config, v string) error {
	if v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not an http:// or https:// URL", v)
		}
		v = strings.TrimRight(v, "/")
	}
	c.BaseURL = v
	return nil
}

func setNATSURL(c *Config, v string) error {
	if v != "" {
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || (u.Scheme != "nats" && u.Scheme != "tls") {
			return fmt.Errorf("%q is not a nats:// URL", v)
		}
	}
	c.NATSURL = v
	return nil
}

// setDatabaseURL accepts "" (SQLite), a postgres URL or a sqlite URL, and
// names what is wrong with anything else. It never shows a password.
func setDatabaseURL(c *Config, v string) error {
	if v == "" {
		c.DatabaseURL = ""
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("the database URL is malformed; expected postgres://user:password@host:5432/dbname or empty for SQLite")
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		if u.Host == "" {
			return errors.New("the PostgreSQL URL has no host; expected postgres://user:password@host:5432/dbname")
		}
		if _, port, err := net.SplitHostPort(u.Host); err == nil {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return fmt.Errorf("the PostgreSQL URL has an invalid port %q", port)
			}
		}
		if strings.Trim(u.Path, "/") == "" {
			return errors.New("the PostgreSQL URL names no database; expected postgres://user:password@host:5432/dbname")
		}
	case "sqlite", "file":
		if u.Opaque == "" && u.Path == "" {
			return errors.New("the SQLite URL names no file; expected sqlite:///path/to/herald.db")
		}
	default:
		return fmt.Errorf("unsupported database URL scheme %q; use postgres:// or leave it empty for SQLite", u.Scheme)
	}
	c.DatabaseURL = v
	return nil
}
