package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/bench/internal/inproc"
	"github.com/heraldhq/herald/internal/smpp/smppbench"
)

// runFloor measures what HTTP alone costs under the same load: the load
// client posts N messages, one per request, to a net/http server in this
// process whose handler reads the body and answers 202 with a body the
// size of Herald's answer, storing and sending nothing. Its CPU per
// request is the part of Herald's that no change behind the API can save;
// PeerCPUPerMessage is the load client's, which shares the machine. With
// raw, the server is rawHTTP instead: the least any HTTP server in Go
// does.
func runFloor(ctx context.Context, o options, raw bool) (smppbench.Result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return smppbench.Result{}, fmt.Errorf("listening: %w", err)
	}
	answer := []byte(`{"id":"` + strings.Repeat("0", 36) + `","status":"queued",` + `"x":"` + strings.Repeat("x", 600) + `"}` + "\n")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write(answer)
	}), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	if raw {
		go func() { served <- rawHTTP(ln, answer) }()
	} else {
		go func() { served <- srv.Serve(ln) }()
	}
	defer func() {
		_ = srv.Close()
		_ = ln.Close()
		<-served
	}()
	cpu := inproc.CPU()
	start := time.Now()
	cmd := exec.CommandContext(ctx, os.Args[0], "-n", fmt.Sprint(o.n), "-clients", fmt.Sprint(o.clients),
		"-load-url", "http://"+ln.Addr().String()+"/api/v1/messages", "-load-key", "none")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return smppbench.Result{}, fmt.Errorf("load client: %w", err)
	}
	elapsed := time.Since(start)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return smppbench.Result{}, ctx.Err()
	}
	load := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return smppbench.Result{N: o.n, Elapsed: elapsed, PerSecond: float64(o.n) / elapsed.Seconds(),
		CPUPerMessage: (inproc.CPU() - cpu) / time.Duration(o.n), PeerCPUPerMessage: load / time.Duration(o.n)}, nil
}

// rawHTTP answers every request on ln's connections with 202 and answer:
// one goroutine per connection that reads each request's head line by line
// into a buffer, skips its body by Content-Length, and writes the answer
// in one write, with no header map, routing or timeouts. It serves the
// load client's requests only, and returns when ln is closed.
func rawHTTP(ln net.Listener, answer []byte) error {
	head := fmt.Sprintf("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(answer))
	reply := append([]byte(head), answer...)
	lengthField := []byte("content-length:")
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				n := 0
				for {
					line, err := r.ReadSlice('\n')
					if err != nil {
						return
					}
					if len(line) <= 2 { // the blank line ending the head
						break
					}
					if len(line) > len(lengthField) && bytes.EqualFold(line[:len(lengthField)], lengthField) {
						n, _ = strconv.Atoi(string(bytes.TrimSpace(line[len(lengthField):])))
					}
				}
				if _, err := r.Discard(n); err != nil {
					return
				}
				if _, err := c.Write(reply); err != nil {
					return
				}
			}
		}()
	}
}
