package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// runSink runs an SMTP server that accepts every message and discards it.
// It prints "addr <host:port>", then "first <unix ns>" when the first
// message is accepted, and serves until killed.
func runSink() error {
	c := &counters{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &discard{c: c}, nil
	}))
	srv.Domain = "sink.test"
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("addr %s\n", ln.Addr())
	srv.ErrorLog = discardLog{}
	firstSeen := make(chan struct{})
	go func() {
		for c.count.Load() == 0 {
			time.Sleep(100 * time.Microsecond)
		}
		close(firstSeen)
	}()
	go func() {
		<-firstSeen
		fmt.Printf("first %d\n", c.first.Load())
		_ = os.Stdout.Sync()
	}()
	return srv.Serve(ln)
}

// counters count the accepted messages and note when the first came, in
// Unix nanoseconds.
type counters struct{ count, first atomic.Int64 }

// discard is one SMTP session that throws messages away.
type discard struct{ c *counters }

func (d *discard) Mail(string, *gosmtp.MailOptions) error { return nil }
func (d *discard) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (d *discard) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	d.c.first.CompareAndSwap(0, time.Now().UnixNano())
	d.c.count.Add(1)
	return nil
}
func (d *discard) Reset()        {}
func (d *discard) Logout() error { return nil }

// discardLog drops the server's error log.
type discardLog struct{}

func (discardLog) Printf(string, ...any) {}
func (discardLog) Println(...any)        {}
