package app_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/smpp/kannel/kanneltest"
)

// TestSMPPServerKannel binds Kannel's bearerbox to Herald's SMPP server as
// a customer would (transceiver-mode, system-type set) and sends through
// smsbox's sendsms: the messages become Herald messages of origin smpp,
// routed to the sandbox and delivered; the intermediate and final receipts
// reach Kannel's dlr-url, and a sandbox reply reaches its get-url as MO.
func TestSMPPServerKannel(t *testing.T) {
	env := smppEnv(t)
	env["HERALD_SMPP_ADDR"] = "127.0.0.1:0"
	m, _ := startMain(t, env)
	customer := addCustomer(t, m, "Kannel customer", "kannel", "secret")
	_, port, _ := net.SplitHostPort(m.SMPP.Addr())
	smscPort, _ := strconv.Atoi(port)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	gw, h := kanneltest.StartCustomer(ctx, t, smscPort)
	if b := m.SMPP.Binds(); len(b) != 1 || b[0].Bind != "transceiver" || b[0].SystemID != "kannel" {
		t.Fatalf("binds = %+v", b)
	}

	// The last message is long: Kannel sends it in parts with a UDH, which
	// Herald makes into one message.
	const n = 3
	long := strings.Repeat("a long text from Kannel ", 12)
	for i := range n {
		text := "hello herald " + strconv.Itoa(i)
		if i == n-1 {
			text = long
		}
		code, body, err := gw.SendSMS(ctx, url.Values{
			"from": {"12345"}, "to": {"4670000010" + strconv.Itoa(i)}, "text": {text},
			"dlr-mask": {"31"}, "dlr-url": {h.URL + "/dlr?type=%d&status=%A&msg=" + strconv.Itoa(i)},
		})
		if err != nil || code != http.StatusAccepted {
			t.Fatalf("sendsms: %d %q %v", code, body, err)
		}
	}

	// Herald's side: n messages of origin smpp, routed by the credential's
	// fallback sender ID to the sandbox, and delivered.
	var msgs []herald.Message
	waitFor(t, "Kannel's messages delivered in Herald", func() bool {
		page, err := m.Store.ListMessages(ctx, customer.ID, herald.ListQuery{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		msgs = page.Items
		delivered := 0
		for _, msg := range msgs {
			if msg.Status == herald.StatusDelivered {
				delivered++
			}
		}
		return delivered == n
	})
	whole := false
	for _, msg := range msgs {
		if msg.Origin != herald.OriginSMPP || msg.SenderID != herald.SandboxSender || msg.Direction != herald.MT {
			t.Errorf("message %+v", msg)
		}
		whole = whole || strings.Contains(string(msg.Payload), long)
	}
	if !whole {
		t.Errorf("no message holds the whole long text: %+v", msgs)
	}

	// Kannel's side: the SMSC ack (8), the intermediate (4) and the final
	// (1) receipt of every message at its dlr-url.
	waitFor(t, "receipts at Kannel's dlr-url", func() bool {
		for i := range n {
			for _, typ := range []string{"8", "4", "1"} {
				if len(h.Find("/dlr", "msg", strconv.Itoa(i), "type", typ)) == 0 {
					return false
				}
			}
		}
		return true
	})

	// A reply from the sandbox device becomes MO at Kannel's get-url.
	reply, err := m.Messaging.Engine.SandboxReply(ctx, customer.ID, msgs[0].ID, "hello kannel")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MO at Kannel's get-url", func() bool { return len(h.Find("/mo")) > 0 })
	mo := h.Find("/mo")[0]
	if mo.Get("from") != reply.Destination || mo.Get("to") != herald.SandboxSender || mo.Get("text") != "hello kannel" ||
		mo.Get("smsc") != "herald" {
		t.Errorf("MO at get-url: %v (reply %+v)", mo, reply)
	}
}

// waitFor polls ok every 50 ms for up to 30 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
