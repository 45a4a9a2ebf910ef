package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
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
// PeerCPUPerMessage is the load client's, which shares the machine.
func runFloor(ctx context.Context, o options) (smppbench.Result, error) {
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
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		_ = srv.Close()
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
