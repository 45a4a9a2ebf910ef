package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/cli"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/storetest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// instance is a running Herald.
type instance struct {
	url    string
	stdout *syncBuffer
	stop   func() error
}

// start boots Herald like `herald serve` on a free port and waits until it
// accepts connections.
func start(t *testing.T, env map[string]string) *instance {
	t.Helper()
	cfg, err := config.Load([]string{"--addr", "127.0.0.1:0"}, environ(env))
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	addr := make(chan string, 1)
	fast := auth.FastHashParams()
	m := &app.Main{Config: cfg, Stdout: out, Log: slog.New(slog.DiscardHandler), Hash: &fast,
		Started: func(a string) { addr <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case a := <-addr:
		inst := &instance{url: "http://" + a, stdout: out}
		var once sync.Once
		var stopErr error
		inst.stop = func() error {
			once.Do(func() { cancel(); stopErr = <-done })
			return stopErr
		}
		t.Cleanup(func() { _ = inst.stop() })
		return inst
	case err := <-done:
		cancel()
		t.Fatalf("herald did not start: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("herald did not start within a minute")
	}
	return nil
}

func environ(env map[string]string) []string {
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// runCLI runs one herald command in-process and returns its output.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = cli.Run(context.Background(), cli.Env{Args: args, Environ: environ(env), Stdout: &o, Stderr: &e})
	return code, o.String(), e.String()
}

// engines runs fn with the environment of a fresh SQLite data directory and
// of a fresh, empty PostgreSQL database.
func engines(t *testing.T, fn func(t *testing.T, env map[string]string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, map[string]string{"HERALD_DATA_DIR": filepath.Join(t.TempDir(), "data")})
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, map[string]string{"HERALD_DATA_DIR": t.TempDir(), "HERALD_DATABASE_URL": storetest.EmptyPostgresURL(t)})
	})
}

var passwordRE = regexp.MustCompile(`with the password:\s+(\S+)`)

// TestNewUserFlow is the README's promise: the first command gives a
// running portal; the admin signs in with the printed password, changes
// it, creates a user and an API key, and calls the API with the key.
func TestNewUserFlow(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		h := start(t, env)
		m := passwordRE.FindStringSubmatch(h.stdout.String())
		if m == nil {
			t.Fatalf("no generated password printed:\n%s", h.stdout.String())
		}
		first := m[1]
		for _, p := range []string{"/healthz", "/readyz"} {
			if code, body := get(t, http.DefaultClient, h.url+p); code != 200 || !strings.Contains(body, `"ok"`) {
				t.Fatalf("%s = %d %s", p, code, body)
			}
		}

		c := browser(t)
		form(t, c, h.url+"/signin", url.Values{"login": {"admin"}, "password": {"wrong"}}, 401)
		res := form(t, c, h.url+"/signin", url.Values{"login": {"admin"}, "password": {first}}, 200)
		if !strings.HasSuffix(res.url, "/password") {
			t.Fatalf("first sign-in landed on %s; want the forced password change", res.url)
		}
		form(t, c, h.url+"/password", url.Values{"currentPassword": {first}, "newPassword": {"Chosen-pass-1"}, "confirmPassword": {"Chosen-pass-1"}}, 200)
		if code, body := get(t, c, h.url+"/users"); code != 200 || !strings.Contains(body, "admin") {
			t.Fatalf("users page after the change = %d", code)
		}

		code, out, errOut := runCLI(t, env, "apikey", "create", "--account", "default", "--name", "automation", "--scopes", "admin,omni-api")
		if code != 0 {
			t.Fatalf("apikey create exited %d: %s", code, errOut)
		}
		key := strings.TrimSpace(out)
		var users struct {
			Items []struct {
				Login string `json:"login"`
			} `json:"items"`
		}
		apiGet(t, h.url+"/api/v1/users", key, &users)
		if len(users.Items) != 1 || users.Items[0].Login != "admin" {
			t.Fatalf("API users = %+v", users.Items)
		}
		body, _ := json.Marshal(map[string]any{"firstName": "Lilly", "lastName": "Johnson", "login": "lilly",
			"email": "lilly@example.com", "roleIds": []int64{roleID(t, h.url, key, "Broadcast manager")}, "password": "Lilly-pass-1"})
		req, _ := http.NewRequest("POST", h.url+"/api/v1/users", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 201 {
			t.Fatalf("creating a user through the API: %v %v", r.StatusCode, err)
		}
		var audit struct {
			Items []struct {
				Action string `json:"action"`
				User   string `json:"user"`
			} `json:"items"`
		}
		apiGet(t, h.url+"/api/v1/audit", key, &audit)
		if len(audit.Items) == 0 || audit.Items[0].Action != "Added new user" || audit.Items[0].User != "api:automation" {
			t.Fatalf("newest audit entry = %+v", audit.Items)
		}
		if code, body := get(t, http.DefaultClient, h.url+"/metrics"); code != 200 || !strings.Contains(body, `herald_http_requests_total{code="201",method="POST",route="POST /api/v1/users"} 1`) {
			t.Fatalf("metrics = %d\n%s", code, grep(body, "herald_http"))
		}

		// A graceful stop, then a restart on the same data: no new admin,
		// the changed password still signs in.
		if err := h.stop(); err != nil {
			t.Fatalf("graceful stop: %v", err)
		}
		h2 := start(t, env)
		if strings.Contains(h2.stdout.String(), "password") {
			t.Fatalf("a restart printed a password again:\n%s", h2.stdout.String())
		}
		c2 := browser(t)
		res = form(t, c2, h2.url+"/signin", url.Values{"login": {"admin"}, "password": {"Chosen-pass-1"}}, 200)
		if strings.HasSuffix(res.url, "/password") || strings.HasSuffix(res.url, "/signin") {
			t.Fatalf("sign-in after restart landed on %s", res.url)
		}
	})
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func roleID(t *testing.T, base, key, name string) int64 {
	var roles struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	apiGet(t, base+"/api/v1/roles?f.name=eq:"+url.QueryEscape(name), key, &roles)
	if len(roles.Items) != 1 {
		t.Fatalf("role %q: %+v", name, roles.Items)
	}
	return roles.Items[0].ID
}

func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}

type result struct{ url, body string }

// form posts a form as a browser does (same origin) and follows redirects.
func form(t *testing.T, c *http.Client, u string, v url.Values, want int) result {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != want {
		t.Fatalf("POST %s = %d; want %d\n%s", u, r.StatusCode, want, b)
	}
	return result{url: r.Request.URL.String(), body: string(b)}
}

func apiGet(t *testing.T, u, key string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("X-API-Key", key)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", u, r.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestRoles checks what each process role serves: a worker has no portal
// or API but answers health probes and metrics; an API process serves both
// and works no jobs.
func TestRoles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"HERALD_DATA_DIR": dir, "HERALD_ROLE": "worker"}
	w := start(t, env)
	if code, _ := get(t, http.DefaultClient, w.url+"/readyz"); code != 200 {
		t.Fatalf("worker /readyz = %d", code)
	}
	if code, _ := get(t, http.DefaultClient, w.url+"/signin"); code != 404 {
		t.Fatalf("worker /signin = %d; want 404", code)
	}
	if code, _ := get(t, http.DefaultClient, w.url+"/api/v1/account"); code != 404 {
		t.Fatalf("worker /api/v1/account = %d; want 404", code)
	}
	env["HERALD_ROLE"] = "api"
	a := start(t, env)
	if code, _ := get(t, http.DefaultClient, a.url+"/signin"); code != 200 {
		t.Fatalf("api /signin = %d", code)
	}
	if code, _ := get(t, http.DefaultClient, a.url+"/api/v1/account"); code != 401 {
		t.Fatalf("api /api/v1/account = %d; want 401", code)
	}
}
