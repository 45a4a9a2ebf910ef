package smpp

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// fuzzSeeds are PDU streams: valid ones and near misses.
func fuzzSeeds() [][]byte {
	bind := bindPDU(cmdBindTransceiver, "acme", "pw", "VMA", 1)
	sub := submitPDU(2, "hello")
	long, _ := (&encoding{concat: ConcatUDH8}).segmentPDUs(&Message{Source: "1", Dest: "2", Text: string(bytes.Repeat([]byte("x"), 200))}, 7)
	sar, _ := (&encoding{concat: ConcatSAR, alphabet: GSM7Packed}).segmentPDUs(&Message{Source: "1", Dest: "2", Text: string(bytes.Repeat([]byte("y"), 200))}, 7)
	payload, _ := (&encoding{concat: ConcatPayload}).segmentPDUs(&Message{Source: "1", Dest: "2", Kind: KindUnicode, Text: "привет"}, 7)
	rcpt, _ := NewReceiptDelivery(Address{Addr: "1"}, Address{Addr: "2"}, receipt.Receipt{ID: "abc", State: receipt.Delivered}, false).marshal()
	mos, _ := NewMODeliveries(Address{Addr: "1"}, Address{Addr: "2"}, string(bytes.Repeat([]byte("z"), 170)), 3)
	mo0, _ := mos[0].marshal()
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	return [][]byte{
		cat(bind, sub, appendPDU(nil, cmdEnquireLink, 0, 3), appendPDU(nil, cmdUnbind, 0, 4)),
		cat(bind, long[0], long[1]),
		cat(bind, sar[0], sar[1], payload[0]),
		cat(bind, rcpt, mo0),
		cat(bind, appendPDU(nil, 0x77, 0, 5), appendPDU(nil, cmdQuerySM, 0, 6, []byte{1})),
		cat(bind, sub[:len(sub)-3]),
		{0, 0, 0, 10, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1},
		cat(bind, appendPDU(nil, cmdSubmitSM, 0, 9, []byte("\x00\x00\x00x\x00\x00\x00y\x00\x40\x00\x00\x00\x00\x00\x00\x00\x00\x05\x09\x00\x03ab"))),
	}
}

// FuzzDecode feeds byte streams through the PDU reader and every decoder
// the client and the server apply to what they read: none may panic.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	c := &Client{cfg: Config{Alphabet: GSM7Packed}, log: discardLogger(), reasm: newReassembler(time.Minute)}
	ss := &serverSession{}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for {
			fr, err := readFrame(r)
			if err != nil {
				return
			}
			_, _ = fr.decode()
			if fr.id != cmdSubmitSM && fr.id != cmdDeliverSM {
				continue
			}
			sm, err := decodeShortMessage(fr)
			if err != nil {
				continue
			}
			_ = ss.submitRequest(sm)
			_ = c.readReceipt(sm)
			if p, err := c.readPart(sm); err == nil {
				if parts, _ := c.reasm.add(p); parts != nil {
					_ = c.moFrom(parts)
				}
			}
			for _, parts := range c.reasm.expired(time.Now().Add(time.Hour)) {
				_ = c.moFrom(parts)
			}
		}
	})
}

// FuzzServerSession writes byte streams to a live server session: it must
// answer or close, never panic or hang.
func FuzzServerSession(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	srv, err := NewServer(ServerConfig{
		Auth:   allowAll,
		Submit: func(context.Context, *SubmitRequest) (string, error) { return "id", nil },
		Logger: discardLogger(), ResponseTimeout: time.Second,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		client, server := net.Pipe()
		ss := srv.newSession(server)
		served := make(chan struct{})
		go func() { ss.serve(context.Background()); close(served) }()
		go func() { _, _ = io.Copy(io.Discard, client) }()
		_ = client.SetWriteDeadline(time.Now().Add(2 * time.Second))
		_, _ = client.Write(b)
		_ = client.Close()
		select {
		case <-served:
		case <-time.After(5 * time.Second):
			t.Fatal("the session did not end after its peer closed")
		}
	})
}
