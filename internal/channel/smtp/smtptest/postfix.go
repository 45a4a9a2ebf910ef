package smtptest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// PostfixOptions configure a private Postfix instance.
type PostfixOptions struct {
	// Relay is where Postfix sends all mail (host:port).
	Relay string
	// Transport routes the mail of some domains elsewhere: domain ->
	// host:port (such as bounces to Herald's SMTP listener).
	Transport map[string]string
}

// Postfix is a running private Postfix instance: its own configuration,
// queue and data directories, listening on a loopback port of its own, so
// that it does not touch the machine's Postfix.
type Postfix struct {
	Addr string
	dir  string
	cmd  *exec.Cmd
}

// postfixServices is the master.cf of the instance, after its smtpd line:
// the services a relay needs, none chrooted.
const postfixServices = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`

// StartPostfix runs Debian's postfix as a relay on a free loopback port
// until the test ends. Postfix's master must start as root (it drops to
// the postfix user); a missing postfix or a non-root test fails.
func StartPostfix(t testing.TB, opts PostfixOptions) *Postfix {
	t.Helper()
	bin, err := exec.LookPath("postfix")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/postfix"); serr != nil {
			t.Fatal("postfix is missing (scripts/test installs Debian's postfix): ", err)
		}
		bin = "/usr/sbin/postfix"
	}
	if os.Geteuid() != 0 {
		t.Fatal("postfix's master must start as root; run the tests as root (scripts/test and CI do)")
	}
	p := &Postfix{}
	if p.dir, err = os.MkdirTemp("", "herald-postfix-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(bin); _ = os.RemoveAll(p.dir) })
	if err := p.configure(opts); err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, "-c", filepath.Join(p.dir, "etc"), "start-fg")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", p.Addr, time.Second); err == nil {
			c.Close()
			return p
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(p.dir, "maillog"))
			t.Fatalf("postfix does not listen on %s:\n%s", p.Addr, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// configure writes main.cf and master.cf in a directory the postfix user
// can reach.
func (p *Postfix) configure(opts PostfixOptions) error {
	port, err := FreePort()
	if err != nil {
		return err
	}
	p.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	for _, d := range []string{"etc", "queue", "data"} {
		if err := os.MkdirAll(filepath.Join(p.dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(p.dir, 0o755); err != nil {
		return err
	}
	if err := chownPostfix(filepath.Join(p.dir, "data")); err != nil {
		return err
	}
	var routes []string
	for domain, addr := range opts.Transport {
		host, port, _ := net.SplitHostPort(addr)
		routes = append(routes, fmt.Sprintf("%s=smtp:[%s]:%s", domain, host, port))
	}
	sort.Strings(routes)
	host, rport, _ := net.SplitHostPort(opts.Relay)
	main := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.herald.test
mydomain = herald.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [%[2]s]:%[3]s
transport_maps = inline:{%[4]s}
smtp_host_lookup = native
smtputf8_enable = no
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, reject
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
`, p.dir, host, rport, strings.Join(routes, ", "))
	master := fmt.Sprintf("%s inet n - n - - smtpd\n", p.Addr) + postfixServices
	if err := os.WriteFile(filepath.Join(p.dir, "etc", "main.cf"), []byte(main), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.dir, "etc", "master.cf"), []byte(master), 0o644)
}

// stop stops the instance and waits for its master.
func (p *Postfix) stop(bin string) {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = exec.Command(bin, "-c", filepath.Join(p.dir, "etc"), "stop").Run()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// Log returns the instance's mail log.
func (p *Postfix) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "maillog"))
	return string(b)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
