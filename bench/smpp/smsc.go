package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// drive_smpp sends no delivery receipts, so the receipts measurement sends
// to an SMSC of the benchmark's own, run as a child process (this command
// with -smsc) so that its CPU is not counted as Herald's: Herald's SMPP
// library as the server, answering each submit_sm with a hexadecimal
// message ID and then delivering a DELIVRD receipt for it (text and TLVs,
// as NewReceiptDelivery builds them) on the system_id's receiving bind.

// smscWindow is the deliver_sm the benchmark's SMSC keeps outstanding per
// receiving bind.
const smscWindow = 100

// serveSMSC runs the benchmark's SMSC: it prints its address on stdout,
// serves until stdin closes, then prints its counters.
func serveSMSC(ctx context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	type pending struct {
		systemID, id string
		src, dst     smpp.Address
	}
	queue := make(chan pending, 1<<16)
	var submits, delivered atomic.Int64
	srv, err := smpp.NewServer(smpp.ServerConfig{
		Auth: func(context.Context, *smpp.BindRequest) (smpp.BindSettings, error) {
			return smpp.BindSettings{Account: "bench"}, nil
		},
		Submit: func(_ context.Context, req *smpp.SubmitRequest) (string, error) {
			id := strconv.FormatInt(submits.Add(1), 16)
			if req.RegisteredDelivery&1 != 0 {
				queue <- pending{systemID: req.SystemID, id: id, src: req.Source, dst: req.Dest}
			}
			return id, nil
		},
		Window: smscWindow,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_ = srv.Serve(ctx, ln)
	}()
	go func() {
		for p := range queue {
			d := smpp.NewReceiptDelivery(p.src, p.dst, receipt.Receipt{ID: p.id, State: receipt.Delivered,
				Stat: "DELIVRD", Err: "000", Sub: "001", Dlvrd: "001"}, false)
			for {
				err := srv.Deliver(ctx, p.systemID, d, func(err error) {
					if err == nil {
						delivered.Add(1)
					}
				})
				if err == nil || ctx.Err() != nil {
					break
				}
				// No receiving bind yet: the client binds its receiver
				// after its transmitter.
				time.Sleep(time.Millisecond)
			}
		}
	}()
	fmt.Println(ln.Addr().String())
	_, _ = io.Copy(io.Discard, os.Stdin)
	fmt.Printf("submits=%d receipts=%d\n", submits.Load(), delivered.Load())
	return nil
}

// smsc is the benchmark's SMSC running as a child process.
type smsc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	Port  int
}

// startSMSC starts the benchmark's SMSC and waits for its address.
func startSMSC(ctx context.Context) (*smsc, error) {
	cmd := exec.CommandContext(ctx, os.Args[0], "-smsc")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("starting the SMSC: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("starting the SMSC: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the SMSC: %w", err)
	}
	s := &smsc{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	line, err := s.out.ReadString('\n')
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("reading the SMSC's address: %w", err)
	}
	_, port, err := net.SplitHostPort(strings.TrimSpace(line))
	if err == nil {
		s.Port, err = strconv.Atoi(port)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("the SMSC's address %q: %w", line, err)
	}
	return s, nil
}

// Stop ends the SMSC and returns the submit_sm it answered and the
// receipts Herald acknowledged.
func (s *smsc) Stop() (submits, receipts int, err error) {
	_ = s.stdin.Close()
	line, rerr := s.out.ReadString('\n')
	werr := s.cmd.Wait()
	if _, err := fmt.Sscanf(line, "submits=%d receipts=%d", &submits, &receipts); err != nil {
		return 0, 0, fmt.Errorf("the SMSC's counters %q: %w", line, errors.Join(err, rerr, werr))
	}
	return submits, receipts, werr
}

// Close kills the SMSC.
func (s *smsc) Close() {
	_ = s.stdin.Close()
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}
