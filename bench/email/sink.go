package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// The SMTP server of the benchmark accepts every message and discards it,
// at as little CPU as it can: it shares this machine's cores with the
// Herald process being measured, and what it spends Herald cannot. It
// speaks the part of SMTP (RFC 5321) that a sender needs, with PIPELINING
// (RFC 2920) and CHUNKING (RFC 3030): replies to pipelined commands are
// written in order and flushed when no more input is waiting. Lines are read in place from the
// connection's buffer, so a message costs no allocation.

// runSink runs the SMTP server. It prints "addr <host:port>", then "first
// <unix ns>" when the first message is accepted, and serves until killed;
// it returns only the error that stopped it.
func runSink() error {
	c := &counters{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("addr %s\n", ln.Addr())
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
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer conn.Close()
			_ = serveSMTP(conn, c)
		}()
	}
}

// counters count the accepted messages and note when the first came, in
// Unix nanoseconds.
type counters struct{ count, first atomic.Int64 }

// SMTP replies of the sink.
var (
	replyGreeting = []byte("220 sink.test ESMTP\r\n")
	replyEHLO     = []byte("250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES\r\n")
	replyHELO     = []byte("250 sink.test\r\n")
	replyOK       = []byte("250 2.0.0 OK\r\n")
	replyData     = []byte("354 Go ahead\r\n")
	replyQueued   = []byte("250 2.0.0 Queued\r\n")
	replyBye      = []byte("221 2.0.0 Bye\r\n")
	replyUnknown  = []byte("502 5.5.2 Command not implemented\r\n")
	replyBadChunk = []byte("501 5.5.4 Syntax: BDAT size [LAST]\r\n")
)

// serveSMTP serves one session until the client quits or the connection
// fails.
func serveSMTP(conn net.Conn, c *counters) error {
	r := bufio.NewReaderSize(conn, 64<<10)
	w := bufio.NewWriterSize(conn, 4<<10)
	reply := func(b []byte) error {
		if _, err := w.Write(b); err != nil {
			return err
		}
		if r.Buffered() == 0 { // nothing pipelined behind: answer now
			return w.Flush()
		}
		return nil
	}
	if err := reply(replyGreeting); err != nil {
		return err
	}
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return err
		}
		verb := line
		if i := bytes.IndexByte(line, ' '); i >= 0 {
			verb = line[:i]
		}
		verb = bytes.TrimRight(verb, "\r\n")
		switch {
		case bytes.EqualFold(verb, []byte("EHLO")):
			err = reply(replyEHLO)
		case bytes.EqualFold(verb, []byte("HELO")):
			err = reply(replyHELO)
		case bytes.EqualFold(verb, []byte("MAIL")), bytes.EqualFold(verb, []byte("RCPT")),
			bytes.EqualFold(verb, []byte("RSET")), bytes.EqualFold(verb, []byte("NOOP")):
			err = reply(replyOK)
		case bytes.EqualFold(verb, []byte("DATA")):
			if err = reply(replyData); err == nil {
				err = discardData(r)
			}
			if err == nil {
				c.first.CompareAndSwap(0, time.Now().UnixNano())
				c.count.Add(1)
				err = reply(replyQueued)
			}
		case bytes.EqualFold(verb, []byte("BDAT")):
			size, last, ok := parseBDAT(line)
			if !ok {
				err = reply(replyBadChunk)
				break
			}
			if _, err = r.Discard(size); err == nil && last {
				c.first.CompareAndSwap(0, time.Now().UnixNano())
				c.count.Add(1)
				err = reply(replyQueued)
			} else if err == nil {
				err = reply(replyOK)
			}
		case bytes.EqualFold(verb, []byte("QUIT")):
			_ = reply(replyBye)
			return w.Flush()
		default:
			err = reply(replyUnknown)
		}
		if err != nil {
			return err
		}
	}
}

// discardData reads a message up to its terminating line ".".
func discardData(r *bufio.Reader) error {
	for {
		line, err := r.ReadSlice('\n')
		switch {
		case err == bufio.ErrBufferFull:
			continue // a line longer than the buffer: read on
		case err != nil:
			return err
		case len(line) == 3 && line[0] == '.' && line[1] == '\r':
			return nil
		}
	}
}

// parseBDAT reads "BDAT <size>" with an optional "LAST".
func parseBDAT(line []byte) (size int, last, ok bool) {
	f := bytes.Fields(line)
	if len(f) < 2 || len(f) > 3 {
		return 0, false, false
	}
	n, err := strconv.Atoi(string(f[1]))
	if err != nil || n < 0 {
		return 0, false, false
	}
	if len(f) == 3 {
		if !bytes.EqualFold(f[2], []byte("LAST")) {
			return 0, false, false
		}
		last = true
	}
	return n, last, true
}
