package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smpp/kannel"
	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// smppEnv is the environment of an SMPP test: SQLite in a temporary
// directory.
func smppEnv(t *testing.T) map[string]string {
	return map[string]string{"HERALD_DATA_DIR": filepath.Join(t.TempDir(), "data")}
}

// addSMPPConnection gives the first account an SMPP connection with
// settings and the sender IDs senders on it.
func addSMPPConnection(t *testing.T, m *app.Main, settings string, senders ...string) *herald.Connection {
	t.Helper()
	ctx := context.Background()
	c := &herald.Connection{Type: herald.ConnectorSMPP, Channel: herald.ChannelSMS, Name: "smsc " + t.Name(),
		Settings: json.RawMessage(settings), Secrets: map[string]string{"password": "secret"}, Accounts: []int64{1}}
	if err := m.CreateConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, name := range senders {
		if err := m.Store.CreateSender(ctx, &herald.SenderID{AccountID: 1, Name: name, Channel: herald.ChannelSMS, ConnectionID: c.ID}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// waitStatus waits until message id of account 1 reaches status.
func waitStatus(t *testing.T, m *app.Main, id string, status herald.MessageStatus) *herald.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msg, err := m.Store.Message(context.Background(), 1, id)
		if err == nil && msg.Status == status {
			return msg
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s: %+v %v, want %s", id, msg, err, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sendSMS sends text from sender to dest through the engine, as the API does.
func sendSMS(t *testing.T, m *app.Main, sender, dest, text string) *herald.Message {
	t.Helper()
	payload, _ := json.Marshal(map[string]string{"text": text})
	msg, err := m.Messaging.Engine.Send(context.Background(), &herald.SendRequest{AccountID: 1,
		Contact: herald.ContactRef{Phone: dest}, CreateRecipient: true, Origin: herald.OriginAPI, Traffic: herald.TrafficAPI,
		Steps: []herald.SendStep{{Channel: herald.ChannelSMS, SenderID: sender, Payload: payload}}})
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// TestSMPPClientDriveSMPP sends through Kannel's drive_smpp as the SMSC:
// submit_sm answered, messages sent; drive_smpp's MO reach the inbound path.
func TestSMPPClientDriveSMPP(t *testing.T) {
	if err := kannel.Require(kannel.DriveSMPPPath); err != nil {
		t.Fatal(err) // scripts/test installs kannel-extras; a missing peer is a failure
	}
	m, _ := startMain(t, smppEnv(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const mo = 5
	d, err := kannel.StartDriveSMPP(ctx, kannel.DriveOptions{MO: mo})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	conn := addSMPPConnection(t, m, fmt.Sprintf(`{"host": "127.0.0.1", "port": %d, "systemId": "herald", "systemType": "VMA",
		"bindMode": "transmitter+receiver", "window": 20, "enquireLink": "5s"}`, d.Port), "Herald", "123")
	var ids []string
	for i := range 20 {
		ids = append(ids, sendSMS(t, m, "Herald", fmt.Sprintf("+4670000%04d", i), fmt.Sprintf("hello %d", i)).ID)
	}
	for _, id := range ids {
		msg := waitStatus(t, m, id, herald.StatusSent)
		if msg.ConnectionID != conn.ID {
			t.Errorf("message %s went through connection %d, want %d", id, msg.ConnectionID, conn.ID)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		page, err := m.Store.ListMessages(ctx, 1, herald.ListQuery{Limit: 100, Filters: []herald.Filter{{Field: "direction", Op: herald.OpEq, Value: "mo"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) >= mo {
			got := page.Items[0]
			// drive_smpp sends from "456", a short code and no phone number: no contact.
			if got.Destination != "456" || got.SenderID != "123" || !strings.Contains(string(got.Payload), `"text"`) {
				t.Errorf("MO %+v", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d MO stored, want %d", len(page.Items), mo)
		}
		time.Sleep(50 * time.Millisecond)
	}
	binds, ok := m.Messaging.SMPP.Binds(conn.ID)
	if !ok || len(binds.Sessions) != 2 {
		t.Errorf("binds %+v %v", binds, ok)
	}
}

// addCustomer creates an account with sandbox sender IDs and SMPP
// credentials systemID/password whose fallback sender ID is "sandbox".
func addCustomer(t *testing.T, m *app.Main, name, systemID, password string) *herald.Account {
	t.Helper()
	ctx := context.Background()
	acc := &herald.Account{Name: name}
	if err := acc.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := m.Store.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	if err := m.Messaging.Engine.ProvisionSandbox(ctx, acc.ID); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(password, auth.FastHashParams())
	if err != nil {
		t.Fatal(err)
	}
	c := &herald.SMPPCredential{AccountID: acc.ID, SystemID: systemID, PasswordHash: hash, SenderID: "sandbox", MaxBinds: 4}
	if err := m.Store.CreateSMPPCredential(ctx, c); err != nil {
		t.Fatal(err)
	}
	return acc
}

// TestSMPPClientAgainstServer sends through Herald's client connector to
// Herald's own SMPP server: the customer's message goes to the sandbox, is
// delivered, and its receipt comes back as a deliver_sm that turns the
// first message delivered. The long message travels in three parts (8-bit
// UDH, then SAR TLVs), which the server makes into one message and whose
// three receipts the client folds.
func TestSMPPClientAgainstServer(t *testing.T) {
	for _, concat := range []string{"udh8", "sar"} {
		t.Run(concat, func(t *testing.T) { clientAgainstServer(t, concat) })
	}
}

// clientAgainstServer is TestSMPPClientAgainstServer with one way of
// concatenation.
func clientAgainstServer(t *testing.T, concat string) {
	env := smppEnv(t)
	env["HERALD_SMPP_ADDR"] = "127.0.0.1:0"
	m, _ := startMain(t, env)
	customer := addCustomer(t, m, "Loop customer", "loop", "secret")
	_, port, _ := net.SplitHostPort(m.SMPP.Addr())
	addSMPPConnection(t, m, `{"host": "127.0.0.1", "port": `+port+`, "systemId": "loop", "systemType": "herald",
		"window": 20, "concat": "`+concat+`"}`, "Herald")
	short := sendSMS(t, m, "Herald", "+46700000123", "hello loop")
	// 400 GSM characters: three segments of at most 153.
	long := sendSMS(t, m, "Herald", "+46700000124", strings.Repeat("0123456789", 40))
	for _, id := range []string{short.ID, long.ID} {
		msg := waitStatus(t, m, id, herald.StatusDelivered)
		if msg.ProviderID == "" || msg.ProviderCode != "DELIVRD:000" {
			t.Errorf("delivered message %+v", msg)
		}
	}
	// The customer's side: the long message's three submit_sm make one
	// message of the whole text.
	page, err := m.Store.ListMessages(context.Background(), customer.ID, herald.ListQuery{Limit: 10})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("customer's messages: %d %v", len(page.Items), err)
	}
	texts := map[string]bool{}
	for _, msg := range page.Items {
		if msg.Origin != herald.OriginSMPP || msg.SenderID != "sandbox" {
			t.Errorf("customer's message %+v", msg)
		}
		var p struct{ Text string }
		_ = json.Unmarshal(msg.Payload, &p)
		texts[p.Text] = true
	}
	if !texts["hello loop"] || !texts[strings.Repeat("0123456789", 40)] {
		t.Errorf("customer's texts %v", texts)
	}
}

// TestSMPPCredentialChangeEndsBinds changes an SMPP credential's password
// through the API while a customer is bound with the old one: the open
// bind ends at once, and binding again with the old password is refused.
func TestSMPPCredentialChangeEndsBinds(t *testing.T) {
	env := smppEnv(t)
	env["HERALD_SMPP_ADDR"] = "127.0.0.1:0"
	m, base := startMain(t, env)
	ctx := context.Background()
	hash, err := auth.HashPassword("secret", auth.FastHashParams())
	if err != nil {
		t.Fatal(err)
	}
	cred := &herald.SMPPCredential{AccountID: 1, SystemID: "kicked", PasswordHash: hash, SenderID: "sandbox", MaxBinds: 2}
	if err := m.Store.CreateSMPPCredential(ctx, cred); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(m.SMPP.Addr())
	conn := addSMPPConnection(t, m, `{"host": "127.0.0.1", "port": `+port+`, "systemId": "kicked", "systemType": "herald"}`, "Kicked")
	sendSMS(t, m, "Kicked", "+46700000125", "before the change") // opens the connection's bind
	bound := func() int {
		n := 0
		for _, b := range m.SMPP.Binds() {
			if b.SystemID == "kicked" {
				n++
			}
		}
		return n
	}
	waitFor(t, "the customer's bind", func() bool { return bound() == 1 })

	key := apiKey(t, m, "smpp admin", herald.ScopeAdmin)
	apiCall(t, "PATCH", fmt.Sprintf("%s/api/v1/smpp-credentials/%d", base, cred.ID), key, "application/json",
		strings.NewReader(`{"password": "newpass"}`), 200, nil)
	waitFor(t, "the bind refused with the old password", func() bool {
		if bound() != 0 {
			return false
		}
		for _, c := range m.Messaging.SMPP.All() {
			if c.ConnectionID != conn.ID {
				continue
			}
			for _, s := range c.Sessions {
				if strings.Contains(s.LastError, "ESME_RINVPASWD") {
					return true
				}
			}
		}
		return false
	})
}

// TestSMPPReceiptsOvertakeSubmissions sends through an SMSC that delivers
// each message's receipt before it answers the submit_sm, with decimal
// message IDs of which many are also the hexadecimal form of another's
// ("100" is 0x100 = 256): every message is delivered by its own receipt,
// and none goes unmatched. The SMSC is Herald's SMPP library, standing in
// for an operator's.
func TestSMPPReceiptsOvertakeSubmissions(t *testing.T) {
	m, _ := startMain(t, smppEnv(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var srv *smpp.Server
	var next atomic.Int64
	next.Store(99)
	srv, err = smpp.NewServer(smpp.ServerConfig{
		Auth: func(context.Context, *smpp.BindRequest) (smpp.BindSettings, error) {
			return smpp.BindSettings{Account: "test"}, nil
		},
		Submit: func(ctx context.Context, req *smpp.SubmitRequest) (string, error) {
			id := strconv.FormatInt(next.Add(1), 10)
			d := smpp.NewReceiptDelivery(req.Source, req.Dest, receipt.Receipt{ID: id, State: receipt.Delivered,
				Stat: "DELIVRD", Err: "000"}, false)
			// The receiver binds after the transmitter: the first receipt
			// may wait for it.
			for err := srv.Deliver(ctx, req.SystemID, d, func(error) {}); err != nil; err = srv.Deliver(ctx, req.SystemID, d, func(error) {}) {
				if !errors.Is(err, smpp.ErrNoReceiver) || ctx.Err() != nil {
					return "", err
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // the receipt is on its way first
			return id, nil
		},
		Window: 50,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ctx, ln) }()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	conn := addSMPPConnection(t, m, `{"host": "127.0.0.1", "port": `+port+`, "systemId": "herald", "systemType": "VMA",
		"bindMode": "transmitter+receiver", "window": 50}`, "Herald")
	// The engine opens the binds with the first message.
	waitStatus(t, m, sendSMS(t, m, "Herald", "+46700010999", "first").ID, herald.StatusDelivered)
	const n = 200
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ids[i] = sendSMS(t, m, "Herald", fmt.Sprintf("+4670001%04d", i), "receipt race").ID })
	}
	wg.Wait()
	for _, id := range ids {
		msg := waitStatus(t, m, id, herald.StatusDelivered)
		events, err := m.Store.MessageEvents(ctx, 1, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if !e.Applied {
				t.Errorf("message %s (SMSC ID %s) has an event not applied: %+v", id, msg.ProviderID, e)
			}
		}
	}
	if u, err := m.Store.UnmatchedReceipts(ctx, conn.ID, 10); err != nil || len(u) != 0 {
		t.Errorf("unmatched receipts %+v %v", u, err)
	}
}
