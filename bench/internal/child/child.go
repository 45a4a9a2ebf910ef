// Package child runs Herald as a child process for the benchmarks: it
// builds the binary, gives it a fresh SQLite directory or PostgreSQL
// database, starts, kills and stops it, samples its memory and CPU, and
// calls its API.
package child

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is the herald child process and what it runs on.
type Server struct {
	bin     string   // the herald binary
	env     []string // its environment
	Dir     string   // temporary directory
	Addr    string   // 127.0.0.1:port
	DBURL   string   // PostgreSQL database URL, "" for SQLite
	dbName  string
	adminPG string
	cmd     *exec.Cmd
	logFile *os.File
	peak    int64 // largest VmHWM seen, kB
	profile string
}

// newServer builds herald into a temporary directory and prepares its
// environment and database.
func New(ctx context.Context, o Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "herald-bench-"+o.Name+"-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, bin: filepath.Join(dir, "herald"), adminPG: o.PostgresURL, profile: o.CPUProfile}
	pkg := "./cmd/herald"
	if o.CPUProfile != "" {
		pkg = "./bench/send/profserver"
	}
	Logf("building %s", pkg)
	build := exec.CommandContext(ctx, "go", "build", "-o", s.bin, pkg)
	build.Dir, build.Stdout, build.Stderr = ModuleRoot(), os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return s, fmt.Errorf("building herald: %w", err)
	}
	if s.Addr, err = freeAddr(); err != nil {
		return s, err
	}
	if o.Engine == "postgres" {
		if err := s.createDatabase(ctx); err != nil {
			return s, err
		}
	}
	s.env = s.environ(o)
	return s, nil
}

// moduleRoot returns the directory of the module's go.mod.
func ModuleRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// freeAddr returns a loopback address with a free port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// createDatabase creates a fresh PostgreSQL database for the run.
func (s *Server) createDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.adminPG)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	s.dbName = fmt.Sprintf("herald_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+s.dbName); err != nil {
		return fmt.Errorf("creating database: %w", err)
	}
	u, _ := url.Parse(s.adminPG)
	u.Path = "/" + s.dbName
	s.DBURL = u.String()
	return nil
}

// environ returns the child's environment: the bench's without HERALD_*
// settings, plus the run's.
func (s *Server) environ(o Options) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HERALD_") {
			env = append(env, kv)
		}
	}
	env = append(env, "HERALD_DATA_DIR="+filepath.Join(s.Dir, "data"), "HERALD_ADDR="+s.Addr,
		"HERALD_ADMIN_PASSWORD=Bench-Passw0rd!", "HERALD_LOG_LEVEL=warn", "HERALD_SHUTDOWN_TIMEOUT=60s")
	if s.DBURL != "" {
		env = append(env, "HERALD_DATABASE_URL="+s.DBURL)
	}
	if o.CPUProfile != "" {
		env = append(env, "BENCH_CPUPROFILE="+o.CPUProfile)
	}
	return env
}

// command runs a one-shot herald command and returns its output.
func (s *Server) Command(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = append(s.env[:len(s.env):len(s.env)], "BENCH_CPUPROFILE=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("herald %s: %w: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), nil
}

// start starts "herald serve" and waits until it is ready.
func (s *Server) Start(ctx context.Context, verbose bool) error {
	f, err := os.OpenFile(filepath.Join(s.Dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.logFile = f
	s.cmd = exec.Command(s.bin, "serve")
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = f, f
	if verbose {
		s.cmd.Stderr = io.MultiWriter(f, os.Stderr)
	}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting herald: %w", err)
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		res, err := http.Get("http://" + s.Addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("herald did not become ready; see %s", f.Name())
}

// rss reads the server's peak resident memory (VmHWM) and remembers the
// largest value seen.
func (s *Server) RSS() int64 {
	if s.cmd == nil || s.cmd.Process == nil {
		return s.peak
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return s.peak
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			s.peak = max(s.peak, n)
		}
	}
	return s.peak
}

// cpu returns the server's CPU time so far (user and system).
func (s *Server) CPU() time.Duration {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond // clock ticks of 1/100 s
}

// kill stops the server with SIGKILL, as a crash would.
func (s *Server) Kill() {
	s.RSS()
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.logFile.Close()
	s.cmd = nil
}

// stop stops the server gracefully.
func (s *Server) Stop() error {
	if s.cmd == nil {
		return nil
	}
	s.RSS()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	err := s.cmd.Wait()
	s.logFile.Close()
	s.cmd = nil
	return err
}

// cleanup removes the temporary directory and database unless kept.
func (s *Server) Cleanup(keep bool) {
	if s.cmd != nil {
		s.Kill()
	}
	if keep {
		Logf("kept %s %s", s.Dir, s.DBURL)
		return
	}
	os.RemoveAll(s.Dir)
	if s.dbName != "" {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, s.adminPG); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+s.dbName+" WITH (FORCE)")
			conn.Close(ctx)
		}
	}
}

// api calls the server's API with key and decodes the answer into v.
func (s *Server) API(method, path, key string, body, v any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.Addr+path, rd)
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, data)
	}
	if v != nil {
		return json.Unmarshal(data, v)
	}
	return nil
}

// logMetrics prints the server's Herald metrics (counters and queues).
func (s *Server) LogMetrics() {
	res, err := http.Get("http://" + s.Addr + "/metrics")
	if err != nil {
		return
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "herald_messages_total") || strings.HasPrefix(line, "herald_webhook") || strings.HasPrefix(line, "herald_queue") {
			Logf("metric %s", line)
		}
	}
}

// Options says what the child runs on.
type Options struct {
	Name        string // names the temporary directory: herald-bench-<Name>-
	Engine      string // sqlite or postgres
	PostgresURL string // an administrative PostgreSQL URL, for Engine postgres
	CPUProfile  string // a file for the child's CPU profile; "" for none
}

// Logf prints progress to standard error, each line with the time.
func Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}
