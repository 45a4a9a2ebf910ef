package smpp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// submitPDU builds a raw submit_sm.
func submitPDU(seq uint32, text string) []byte {
	sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
	sm.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(5, 0, "Herald")
	sm.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, "46700000001")
	_ = sm.Message.SetMessageDataWithEncoding([]byte(text), data.NewCustomEncoding(0, nil))
	return marshal(sm, seq)
}

// TestServerBadInput sends malformed and unexpected PDUs to the server.
func TestServerBadInput(t *testing.T) {
	checkGoroutines(t)
	rec := &recorder{}
	srv, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: rec.submit})

	r := dialRaw(t, addr)
	// Before the bind: submit_sm is refused, enquire_link answered.
	r.send(submitPDU(1, "too early"))
	if f := r.read(); f.id != cmdSubmitSM|respBit || Status(f.status) != StatusInvBindStatus || f.seq != 1 {
		t.Errorf("submit before bind: %s %s", cmdName(f.id), Status(f.status).Name())
	}
	r.send(appendPDU(nil, cmdEnquireLink, 0, 2))
	if f := r.read(); f.id != cmdEnquireLink|respBit || f.seq != 2 {
		t.Errorf("enquire_link: %s", cmdName(f.id))
	}
	r.send(bindPDU(cmdBindTransceiver, "acme", "pw", "", 3))
	if f := r.read(); f.status != 0 || readCString(f.body()) != "herald" {
		t.Fatalf("bind: %s %q", Status(f.status).Name(), f.body())
	}
	// Unknown command_id: generic_nack, and the session goes on.
	r.send(appendPDU(nil, 0x00000077, 0, 4))
	if f := r.read(); f.id != cmdGenericNack || Status(f.status) != StatusInvCmdID || f.seq != 4 {
		t.Errorf("unknown command: %s %s seq %d", cmdName(f.id), Status(f.status).Name(), f.seq)
	}
	// Unsupported but known: query_sm, data_sm.
	r.send(appendPDU(nil, cmdQuerySM, 0, 5, cstring("1"), []byte{0, 0, 0}))
	if f := r.read(); f.id != cmdGenericNack || Status(f.status) != StatusInvCmdID {
		t.Errorf("query_sm: %s %s", cmdName(f.id), Status(f.status).Name())
	}
	// A truncated submit_sm body.
	r.send(appendPDU(nil, cmdSubmitSM, 0, 6, []byte("CMT\x00\x01")))
	if f := r.read(); f.id != cmdSubmitSM|respBit || Status(f.status) != StatusInvCmdLen {
		t.Errorf("truncated submit_sm: %s %s", cmdName(f.id), Status(f.status).Name())
	}
	// A submit_sm whose TLVs are cut short.
	bad := append(submitPDU(7, "tlv"), 0x04, 0x24, 0x00)
	binary.BigEndian.PutUint32(bad, uint32(len(bad)))
	r.send(bad)
	if f := r.read(); Status(f.status) != StatusInvCmdLen {
		t.Errorf("bad TLV: %s", Status(f.status).Name())
	}
	// A submit_sm with a broken user data header is still accepted.
	broken := submitPDU(8, "\x09\x00\x03ab")
	esm, _, _ := smOffsets(broken[16:])
	broken[16+esm] |= 0x40
	r.send(broken)
	if f := r.read(); f.status != 0 {
		t.Errorf("broken UDH: %s", Status(f.status).Name())
	}
	// A good one.
	r.send(submitPDU(9, "fine"))
	if f := r.read(); f.status != 0 || f.seq != 9 || readCString(f.body()) == "" {
		t.Errorf("submit_sm: %s %q", Status(f.status).Name(), f.body())
	}
	// A response nobody asked for is ignored.
	r.send(appendPDU(nil, cmdDeliverSM|respBit, 0, 999, []byte{0}))
	// A length that cannot be right: generic_nack, then the server closes.
	r.send([]byte{0, 0, 0, 10, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 10})
	if f := r.read(); f.id != cmdGenericNack || Status(f.status) != StatusInvCmdLen || f.seq != 10 {
		t.Errorf("bad length: %s %s", cmdName(f.id), Status(f.status).Name())
	}
	r.expectClosed()
	if rec.len() != 2 {
		t.Errorf("server handed over %d submit_sm, want 2", rec.len())
	}
	if len(srv.Binds()) != 0 {
		eventually(t, "the bind to go", func() bool { return len(srv.Binds()) == 0 })
	}

	// A peer that unbinds gets unbind_resp and is closed.
	r = dialRaw(t, addr)
	r.send(bindPDU(cmdBindTransmitter, "acme", "pw", "", 1))
	r.read()
	r.send(appendPDU(nil, cmdUnbind, 0, 2))
	if f := r.read(); f.id != cmdUnbind|respBit || f.seq != 2 {
		t.Errorf("unbind: %s", cmdName(f.id))
	}
	r.expectClosed()

	// A peer that never binds is closed after the response timeout.
	_, addr2 := testServer(t, ServerConfig{Auth: allowAll, Submit: rec.submit, ResponseTimeout: 100 * time.Millisecond})
	dialRaw(t, addr2).expectClosed()
}

// TestServerSubmitErrors maps SubmitFunc errors and panics to statuses.
func TestServerSubmitErrors(t *testing.T) {
	checkGoroutines(t)
	submit := func(_ context.Context, r *SubmitRequest) (string, error) {
		switch r.Text {
		case "panic":
			panic("boom")
		case "empty":
			return "", nil
		case "status":
			return "", StatusInvDstAddr
		case "error":
			return "", net.ErrClosed
		}
		return "id", nil
	}
	_, addr := testServer(t, ServerConfig{Auth: allowAll, Submit: submit})
	r := dialRaw(t, addr)
	r.send(bindPDU(cmdBindTransmitter, "acme", "pw", "", 1))
	r.read()
	for i, tc := range []struct {
		text string
		want Status
	}{{"panic", StatusSysErr}, {"empty", StatusSysErr}, {"status", StatusInvDstAddr}, {"error", StatusSysErr}, {"ok", StatusOK}} {
		r.send(submitPDU(uint32(10+i), tc.text))
		if f := r.read(); Status(f.status) != tc.want {
			t.Errorf("%s: %s, want %s", tc.text, Status(f.status).Name(), tc.want.Name())
		}
	}
}

// TestDeadPeer: an SMSC that stops answering is detected by the response
// timeout, and the client reconnects and resends what was in flight.
func TestDeadPeer(t *testing.T) {
	checkGoroutines(t)
	ln := listen(t)
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- nc
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for nc := range accepted {
			nc.Close()
		}
	})
	c := testClient(t, Config{Addr: ln.Addr().String(), Mode: BindTransmitter, ResponseTimeout: 200 * time.Millisecond,
		EnquireLink: 50 * time.Millisecond, ReconnectMin: 10 * time.Millisecond})
	// First connection: bind, then silence.
	first := &rawConn{t: t, nc: <-accepted}
	f := first.read()
	first.send(appendPDU(nil, f.id|respBit, 0, f.seq, cstring("mute")))
	res := make(chan Result, 1)
	if err := c.SubmitAsync(context.Background(), &Message{Source: "1", Dest: "2", Text: "again"}, func(r Result) { res <- r }); err != nil {
		t.Fatal(err)
	}
	if f := first.read(); f.id != cmdSubmitSM {
		t.Fatalf("got %s, want submit_sm", cmdName(f.id))
	}
	// The client gives up on the silent peer and reconnects.
	var second *rawConn
	select {
	case nc := <-accepted:
		second = &rawConn{t: t, nc: nc}
	case <-time.After(5 * time.Second):
		t.Fatal("no reconnection")
	}
	f = second.read()
	second.send(appendPDU(nil, f.id|respBit, 0, f.seq, cstring("alive")))
	for {
		f = second.read()
		if f.id == cmdEnquireLink {
			second.send(appendPDU(nil, cmdEnquireLink|respBit, 0, f.seq))
			continue
		}
		break
	}
	if f.id != cmdSubmitSM {
		t.Fatalf("got %s, want the resent submit_sm", cmdName(f.id))
	}
	second.send(appendPDU(nil, cmdSubmitSM|respBit, 0, f.seq, cstring("X1")))
	r := <-res
	if r.Err != nil || r.Segments[0].MessageID != "X1" || r.Segments[0].Attempts != 2 {
		t.Errorf("result %+v", r)
	}
	if s := c.Sessions()[0]; s.State != StateBound {
		t.Errorf("session %+v", s)
	}
}

// TestTLS binds over TLS.
func TestTLS(t *testing.T) {
	checkGoroutines(t)
	cert, pool := selfSigned(t)
	rec := &recorder{}
	srv, err := NewServer(ServerConfig{Auth: allowAll, Submit: rec.submit, Logger: testLogger(t),
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	if err != nil {
		t.Fatal(err)
	}
	port := listen(t)
	addr := port.Addr().String()
	port.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, addr) }()
	t.Cleanup(func() { cancel(); <-done })
	c := testClient(t, Config{Addr: addr, TLS: &tls.Config{RootCAs: pool}, ReconnectMin: 10 * time.Millisecond})
	ready(t, c)
	if _, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "2", Text: "secret"}); err != nil {
		t.Fatal(err)
	}
	if rec.len() != 1 || rec.reqs[0].Text != "secret" {
		t.Errorf("server got %d", rec.len())
	}
}

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "herald test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestUnknownOutcome: without retries, a segment whose session died before
// its response is reported as unknown and temporary.
func TestUnknownOutcome(t *testing.T) {
	checkGoroutines(t)
	ln := listen(t)
	defer ln.Close()
	c := testClient(t, Config{Addr: ln.Addr().String(), Mode: BindTransmitter, MaxRetries: -1, ReconnectMin: time.Hour})
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	smsc := &rawConn{t: t, nc: nc}
	f := smsc.read()
	smsc.send(appendPDU(nil, f.id|respBit, 0, f.seq, cstring("smsc")))
	res := make(chan Result, 1)
	if err := c.SubmitAsync(context.Background(), &Message{Source: "1", Dest: "2", Text: "lost"}, func(r Result) { res <- r }); err != nil {
		t.Fatal(err)
	}
	smsc.read()
	nc.Close()
	r := <-res
	var se *SubmitError
	if !errors.As(r.Err, &se) || !se.Unknown || !se.Temporary || se.Status != 0 || r.Segments[0].Outcome != OutcomeUnknown {
		t.Errorf("result %+v, err %v", r, r.Err)
	}
}

// TestCloseWhileWaiting: Submit blocked on an unreachable SMSC returns
// ErrClosed when the client closes.
func TestCloseWhileWaiting(t *testing.T) {
	checkGoroutines(t)
	ln := listen(t)
	addr := ln.Addr().String()
	ln.Close()
	c, err := NewClient(Config{Addr: addr, Logger: discardLogger(), ReconnectMin: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := c.Submit(context.Background(), &Message{Source: "1", Dest: "2", Text: "x"})
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("Submit = %v, want ErrClosed", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Submit(ctx, &Message{Source: "1", Dest: "2", Text: "x"}); err == nil {
		t.Error("Submit after Close succeeded")
	}
	if _, err := NewClient(Config{}); err == nil {
		t.Error("NewClient without Addr succeeded")
	}
}
