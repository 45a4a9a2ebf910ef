package smtp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// scripted is a minimal SMTP server that checks how the client sends a
// mail transaction: with pipelining on it offers PIPELINING and answers
// MAIL only once MAIL, RCPT and DATA have all arrived (a client that
// waited for each reply would get none, and fail on its timeout); with it
// off it answers each command at once. It refuses RCPT to refuse@ with
// 550 and records every command.
//
// With chunking on it offers CHUNKING too and expects MAIL, RCPT and a
// BDAT chunk marked LAST in one go, which it reads whatever it answers.
type scripted struct {
	ln       net.Listener
	pipeline bool
	chunking bool
	bodies   []string // the messages taken by BDAT

	mu       sync.Mutex
	commands []string
	messages int
}

func startScripted(t *testing.T, pipeline bool) *scripted {
	t.Helper()
	return startScriptedWith(t, &scripted{pipeline: pipeline})
}

// startScriptedWith starts s, whose modes are set.
func startScriptedWith(t *testing.T, s *scripted) *scripted {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return s
}

func (s *scripted) record(cmd string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = append(s.commands, cmd)
}

func (s *scripted) serve(c net.Conn) {
	defer c.Close()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	reply := func(lines ...string) {
		for _, l := range lines {
			_, _ = w.WriteString(l + "\r\n")
		}
		_ = w.Flush()
	}
	line := func() (string, bool) {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		l, err := r.ReadString('\n')
		return strings.TrimRight(l, "\r\n"), err == nil
	}
	reply("220 scripted ESMTP")
	for {
		cmd, ok := line()
		if !ok {
			return
		}
		s.record(cmd)
		verb := strings.ToUpper(strings.SplitN(cmd, " ", 2)[0])
		switch {
		case verb == "EHLO" && s.chunking:
			reply("250-scripted", "250-PIPELINING", "250 CHUNKING")
		case verb == "MAIL" && s.chunking:
			rcpt, ok1 := line()
			bdat, ok2 := line()
			if !ok1 || !ok2 {
				return
			}
			s.record(rcpt)
			s.record(bdat)
			var size int
			if _, err := fmt.Sscanf(bdat, "BDAT %d LAST", &size); err != nil {
				reply("501 5.5.4 Bad BDAT")
				return
			}
			chunk := make([]byte, size)
			if _, err := io.ReadFull(r, chunk); err != nil {
				return
			}
			if strings.Contains(rcpt, "refuse@") {
				reply("250 OK", "550 5.1.1 No such user", "554 5.5.1 No valid recipients")
				continue
			}
			s.mu.Lock()
			s.messages++
			s.bodies = append(s.bodies, string(chunk))
			s.mu.Unlock()
			reply("250 OK", "250 OK", "250 2.0.0 Queued")
		case verb == "EHLO" && s.pipeline:
			reply("250-scripted", "250 PIPELINING")
		case verb == "EHLO":
			reply("250-scripted", "250 8BITMIME")
		case verb == "MAIL" && s.pipeline:
			rcpt, ok1 := line()
			data, ok2 := line()
			if !ok1 || !ok2 {
				return // not pipelined: the client waits for a reply that never comes
			}
			s.record(rcpt)
			s.record(data)
			if strings.Contains(rcpt, "refuse@") {
				reply("250 OK", "550 5.1.1 No such user", "554 5.5.1 No valid recipients")
				continue
			}
			reply("250 OK", "250 OK", "354 Go ahead")
			if !s.body(line) {
				return
			}
			reply("250 2.0.0 Queued")
		case verb == "MAIL" || verb == "RSET":
			reply("250 OK")
		case verb == "RCPT" && strings.Contains(cmd, "refuse@"):
			reply("550 5.1.1 No such user")
		case verb == "RCPT":
			reply("250 OK")
		case verb == "DATA":
			reply("354 Go ahead")
			if !s.body(line) {
				return
			}
			reply("250 2.0.0 Queued")
		case verb == "QUIT":
			reply("221 Bye")
			return
		default:
			reply("502 Not implemented")
		}
	}
}

// body reads a message up to its final dot.
func (s *scripted) body(line func() (string, bool)) bool {
	for {
		l, ok := line()
		if !ok {
			return false
		}
		if l == "." {
			s.mu.Lock()
			s.messages++
			s.mu.Unlock()
			return true
		}
	}
}

func (s *scripted) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// TestPipelining sends on one session to a server with and without
// PIPELINING: with it, MAIL, RCPT and DATA go together (the server
// answers nothing before all three arrived) and a refused recipient
// leaves the session usable; without it, one command at a time.
func TestPipelining(t *testing.T) {
	for _, pipeline := range []bool{true, false} {
		srv := startScripted(t, pipeline)
		c := openAt(t, "127.0.0.1", srv.port(), `{"tls": "none", "poolSize": 1, "timeout": "5s"}`, nil, MediaSource{})
		for i, to := range []string{"ana@example.com", "refuse@example.com", "bob@example.com"} {
			_, err := c.Send(context.Background(), email(to, simple))
			if refused := i == 1; refused != (err != nil) {
				t.Errorf("pipeline %v, %s: error %v", pipeline, to, err)
			}
		}
		srv.mu.Lock()
		msgs, cmds := srv.messages, strings.Join(srv.commands, "|")
		srv.mu.Unlock()
		if msgs != 2 {
			t.Errorf("pipeline %v: the server took %d messages, want 2 (commands %s)", pipeline, msgs, cmds)
		}
		if n := strings.Count(cmds, "EHLO"); n != 1 {
			t.Errorf("pipeline %v: %d sessions, want 1 (commands %s)", pipeline, n, cmds)
		}
		if want := "MAIL FROM:<"; pipeline && !strings.Contains(cmds, want) {
			t.Errorf("pipelined commands %s lack %q", cmds, want)
		}
	}
}

// TestWriteEnded checks that a message goes with its final dot whether
// its buffer has room for the dot or not, and that the message's own
// bytes are left as they were.
func TestWriteEnded(t *testing.T) {
	msg := "Subject: x\r\n\r\n" + strings.Repeat("line\r\n", 2000)
	for _, room := range []int{0, 2, 3, 100} {
		raw := append(make([]byte, 0, len(msg)+room), msg...)
		var out bytes.Buffer
		w := bufio.NewWriterSize(&out, 4096)
		if err := writeEnded(w, raw); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != msg+".\r\n" {
			t.Errorf("room %d: wrote %d bytes ending %q, want %d ending in the dot", room, len(got), got[max(0, len(got)-10):], len(msg)+3)
		}
		if string(raw) != msg {
			t.Errorf("room %d: the message changed", room)
		}
	}
}

// TestChunking sends on one session to a server that offers PIPELINING and
// CHUNKING: each message goes with MAIL and RCPT as one BDAT chunk (the
// server answers nothing before the whole chunk arrived), unstuffed and
// whole; a refused recipient leaves the session usable, and a text whose
// lines start with dots arrives as composed.
func TestChunking(t *testing.T) {
	srv := startScriptedWith(t, &scripted{pipeline: true, chunking: true})
	c := openAt(t, "127.0.0.1", srv.port(), `{"tls": "none", "poolSize": 1, "timeout": "5s"}`, nil, MediaSource{})
	dotted := `{"subject": "Dots", "text": ".starts with a dot\n..two\nend"}`
	for i, m := range []*herald.Message{email("ana@example.com", simple), email("refuse@example.com", simple), email("bob@example.com", dotted)} {
		_, err := c.Send(context.Background(), m)
		if refused := i == 1; refused != (err != nil) {
			t.Errorf("message %d to %s: error %v", i, m.Destination, err)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	cmds := strings.Join(srv.commands, "|")
	if srv.messages != 2 || len(srv.bodies) != 2 {
		t.Fatalf("the server took %d messages, want 2 (commands %s)", srv.messages, cmds)
	}
	if n := strings.Count(cmds, "EHLO"); n != 1 {
		t.Errorf("%d sessions, want 1 (commands %s)", n, cmds)
	}
	if strings.Contains(cmds, "DATA") {
		t.Errorf("DATA sent to a server with CHUNKING: %s", cmds)
	}
	for _, b := range srv.bodies {
		if !strings.HasSuffix(b, "\r\n") || strings.HasSuffix(b, "\r\n.\r\n") || !strings.Contains(b, "\r\nSubject: ") {
			t.Errorf("the chunk is not one whole message without a final dot: %q", b)
		}
	}
	if body := srv.bodies[1]; !strings.Contains(body, "\r\n=2Estarts with a dot\r\n=2E.two\r\nend\r\n") {
		t.Errorf("the dotted message arrived changed: %q", body)
	}
}
