package main

import (
	"bufio"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"testing"
)

// TestSink sends messages through the sink with the standard library's
// SMTP client: each is accepted and counted once, a line of a single dot
// inside a message (sent dot-stuffed) does not end it, and the session
// quits cleanly.
func TestSink(t *testing.T) {
	addr, c := serveSink(t)
	cl, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Hello("bench.test"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := cl.Extension("PIPELINING"); !ok {
		t.Error("PIPELINING is not offered")
	}
	long := strings.Repeat("x", 100<<10) // longer than the sink's buffer
	for i, body := range []string{"Subject: one\r\n\r\nHello\r\n.\r\nstill the message\r\n", "Subject: two\r\n\r\n" + long + "\r\n"} {
		if err := cl.Mail("news@shop.test"); err != nil {
			t.Fatal(err)
		}
		if err := cl.Rcpt("ana@example.com"); err != nil {
			t.Fatal(err)
		}
		w, err := cl.Data()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got := c.count.Load(); got != int64(i+1) {
			t.Fatalf("after message %d the sink counted %d", i, got)
		}
	}
	if err := cl.Quit(); err != nil {
		t.Fatal(err)
	}
	if c.first.Load() == 0 {
		t.Error("the first message's time is not noted")
	}
}

// TestSinkChunks sends two messages as BDAT chunks, pipelined with their
// envelopes: the first in two chunks, the second with a chunk holding a
// line of a single dot. Each is counted once it is complete.
func TestSinkChunks(t *testing.T) {
	addr, c := serveSink(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	expect := func(prefix string) {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("waiting for %q: %v", prefix, err)
			}
			if !strings.HasPrefix(line, prefix) {
				t.Fatalf("got %q, want %q", line, prefix)
			}
			if line[3] == ' ' {
				return
			}
		}
	}
	expect("220")
	if _, err := conn.Write([]byte("EHLO bench.test\r\n")); err != nil {
		t.Fatal(err)
	}
	expect("250")
	msg2 := "Subject: two\r\n\r\n.\r\nmore\r\n"
	if _, err := fmt.Fprintf(conn, "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nBDAT 5\r\nhelloBDAT 2 LAST\r\n\r\n"+
		"MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nBDAT %d LAST\r\n%sQUIT\r\n", len(msg2), msg2); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"250", "250", "250", "250 2.0.0 Queued", "250", "250", "250 2.0.0 Queued", "221"} {
		expect(want)
	}
	if got := c.count.Load(); got != 2 {
		t.Errorf("the sink counted %d messages, want 2", got)
	}
}

// serveSink serves SMTP on a loopback port until the test ends.
func serveSink(t *testing.T) (string, *counters) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	c := &counters{}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = serveSMTP(conn, c)
			}()
		}
	}()
	return ln.Addr().String(), c
}
