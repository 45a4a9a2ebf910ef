// Command broadcast measures broadcasts end to end, the way a customer
// would run them:
//
//	go run ./bench/broadcast -contacts 100000                  # SQLite
//	go run ./bench/broadcast -contacts 100000 -engine postgres # a fresh database on HERALD_TEST_POSTGRES_URL's server
//	go run ./bench/broadcast -contacts 100000 -crash           # kill -9 the server in the middle, restart, verify
//
// It builds the herald binary, starts it as a child process on loopback
// with a fresh database and the sandbox connector (every message
// delivered), creates an API key with "herald apikey create", and loads
// 2 x N contacts through the API. Then:
//
//   - a broadcast of one SMS step to N contacts: the time from the launch
//     request to the last final status (the broadcast's finishedAt), the
//     messages per second over it, and the time from the launch request
//     to the first message leaving (its sentAt);
//   - a broadcast of an RCS step then an SMS step to N other contacts, half
//     of them not RCS capable (sandbox numbers ending 0004): their RCS
//     message fails and the chain falls back to SMS. fallback_per_s is N
//     contacts over the time to the last final status.
//
// With -crash the SMS broadcast is killed (SIGKILL) when half its contacts
// are initiated; the server is restarted and the bench checks in the
// database that every contact has exactly one chain and the sandbox
// received exactly one message per contact. The last line of output is
//
//	broadcast: engine=E contacts=N per_s=N first_message_ms=N fallback_per_s=N peak_rss_mb=N
//
// peak_rss_mb is the server's VmHWM (the larger of the two processes with
// -crash).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/heraldhq/herald/internal/store"
)

// options are the command's flags.
type options struct {
	engine   string
	n        int
	crash    bool
	fallback bool
	pgURL    string
	keep     bool
	cpu      string
	timeout  time.Duration
	verbose  bool
}

func main() {
	var o options
	flag.StringVar(&o.engine, "engine", store.EngineSQLite, "sqlite or postgres")
	flag.IntVar(&o.n, "contacts", 100000, "contacts per broadcast")
	flag.BoolVar(&o.crash, "crash", false, "kill -9 the server half-way through the SMS broadcast, restart it and verify")
	flag.BoolVar(&o.fallback, "fallback", true, "run the RCS-then-SMS broadcast too")
	flag.StringVar(&o.pgURL, "postgres", envOr("HERALD_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"admin URL of the PostgreSQL server; the bench creates and drops its own database")
	flag.BoolVar(&o.keep, "keep", false, "keep the data directory or database")
	flag.StringVar(&o.cpu, "cpuprofile", "", "profile the server's CPU into this file")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "how long to wait for a broadcast to complete")
	flag.BoolVar(&o.verbose, "v", false, "print the server's log")
	flag.Parse()
	res, err := run(context.Background(), o)
	if err != nil {
		log.SetFlags(0)
		log.Printf("broadcast: %v", err)
		if res != nil {
			fmt.Println(res.line(o))
		}
		os.Exit(1)
	}
	fmt.Println(res.line(o))
}

// result holds the figures of a run.
type result struct {
	sms, fallback time.Duration // launch to the last final status
	first         time.Duration // launch to the first message sent
	peakRSS       int64         // kB
}

// line formats the result line.
func (r *result) line(o options) string {
	perS := func(d time.Duration) int {
		if d <= 0 {
			return 0
		}
		return int(float64(o.n) / d.Seconds())
	}
	return fmt.Sprintf("broadcast: engine=%s contacts=%d per_s=%d first_message_ms=%d fallback_per_s=%d peak_rss_mb=%d",
		o.engine, o.n, perS(r.sms), r.first.Milliseconds(), perS(r.fallback), r.peakRSS/1024)
}

// envOr returns the environment variable k, or def.
func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// logf prints progress to standard error.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}
