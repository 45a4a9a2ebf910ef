// Package cli implements the herald command: serve, migrate, user create,
// apikey create, send and version.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
)

// Env is the process's outside world, so tests can run commands in-process.
type Env struct {
	Args    []string // without the program name
	Environ []string
	Stdout  io.Writer
	Stderr  io.Writer
}

// errUsage marks an error whose message is the usage text.
var errUsage = errors.New("usage")

const usage = `Herald: omnichannel business messaging.

Usage:
  herald serve [flags]          run the API, the portal and the workers
  herald migrate [--status]     bring the database schema up to date
  herald user create [flags]    create a portal user
  herald apikey create [flags]  create an API key and print it
  herald send [flags] TEXT      send a message and print its ID (--wait for its status)
  herald version                print the version

Every command reads HERALD_* environment variables and accepts --config FILE,
--data-dir DIR and --database-url URL. Run "herald serve --help" for the rest.
`

// Run runs one herald command and returns the process exit code.
func Run(ctx context.Context, env Env) int {
	err := run(ctx, env)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprint(env.Stderr, usage)
		return 2
	}
	fmt.Fprintf(env.Stderr, "herald: %s\n", describe(err))
	return 1
}

// describe returns the message to print for err: herald errors with their
// field violations, anything else as it is.
func describe(err error) string {
	var he *herald.Error
	if !errors.As(err, &he) || herald.ErrorCode(err) == herald.EINTERNAL {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(he.Message)
	for _, v := range he.Violations {
		fmt.Fprintf(&b, "\n  %s: %s", v.Field, v.Message)
	}
	return b.String()
}

func run(ctx context.Context, env Env) error {
	if len(env.Args) == 0 {
		return errUsage
	}
	cmd, args := env.Args[0], env.Args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, env, args)
	case "migrate":
		return migrate(ctx, env, args)
	case "user":
		if len(args) > 0 && args[0] == "create" {
			return createUser(ctx, env, args[1:])
		}
	case "apikey":
		if len(args) > 0 && args[0] == "create" {
			return createAPIKey(ctx, env, args[1:])
		}
	case "send":
		return send(ctx, env, args)
	case "version", "--version":
		fmt.Fprintf(env.Stdout, "herald %s\n", herald.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	return errUsage
}

// serve runs Herald until the context is cancelled (SIGINT or SIGTERM).
func serve(ctx context.Context, env Env, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprintf(env.Stdout, "Usage: herald serve [flags]\n\n%s", config.FlagUsage())
			return flag.ErrHelp
		}
	}
	cfg, err := config.Load(args, env.Environ)
	if err != nil {
		return err
	}
	m := &app.Main{Config: cfg, Log: newLogger(cfg, env.Stderr), Stdout: env.Stdout}
	if err := m.Run(ctx); err != nil {
		_ = m.Close()
		return err
	}
	return nil
}

// newLogger builds the process logger from the configuration.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// commonFlags adds the flags every command shares and returns a function
// that loads the configuration with them applied.
func commonFlags(fs *flag.FlagSet, env Env) func() (config.Config, error) {
	file := fs.String("config", "", "configuration file of KEY=value lines")
	dataDir := fs.String("data-dir", "", "data directory (env HERALD_DATA_DIR)")
	dbURL := fs.String("database-url", "", "database URL (env HERALD_DATABASE_URL)")
	return func() (config.Config, error) {
		var args []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "config":
				args = append(args, "--config", *file)
			case "data-dir":
				args = append(args, "--data-dir", *dataDir)
			case "database-url":
				args = append(args, "--database-url", *dbURL)
			}
		})
		return config.Load(args, env.Environ)
	}
}

// open boots Herald's store and services for a one-shot command.
func open(ctx context.Context, env Env, cfg config.Config) (*app.Main, error) {
	cfg.LogLevel = "warn"
	m := &app.Main{Config: cfg, Log: newLogger(cfg, env.Stderr), Stdout: env.Stdout}
	if err := m.Open(ctx); err != nil {
		_ = m.Close()
		return nil, err
	}
	return m, nil
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// splitList splits a comma-separated flag value.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// stdEnv returns the Env of the running process.
func stdEnv() Env {
	return Env{Args: os.Args[1:], Environ: os.Environ(), Stdout: os.Stdout, Stderr: os.Stderr}
}

// Main runs the herald command of this process and returns its exit code.
func Main(ctx context.Context) int { return Run(ctx, stdEnv()) }
