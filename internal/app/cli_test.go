package app_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func TestCLIBadConfiguration(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown key", map[string]string{"HERALD_DATABSE_URL": "x"}, []string{"serve"}, "unknown configuration key HERALD_DATABSE_URL (did you mean HERALD_DATABASE_URL?)"},
		{"malformed database URL", map[string]string{"HERALD_DATABASE_URL": "postgres//nohost"}, []string{"serve"}, "database URL"},
		{"unsupported engine", map[string]string{"HERALD_DATABASE_URL": "mysql://u@h/db"}, []string{"migrate"}, `unsupported database URL scheme "mysql"`},
		{"unreachable PostgreSQL", map[string]string{"HERALD_DATABASE_URL": "postgres://u:topsecret@127.0.0.1:1/db?connect_timeout=2"}, []string{"migrate", "--data-dir", dir}, "opening database"},
		{"weak admin password", map[string]string{"HERALD_ADMIN_PASSWORD": "short", "HERALD_DATA_DIR": dir}, []string{"migrate"}, "password"},
		{"bad flag", nil, []string{"serve", "--role", "boss"}, `"boss" is not one of all, api, worker`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, c.env, c.args...)
			if code == 0 {
				t.Fatalf("exit code 0; want non-zero")
			}
			if !strings.Contains(errOut, c.want) {
				t.Fatalf("stderr = %q; want it to contain %q", errOut, c.want)
			}
			if strings.Contains(errOut, "topsecret") {
				t.Fatalf("stderr shows the database password: %q", errOut)
			}
		})
	}
}

func TestCLICommands(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		code, out, _ := runCLI(t, env, "version")
		if code != 0 || !strings.Contains(out, herald.Version) {
			t.Fatalf("version: %d %q", code, out)
		}
		if code, _, errOut := runCLI(t, env, "frobnicate"); code != 2 || !strings.Contains(errOut, "Usage:") {
			t.Fatalf("unknown command: %d %q", code, errOut)
		}
		if code, out, _ := runCLI(t, env, "serve", "--help"); code != 0 || !strings.Contains(out, "--database-url") {
			t.Fatalf("serve --help: %d %q", code, out)
		}
		code, out, errOut := runCLI(t, env, "migrate")
		if code != 0 || !strings.Contains(out, "migrated:") {
			t.Fatalf("migrate: %d %q %q", code, out, errOut)
		}
		if code, out, _ := runCLI(t, env, "migrate", "--status"); code != 0 || !strings.Contains(out, "schema:") {
			t.Fatalf("migrate --status: %d %q", code, out)
		}
		code, out, errOut = runCLI(t, env, "user", "create", "--login", "noc1", "--email", "noc1@example.com",
			"--first-name", "Nora", "--last-name", "Ops", "--roles", "NOC engineer")
		if code != 0 || !strings.Contains(out, `created user "noc1"`) || !strings.Contains(out, "password: ") {
			t.Fatalf("user create: %d %q %q", code, out, errOut)
		}
		// The same login again fails and names the field.
		code, _, errOut = runCLI(t, env, "user", "create", "--login", "NOC1", "--email", "x@example.com",
			"--first-name", "N", "--last-name", "O")
		if code != 1 || !strings.Contains(errOut, "login:") {
			t.Fatalf("duplicate login: %d %q", code, errOut)
		}
		code, _, errOut = runCLI(t, env, "apikey", "create", "--name", "k", "--scopes", "everything")
		if code != 1 || !strings.Contains(errOut, "scopes:") {
			t.Fatalf("bad scope: %d %q", code, errOut)
		}
		code, _, errOut = runCLI(t, env, "apikey", "create", "--account", "nope", "--name", "k", "--scopes", "admin")
		if code != 1 || !strings.Contains(errOut, `No account named "nope"`) {
			t.Fatalf("unknown account: %d %q", code, errOut)
		}
	})
}
