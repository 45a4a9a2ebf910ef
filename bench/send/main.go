// Command send measures Herald's send path end to end, the way a customer
// would use it:
//
//	go run ./bench/send                              # SQLite, 100,000 messages
//	go run ./bench/send -engine postgres             # a fresh database on HERALD_TEST_POSTGRES_URL's server
//	go run ./bench/send -crash                       # kill -9 the server with 50,000 messages in flight
//
// It builds the herald binary, starts it as a child process on loopback
// with a fresh database, creates an API key with "herald apikey create"
// whose webhook is a local receiver (batched, signed), and posts SMS
// messages to the sandbox from concurrent clients. The receiver checks
// every signature and notes when each message's final status arrives.
// After the run it checks in the database that every accepted message
// reached a final status and that the sandbox received each exactly once.
// The last line of its output is
//
//	send: engine=E accept_per_s=N accept_p50_ms=N accept_p99_ms=N e2e_per_s=N peak_rss_mb=N
//
// accept_* cover POST /api/v1/messages until the 202; e2e_per_s is the
// accepted messages divided by the time from the first post to the last
// final-status webhook; peak_rss_mb is the server's VmHWM (the larger of
// the two processes with -crash).
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
	engine  string
	n       int
	clients int
	crash   bool
	crashAt int
	batch   bool
	pgURL   string
	keep    bool
	cpu     string
	timeout time.Duration
	verbose bool
}

func main() {
	var o options
	flag.StringVar(&o.engine, "engine", store.EngineSQLite, "sqlite or postgres")
	flag.IntVar(&o.n, "n", 100000, "messages to send")
	flag.IntVar(&o.clients, "clients", 64, "concurrent API clients")
	flag.BoolVar(&o.crash, "crash", false, "kill -9 the server when -crash-at messages are accepted, restart it and verify")
	flag.IntVar(&o.crashAt, "crash-at", 50000, "accepted messages at which -crash kills the server")
	flag.BoolVar(&o.batch, "batch", true, "the webhook receives batches (up to 100 events per request)")
	flag.StringVar(&o.pgURL, "postgres", envOr("HERALD_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"admin URL of the PostgreSQL server; the bench creates and drops its own database")
	flag.BoolVar(&o.keep, "keep", false, "keep the data directory or database")
	flag.StringVar(&o.cpu, "cpuprofile", "", "profile the server's CPU into this file")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "how long to wait for the final statuses")
	flag.BoolVar(&o.verbose, "v", false, "print the server's log")
	flag.Parse()
	res, err := run(context.Background(), o)
	if err != nil {
		log.SetFlags(0)
		log.Printf("send: %v", err)
		if res != nil {
			fmt.Println(res.line(o))
		}
		os.Exit(1)
	}
	fmt.Println(res.line(o))
}

// result holds the figures of a run.
type result struct {
	accepted       int
	acceptDuration time.Duration
	p50, p99       time.Duration
	e2e            time.Duration
	peakRSS        int64 // kB
}

// line formats the result line.
func (r *result) line(o options) string {
	perS := func(n int, d time.Duration) int {
		if d <= 0 {
			return 0
		}
		return int(float64(n) / d.Seconds())
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
	return fmt.Sprintf("send: engine=%s accept_per_s=%d accept_p50_ms=%s accept_p99_ms=%s e2e_per_s=%d peak_rss_mb=%d",
		o.engine, perS(r.accepted, r.acceptDuration), ms(r.p50), ms(r.p99), perS(r.accepted, r.e2e), r.peakRSS/1024)
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
