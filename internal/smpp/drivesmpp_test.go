package smpp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/smpp/kannel"
)

// startDrive starts Kannel's drive_smpp for a test; a missing Kannel fails
// the test with the install hint.
func startDrive(t *testing.T, opts kannel.DriveOptions) *kannel.DriveSMPP {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := kannel.StartDriveSMPP(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		if t.Failed() {
			t.Logf("drive_smpp output:\n%s", d.Output())
		}
	})
	return d
}

// waitDrive closes c and waits for drive_smpp to exit with its counters.
func waitDrive(t *testing.T, c *Client, d *kannel.DriveSMPP) kannel.DriveStats {
	t.Helper()
	_ = c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, err := d.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// submitMany submits n messages from workers goroutines and fails on any error.
func submitMany(t *testing.T, c *Client, n, workers int, msg func(i int) *Message) []Result {
	t.Helper()
	results := make([]Result, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := c.Submit(context.Background(), msg(i))
				if err != nil {
					t.Errorf("message %d: %v", i, err)
				}
				results[i] = r
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// TestDriveSMPPSubmit pushes messages through one transmitter bind to
// drive_smpp and checks that it counted every one.
func TestDriveSMPPSubmit(t *testing.T) {
	checkGoroutines(t)
	d := startDrive(t, kannel.DriveOptions{})
	c := testClient(t, Config{Addr: d.Addr(), SystemID: "foo", Password: "bar", SystemType: "VMA",
		Mode: BindTransmitter, Window: 100, RegisteredDelivery: 1})
	ready(t, c)
	const n = 5000
	start := time.Now()
	results := submitMany(t, c, n, 200, func(i int) *Message {
		return &Message{Source: "12345", Dest: "46700000000", Text: "bench message " + strconv.Itoa(i)}
	})
	elapsed := time.Since(start)
	for i, r := range results {
		if len(r.Segments) != 1 || r.Segments[0].Outcome != OutcomeAccepted || r.Segments[0].MessageID != "" {
			t.Fatalf("result %d = %+v; drive_smpp accepts with an empty message_id", i, r)
		}
	}
	st := waitDrive(t, c, d)
	if st.Submits != n {
		t.Errorf("drive_smpp counted %d submit_sm, want %d", st.Submits, n)
	}
	t.Logf("%d submit_sm in %v: %.0f/s through one bind", n, elapsed, float64(n)/elapsed.Seconds())
}

// TestDriveSMPPLongMessages sends concatenated messages in each method and
// alphabet; drive_smpp counts one submit_sm per segment (or one for
// message_payload).
func TestDriveSMPPLongMessages(t *testing.T) {
	checkGoroutines(t)
	cases := []struct {
		concat   Concat
		alphabet Alphabet
		msg      Message
		segments int
	}{
		{ConcatUDH8, GSM7, Message{Text: strings.Repeat("x", 306)}, 2},
		{ConcatUDH16, GSM7Packed, Message{Text: strings.Repeat("y", 305)}, 3},
		{ConcatSAR, GSM7, Message{Kind: KindUnicode, Text: strings.Repeat("ж", 135)}, 3},
		{ConcatPayload, GSM7, Message{Text: strings.Repeat("z", 1000)}, 1},
		{ConcatUDH8, Latin1, Message{Kind: KindFlash, Text: strings.Repeat("é", 161)}, 2},
		{ConcatUDH8, GSM7, Message{Kind: KindBinary, Data: make([]byte, 300)}, 3},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d/%d/%d", tc.concat, tc.alphabet, tc.msg.Kind), func(t *testing.T) {
			d := startDrive(t, kannel.DriveOptions{})
			c := testClient(t, Config{Addr: d.Addr(), Mode: BindTransmitter, Concat: tc.concat, Alphabet: tc.alphabet, SystemType: "VMA"})
			ready(t, c)
			m := tc.msg
			m.Source, m.Dest = "Herald", "46700000000"
			r, err := c.Submit(context.Background(), &m)
			if err != nil || len(r.Segments) != tc.segments {
				t.Fatalf("Submit = %d segments, %v; want %d", len(r.Segments), err, tc.segments)
			}
			if st := waitDrive(t, c, d); st.Submits != tc.segments {
				t.Errorf("drive_smpp counted %d, want %d", st.Submits, tc.segments)
			}
		})
	}
}

// TestDriveSMPPMO binds a receiver to drive_smpp, which sends -m MO
// messages, each followed by an enquire_link; their sequence numbers start
// at 0.
func TestDriveSMPPMO(t *testing.T) {
	checkGoroutines(t)
	const n = 300
	d := startDrive(t, kannel.DriveOptions{MO: n})
	in := &inbox{}
	c := testClient(t, Config{Addr: d.Addr(), Mode: BindReceiver, SystemType: "VMA", Inbound: in})
	ready(t, c)
	eventually(t, "MO messages", func() bool { _, m := in.counts(); return m == n })
	seen := map[string]bool{}
	for _, mo := range in.mos {
		if mo.Source.Addr != "456" || mo.Dest.Addr != "123" || mo.Parts != 1 {
			t.Fatalf("MO = %+v", mo)
		}
		seen[mo.Text] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[strconv.Itoa(i)] {
			t.Errorf("MO %q missing", strconv.Itoa(i))
		}
	}
	if r, _ := in.counts(); r != 0 {
		t.Errorf("%d receipts: the receipted_message_id TLV with esm_class 0 is MO, not a receipt", r)
	}
	if st := waitDrive(t, c, d); st.MO != n {
		t.Errorf("drive_smpp sent %d MO, want %d", st.MO, n)
	}
}

// TestDriveSMPPTransmitterReceiver runs both directions at once: drive_smpp
// keeps at most 500 MO ahead of the submit_sm it receives.
func TestDriveSMPPTransmitterReceiver(t *testing.T) {
	checkGoroutines(t)
	const n = 1200
	d := startDrive(t, kannel.DriveOptions{MO: n})
	in := &inbox{}
	c := testClient(t, Config{Addr: d.Addr(), Mode: BindTransmitterReceiver, SystemType: "VMA", Inbound: in, Window: 50})
	ready(t, c)
	submitMany(t, c, n, 50, func(i int) *Message {
		return &Message{Source: "12345", Dest: "46700000000", Text: "m" + strconv.Itoa(i)}
	})
	eventually(t, "all MO", func() bool { _, m := in.counts(); return m == n })
	st := waitDrive(t, c, d)
	if st.Submits != n || st.MO != n {
		t.Errorf("drive_smpp counted %+v, want %d each", st, n)
	}
}

// TestDriveSMPPNoTransceiver: drive_smpp never answers bind_transceiver, so
// the bind times out.
func TestDriveSMPPNoTransceiver(t *testing.T) {
	checkGoroutines(t)
	d := startDrive(t, kannel.DriveOptions{})
	c := testClient(t, Config{Addr: d.Addr(), Mode: BindTransceiver, SystemType: "VMA",
		ResponseTimeout: 300 * time.Millisecond, ReconnectMin: time.Hour})
	eventually(t, "the bind to fail", func() bool { return c.Sessions()[0].State == StateBackoff })
	if s := c.Sessions()[0]; !strings.Contains(s.LastError, "transceiver") || !strings.Contains(s.LastError, "timeout") {
		t.Errorf("LastError = %q", s.LastError)
	}
	if st := waitDrive(t, c, d); st.Submits != 0 {
		t.Errorf("drive_smpp = %+v", st)
	}
}
