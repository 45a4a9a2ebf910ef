// Package kannel runs Kannel's programs as loopback peers for Herald's SMPP
// tests and benchmarks: drive_smpp, Kannel's test SMSC, and bearerbox with
// smsbox, Kannel's SMS gateway, as an SMPP client. It knows their quirks
// (docs in /work/shared/notes/kannel.md): drive_smpp connects to a
// "box" on the hard-coded 127.0.0.1:13001 and panics without one, exits when
// its first client disconnects, and a blank line ends a Kannel config group.
//
// Every function that needs a Kannel program fails with an install hint
// when it is missing: tests that use this package must not skip.
package kannel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Paths of the Debian packages' programs.
const (
	DriveSMPPPath = "/usr/lib/kannel/test/drive_smpp" // package kannel-extras
	BearerboxPath = "/usr/sbin/bearerbox"             // package kannel
	SmsboxPath    = "/usr/sbin/smsbox"                // package kannel
)

// InstallHint is the command that installs every program this package and
// the SMPP tests need.
const InstallHint = "apt-get install kannel kannel-extras libnet-smpp-perl"

// Require returns an error with the install hint when a program is missing.
func Require(paths ...string) error {
	for _, p := range paths {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("kannel: %s is missing (%w); install it: %s", p, err, InstallHint)
		}
	}
	return nil
}

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("kannel: finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// listening reports whether /proc/net/tcp or tcp6 has a listening socket on
// port.
func listening(port int) bool {
	want := fmt.Sprintf(":%04X ", port)
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			fields := strings.Fields(line)
			if len(fields) > 3 && fields[3] == "0A" && strings.HasSuffix(fields[1]+" ", want) {
				return true
			}
		}
	}
	return false
}

// process is a started program whose output is kept.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error // set before done closes
}

// start runs path with args, collecting stdout and stderr.
func start(name, path string, args ...string) (*process, error) {
	p := &process{name: name, cmd: exec.Command(path, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("kannel: starting %s: %w", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM (twice, as bearerbox with queued messages needs) and
// then SIGKILL, and waits for the process to end.
func (p *process) stop(grace time.Duration) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM, syscall.SIGKILL} {
		if p.exited() {
			return
		}
		_ = p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
			return
		case <-time.After(grace):
		}
	}
	<-p.done
}

// cpu returns the process's user and system CPU time from /proc, or 0.
func (p *process) cpu() time.Duration {
	if p == nil || p.exited() {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th, in clock ticks of 1/100 s.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// wait waits for the process to end, up to ctx.
func (p *process) wait(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("kannel: waiting for %s to exit: %w", p.name, ctx.Err())
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// counter returns the integer after label in out (the last occurrence), or
// -1.
func counter(out, label string) int {
	i := strings.LastIndex(out, label)
	if i < 0 {
		return -1
	}
	rest := strings.TrimSpace(out[i+len(label):])
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		rest = rest[:end]
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		return -1
	}
	return n
}

// errExited is returned when a program ended before it was ready.
var errExited = errors.New("exited early")
