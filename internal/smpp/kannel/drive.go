package kannel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// BoxPort is the box port drive_smpp's built-in fake smsbox connects to, on
// 127.0.0.1, when its first ESME connects: without a listener there it
// panics after about 2 seconds.
const BoxPort = 13001

// lockPath serialises the users of BoxPort across test processes.
const lockPath = "/tmp/herald-kannel-13001.lock"

// DriveOptions configures drive_smpp.
type DriveOptions struct {
	// Port is the SMPP port (drive_smpp listens on 0.0.0.0); 0 picks a free one.
	Port int
	// MO is the number of deliver_sm sent to a receiver bind (-m); default 1.
	MO int
	// Debug logs every PDU (-v 0) instead of the counters and warnings
	// (-v 1); it costs throughput.
	Debug bool
	// NoBox leaves BoxPort to a real bearerbox instead of a dummy box.
	NoBox bool
}

// DriveSMPP is a running drive_smpp: Kannel's test SMSC. It answers
// bind_transmitter and bind_receiver (never bind_transceiver), answers every
// submit_sm with status 0 and an empty message_id, sends no receipts, sends
// MO deliver_sm (sequence numbers from 0, each followed by an enquire_link)
// to a receiver, and exits when its first client disconnects.
type DriveSMPP struct {
	Port int
	p    *process
	box  *box
}

// DriveStats are drive_smpp's counters, printed when it exits.
type DriveStats struct {
	// Submits is the number of submit_sm it received ("Number of messages
	// sent to SMSC").
	Submits int
	// MO is the number of deliver_sm it sent ("sent to ESME").
	MO int
}

// StartDriveSMPP starts drive_smpp and waits until it listens. It holds a
// lock on BoxPort until Close, so that concurrent test processes take turns.
func StartDriveSMPP(ctx context.Context, opts DriveOptions) (*DriveSMPP, error) {
	if err := Require(DriveSMPPPath); err != nil {
		return nil, err
	}
	b, err := openBox(ctx, !opts.NoBox)
	if err != nil {
		return nil, err
	}
	d := &DriveSMPP{Port: opts.Port, box: b}
	if d.Port == 0 {
		if d.Port, err = FreePort(); err != nil {
			b.close()
			return nil, err
		}
	}
	if opts.MO == 0 {
		opts.MO = 1
	}
	verbosity := "1"
	if opts.Debug {
		verbosity = "0"
	}
	d.p, err = start("drive_smpp", DriveSMPPPath, "-p", strconv.Itoa(d.Port), "-m", strconv.Itoa(opts.MO),
		"-v", verbosity)
	if err != nil {
		b.close()
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for !listening(d.Port) {
		if d.p.exited() {
			d.Close()
			return nil, fmt.Errorf("kannel: drive_smpp %w: %s", errExited, d.p.out.String())
		}
		select {
		case <-wctx.Done():
			d.Close()
			return nil, fmt.Errorf("kannel: drive_smpp does not listen on %d: %w", d.Port, wctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return d, nil
}

// Addr returns the SMPP address to dial.
func (d *DriveSMPP) Addr() string { return "127.0.0.1:" + strconv.Itoa(d.Port) }

// Output returns what drive_smpp logged so far.
func (d *DriveSMPP) Output() string { return d.p.out.String() }

// Wait waits for drive_smpp to exit, which it does once its first client
// has disconnected, and returns its counters.
func (d *DriveSMPP) Wait(ctx context.Context) (DriveStats, error) {
	if err := d.p.wait(ctx); err != nil {
		return DriveStats{}, err
	}
	out := d.p.out.String()
	st := DriveStats{Submits: counter(out, "Number of messages sent to SMSC:"), MO: counter(out, "Number of messages sent to ESME:")}
	if st.Submits < 0 || st.MO < 0 {
		return st, fmt.Errorf("kannel: drive_smpp printed no counters: %s", out)
	}
	return st, nil
}

// Close stops drive_smpp if it still runs and releases BoxPort.
func (d *DriveSMPP) Close() {
	if d.p != nil {
		d.p.stop(2 * time.Second)
	}
	d.box.close()
}

// box holds the BoxPort lock and, optionally, a dummy box on BoxPort that
// accepts drive_smpp's fake smsbox and discards what it sends.
type box struct {
	lock *os.File
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	cs   []net.Conn
}

// openBox takes the lock, waiting for other holders, and listens on
// BoxPort when listen is set.
func openBox(ctx context.Context, listen bool) (*box, error) {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("kannel: opening %s: %w", lockPath, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("kannel: locking %s: %w", lockPath, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("kannel: waiting for port %d: %w", BoxPort, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	b := &box{lock: f}
	if !listen {
		return b, nil
	}
	b.ln, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(BoxPort))
	if err != nil {
		b.close()
		return nil, fmt.Errorf("kannel: listening on the box port: %w", err)
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := b.ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.cs = append(b.cs, c)
			b.mu.Unlock()
			b.wg.Add(1)
			go func() { defer b.wg.Done(); _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	return b, nil
}

// close stops the dummy box and releases the lock.
func (b *box) close() {
	if b == nil {
		return
	}
	if b.ln != nil {
		_ = b.ln.Close()
		b.mu.Lock()
		for _, c := range b.cs {
			_ = c.Close()
		}
		b.mu.Unlock()
		b.wg.Wait()
	}
	_ = syscall.Flock(int(b.lock.Fd()), syscall.LOCK_UN)
	_ = b.lock.Close()
}
