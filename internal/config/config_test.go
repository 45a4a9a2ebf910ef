package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	c, err := Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./herald-data" || c.DatabaseURL != "" || c.Role != "all" {
		t.Fatalf("defaults = %+v", c)
	}
	if c.ShutdownTimeout != 30*time.Second || c.SecureCookies() || c.PublicURL() != "http://127.0.0.1:8080" {
		t.Fatalf("derived defaults wrong: %+v", c)
	}
}

func TestPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "herald.conf")
	os.WriteFile(file, []byte("# comment\nHERALD_ADDR=127.0.0.1:9000\nHERALD_LOG_LEVEL = debug\nHERALD_DATA_DIR=\"/from/file\"\n"), 0o600)
	env := []string{"HERALD_CONFIG=" + file, "HERALD_DATA_DIR=/from/env", "PATH=/bin", "HERALD_TEST_POSTGRES_URL=x"}
	c, err := Load([]string{"--addr", "127.0.0.1:9001"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9001" {
		t.Errorf("flag should win: addr = %s", c.Addr)
	}
	if c.DataDir != "/from/env" {
		t.Errorf("env should beat file: data dir = %s", c.DataDir)
	}
	if c.LogLevel != "debug" {
		t.Errorf("file value lost: log level = %s", c.LogLevel)
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     []string
		wantErr string
	}{
		{"unknown env key", nil, []string{"HERALD_ADRR=x"}, "unknown configuration key HERALD_ADRR (did you mean HERALD_ADDR?)"},
		{"bad scheme", nil, []string{"HERALD_DATABASE_URL=mysql://h/db"}, `unsupported database URL scheme "mysql"`},
		{"no db name", nil, []string{"HERALD_DATABASE_URL=postgres://u@localhost:5432"}, "names no database"},
		{"bad port", nil, []string{"HERALD_DATABASE_URL=postgres://u:secretpw@localhost:99999/db"}, `invalid port "99999"`},
		{"malformed", nil, []string{"HERALD_DATABASE_URL=postgres://u:p@[::1/db"}, "malformed"},
		{"bad role", []string{"--role", "boss"}, nil, `"boss" is not one of all, api, worker`},
		{"bad addr", []string{"--addr", "8080"}, nil, "not host:port"},
		{"stray arg", []string{"extra"}, nil, `unexpected argument "extra"`},
		{"unknown flag", []string{"--nope"}, nil, "flag provided but not defined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v; want it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "secretpw") {
				t.Fatalf("error leaks the password: %v", err)
			}
		})
	}
}

func TestUnknownFileKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c")
	os.WriteFile(file, []byte("HERALD_ADDR=127.0.0.1:1\nNOPE=1\n"), 0o600)
	_, err := Load([]string{"--config", file}, nil)
	if err == nil || !strings.Contains(err.Error(), ":2: unknown configuration key NOPE") {
		t.Fatalf("err = %v", err)
	}
}
