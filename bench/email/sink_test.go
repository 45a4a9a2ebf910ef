package main

import (
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
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
	cl, err := smtp.Dial(ln.Addr().String())
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
