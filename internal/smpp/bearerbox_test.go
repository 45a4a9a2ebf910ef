package smpp

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/smpp/kannel/kanneltest"
	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// TestKannelBearerbox binds Kannel's bearerbox to Herald's server as a
// customer would (transceiver-mode, system-type set), sends through
// smsbox's sendsms, and checks that intermediate and final receipts reach
// Kannel's dlr-url and MO its get-url.
func TestKannelBearerbox(t *testing.T) {
	checkGoroutines(t)
	type submitted struct {
		req *SubmitRequest
		id  string
	}
	subs := make(chan submitted, 16)
	var mu sync.Mutex
	next := 0
	auth := func(_ context.Context, r *BindRequest) (BindSettings, error) {
		if r.SystemID != "kannel" {
			return BindSettings{}, StatusInvSystemID
		}
		if r.Password != "secret" {
			return BindSettings{}, StatusInvPassword
		}
		return BindSettings{Account: "customer-1", MaxBinds: 2}, nil
	}
	submit := func(_ context.Context, r *SubmitRequest) (string, error) {
		mu.Lock()
		next++
		id := strconv.Itoa(4000 + next)
		mu.Unlock()
		subs <- submitted{r, id}
		return id, nil
	}
	srv, addr := testServer(t, ServerConfig{Auth: auth, Submit: submit, EnquireLink: time.Second})
	_, port, _ := net.SplitHostPort(addr)
	smscPort, _ := strconv.Atoi(port)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	gw, h := kanneltest.StartCustomer(ctx, t, smscPort)
	if b := srv.Binds(); len(b) != 1 || b[0].Bind != "transceiver" || b[0].SystemID != "kannel" || b[0].Account != "customer-1" {
		t.Fatalf("binds = %+v", b)
	}

	const n = 3
	for i := range n {
		code, body, err := gw.SendSMS(ctx, url.Values{
			"from": {"12345"}, "to": {"46700000001"}, "text": {"héllo € " + strconv.Itoa(i)},
			"dlr-mask": {"31"}, "dlr-url": {h.URL + "/dlr?type=%d&status=%A&msg=" + strconv.Itoa(i)},
		})
		if err != nil || code != http.StatusAccepted {
			t.Fatalf("sendsms: %d %q %v", code, body, err)
		}
	}
	got := map[string]submitted{}
	for range n {
		select {
		case s := <-subs:
			got[s.req.Text] = s
		case <-ctx.Done():
			t.Fatalf("Kannel submitted %d of %d", len(got), n)
		}
	}
	for i := range n {
		s, ok := got["héllo € "+strconv.Itoa(i)]
		if !ok {
			t.Fatalf("submitted texts: %v", got)
		}
		r := s.req
		if r.Source != (Address{2, 1, "12345"}) || r.Dest.Addr != "46700000001" || r.RegisteredDelivery != 0x11 || r.DataCoding != 0 {
			t.Errorf("submit_sm %+v", r)
		}
		if !r.WantsReceipt(true) || !r.WantsIntermediate() {
			t.Errorf("registered_delivery 0x%02x", r.RegisteredDelivery)
		}
		// An intermediate receipt, then the final one.
		for _, st := range []receipt.State{receipt.Enroute, receipt.Delivered} {
			rc := receipt.Receipt{ID: s.id, State: st, Text: r.Text}
			errc := make(chan error, 1)
			if err := srv.Deliver(ctx, "kannel", NewReceiptDelivery(r.Source, r.Dest, rc, st == receipt.Enroute),
				func(err error) { errc <- err }); err != nil {
				t.Fatal(err)
			}
			if err := <-errc; err != nil {
				t.Fatalf("Kannel refused the receipt: %v", err)
			}
		}
	}
	// An MO message for Kannel's sms-service.
	mos, err := NewMODeliveries(Address{1, 1, "46700000009"}, Address{0, 0, "12345"}, "hello herald", 1)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	if err := srv.Deliver(ctx, "kannel", mos[0], func(err error) { errc <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Kannel refused the MO: %v", err)
	}

	eventually(t, "receipts and MO at Kannel's URLs", func() bool {
		for i := range n {
			m := strconv.Itoa(i)
			if len(h.Find("/dlr", "msg", m, "type", "8")) == 0 || len(h.Find("/dlr", "msg", m, "type", "1")) == 0 ||
				len(h.Find("/dlr", "msg", m, "type", "4")) == 0 {
				return false
			}
		}
		return len(h.Find("/mo")) > 0
	})
	mo := h.Find("/mo")[0]
	if mo.Get("from") != "+46700000009" || mo.Get("to") != "12345" || mo.Get("text") != "hello herald" || mo.Get("smsc") != "herald" {
		t.Errorf("MO at get-url: %v", mo)
	}
	final := h.Find("/dlr", "msg", "0", "type", "1")[0]
	if r, ok := receipt.Parse(final.Get("status")); !ok || r.State != receipt.Delivered {
		t.Errorf("final receipt text at dlr-url: %q", final.Get("status"))
	}
	t.Logf("dlr-url and get-url hits: %v", h.Hits())
}
