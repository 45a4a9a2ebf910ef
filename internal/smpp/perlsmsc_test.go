package smpp

import (
	"bufio"
	"context"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/smpp/kannel"
	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// startPerlSMSC runs testdata/perl_smsc.pl, an SMSC written with Perl's
// Net::SMPP, and returns its address.
func startPerlSMSC(t *testing.T, mode string) string {
	t.Helper()
	if out, err := exec.Command("perl", "-MNet::SMPP", "-e", "1").CombinedOutput(); err != nil {
		t.Fatalf("perl with Net::SMPP is missing (%v: %s); install it: %s", err, out, kannel.InstallHint)
	}
	port, err := kannel.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("perl", "testdata/perl_smsc.pl", strconv.Itoa(port), mode)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "LISTENING") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("perl_smsc.pl did not start: %q %s", lines.Text(), stderr.String())
	}
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() {
			for lines.Scan() {
				t.Log("perl_smsc.pl: " + lines.Text())
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("perl_smsc.pl stderr:\n%s", stderr.String())
		}
	})
	return "127.0.0.1:" + strconv.Itoa(port)
}

// TestPerlSMSCReceipts submits to an independent SMSC that answers with
// message IDs and sends receipts in the text variants of real SMSCs, with
// the ID in another base than in submit_sm_resp.
func TestPerlSMSCReceipts(t *testing.T) {
	for _, mode := range []string{"dec", "hex"} {
		t.Run(mode, func(t *testing.T) {
			checkGoroutines(t)
			addr := startPerlSMSC(t, mode)
			in := &inbox{}
			c := testClient(t, Config{Addr: addr, SystemID: "herald", Password: "pw", RegisteredDelivery: 1,
				Inbound: in, Source: AddrPlan{Auto: true}, Dest: AddrPlan{TON: 1, NPI: 1, Auto: true}})
			ready(t, c)
			want := []receipt.State{receipt.Delivered, receipt.Delivered, receipt.Undelivered, receipt.Expired, receipt.Rejected}
			const n = 10
			ids := make([]string, n)
			for i := range n {
				r, err := c.Submit(context.Background(), &Message{Source: "Herald", Dest: "+46700000001", Text: "hello " + strconv.Itoa(i)})
				if err != nil {
					t.Fatal(err)
				}
				ids[i] = r.Segments[0].MessageID
			}
			eventually(t, "receipts", func() bool { r, _ := in.counts(); return r == n })
			in.mu.Lock()
			defer in.mu.Unlock()
			for _, r := range in.receipts {
				k := slices.IndexFunc(ids, func(id string) bool { return slices.Contains(r.IDs, receipt.Canonical(id)) })
				if k < 0 {
					t.Errorf("receipt %q (forms %q) matches no message ID of %q", r.Raw, r.IDs, ids)
					continue
				}
				if r.State != want[k%len(want)] {
					t.Errorf("receipt %q: state %q, want %q", r.Raw, r.State, want[k%len(want)])
				}
				if r.Source.Addr != "46700000001" || r.Source.TON != 1 || r.Dest.Addr != "Herald" || r.Dest.TON != 5 {
					t.Errorf("receipt addresses %+v -> %+v", r.Source, r.Dest)
				}
				switch k % len(want) {
				case 0:
					if r.DoneDate != time.Date(2024, 1, 1, 12, 1, 0, 0, time.UTC) || r.Err != "000" || r.Text != "hello" {
						t.Errorf("receipt %q: %+v", r.Raw, r.Receipt)
					}
				case 1:
					if r.DoneDate != time.Date(2024, 1, 1, 12, 1, 45, 0, time.UTC) {
						t.Errorf("receipt %q: done date %v", r.Raw, r.DoneDate)
					}
				case 2:
					if r.Err != "034" || r.Stat != "UNDELIV" {
						t.Errorf("receipt %q: %+v", r.Raw, r.Receipt)
					}
				}
			}
		})
	}
}
