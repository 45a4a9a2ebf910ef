// Command email measures Herald's e-mail path against a local
// accept-and-discard SMTP server:
//
//	go run ./bench/email -n 50000
//
// Herald runs in this process (app.Main on a fresh SQLite data directory,
// or -database-url) with one SMTP connection (a pool of -pool sessions,
// open and click tracking and unsubscribe links on) to the SMTP server,
// which runs in a child process (this command with -sink) so that its CPU
// is not counted. It is a minimal SMTP server (sink.go) that reads each
// message in place: it shares the machine's cores with Herald, and a
// general-purpose server spent as much CPU per message as Herald itself. N contacts with e-mail addresses and a name are created
// in bulk before the clock starts. The run sends each contact a
// personalized HTML e-mail of about 4 KB.
//
// The run is an e-mail broadcast to the N contacts (a tag selects them),
// created and launched as the API does: the recipients are snapshotted,
// the broadcast runner personalises each contact's e-mail and commits the
// messages in batches, and the dispatcher hands them to the SMTP
// connector. The step succeeds on submission, so the broadcast completes
// with the last 250.
//
// per_s is N divided by the time from the launch to the last message
// committed as sent (the SMTP server's 250); cpu_us_per_msg is this
// process's CPU (user plus system) over that time divided by N;
// peak_rss_mb is this process's VmHWM; first_message_ms is the time from
// the launch to the first message reaching the SMTP server. The last line
// of the output is
//
//	email: n=N per_s=N cpu_us_per_msg=N peak_rss_mb=N first_message_ms=N
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// options are the command's flags.
type options struct {
	n       int
	pool    int
	dbURL   string
	sink    bool
	timeout time.Duration
	profile string
	heap    string // write a heap profile here halfway through the sends
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 50000, "contacts, one e-mail each")
	flag.IntVar(&o.pool, "pool", 16, "SMTP sessions of the connection")
	flag.StringVar(&o.dbURL, "database-url", "", "PostgreSQL URL of an empty database; empty: SQLite in a temporary directory")
	flag.BoolVar(&o.sink, "sink", false, "run as the accept-and-discard SMTP server (internal)")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long the sends may take")
	flag.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the send phase to this file")
	flag.StringVar(&o.heap, "memprofile", "", "write a heap profile to this file when half the e-mails are sent")
	flag.Parse()
	log.SetFlags(0)
	if o.sink {
		log.Fatalf("email sink: %v", runSink()) // it serves until killed
	}
	res, err := run(context.Background(), o)
	if err != nil {
		log.Fatalf("email: %v", err)
	}
	fmt.Println(res.line())
}

// sink is the child process running the SMTP server.
type sink struct {
	cmd   *exec.Cmd
	addr  string
	first chan time.Time // when the first message arrived
}

// startSink runs this command with -sink and reads its address.
func startSink() (*sink, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-sink")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the SMTP sink: %w", err)
	}
	s := &sink{cmd: cmd, first: make(chan time.Time, 1)}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "addr ") {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("the SMTP sink did not start: %q", sc.Text())
	}
	s.addr = strings.TrimPrefix(sc.Text(), "addr ")
	go func() {
		for sc.Scan() {
			if ns, ok := strings.CutPrefix(sc.Text(), "first "); ok {
				n, _ := strconv.ParseInt(ns, 10, 64)
				s.first <- time.Unix(0, n)
			}
		}
	}()
	return s, nil
}

// stop ends the sink.
func (s *sink) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// logf prints progress to standard error.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}
