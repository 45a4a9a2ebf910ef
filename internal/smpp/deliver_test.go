package smpp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/pdu"

	"github.com/heraldhq/herald/internal/smpp/receipt"
)

// deliverFrame builds a deliver_sm frame from a Delivery.
func deliverFrame(t *testing.T, d *Delivery) *frame {
	t.Helper()
	raw, err := d.marshal()
	if err != nil {
		t.Fatal(err)
	}
	return &frame{header: parseHeader(raw), raw: raw}
}

// moClient is a Client with only what deliver needs.
func moClient(t *testing.T, in Inbound, timeout time.Duration) *Client {
	return &Client{cfg: Config{Inbound: in}, log: testLogger(t), reasm: newReassembler(timeout), ctx: context.Background()}
}

// TestMOReassembly joins UDH8, UDH16 and SAR parts in any order.
func TestMOReassembly(t *testing.T) {
	text := strings.Repeat("Concatenated MO text. ", 12)
	septets := []byte(text) // ASCII letters and punctuation are their own GSM septets
	cut := func(n int) [][]byte {
		var out [][]byte
		for len(septets) > 0 {
			k := min(n, len(septets))
			out = append(out, septets[:k])
			septets = septets[k:]
		}
		septets = []byte(text)
		return out
	}
	src, dst := Address{1, 1, "46700000001"}, Address{0, 0, "12345"}
	var udh8, udh16, sar []*Delivery
	for i, p := range cut(153) {
		udh8 = append(udh8, &Delivery{Source: src, Dest: dst, ESMClass: 0x40, ShortMessage: append([]byte{5, 0, 3, 9, 2, byte(i + 1)}, p...)})
	}
	for i, p := range cut(152) {
		udh16 = append(udh16, &Delivery{Source: src, Dest: dst, ESMClass: 0x40, ShortMessage: append([]byte{6, 8, 4, 0xAB, 0xCD, 2, byte(i + 1)}, p...)})
	}
	for i, p := range cut(153) {
		sar = append(sar, &Delivery{Source: src, Dest: dst, ShortMessage: p, TLVs: []TLV{
			{uint16(pdu.TagSarMsgRefNum), []byte{0x12, 0x34}}, {uint16(pdu.TagSarTotalSegments), []byte{2}},
			{uint16(pdu.TagSarSegmentSeqnum), []byte{byte(i + 1)}}}})
	}
	for name, parts := range map[string][]*Delivery{"UDH8": udh8, "UDH16": udh16, "SAR": sar} {
		t.Run(name, func(t *testing.T) {
			in := &inbox{}
			c := moClient(t, in, time.Minute)
			for i := len(parts) - 1; i >= 0; i-- {
				if st := c.deliver(context.Background(), deliverFrame(t, parts[i])); st != StatusOK {
					t.Fatalf("part %d: %s", i, st.Name())
				}
			}
			if len(in.mos) != 1 || in.mos[0].Text != text || in.mos[0].Parts != 2 || in.mos[0].Incomplete {
				t.Fatalf("MO = %+v", in.mos)
			}
		})
	}
}

// TestMOTimeoutAndRetry: a missing part makes an incomplete MO after the
// timeout; a handler error keeps the parts for the SMSC's next attempt.
func TestMOTimeoutAndRetry(t *testing.T) {
	mos, err := NewMODeliveries(Address{Addr: "1"}, Address{Addr: "2"}, strings.Repeat("ü", 200), 5)
	if err != nil || len(mos) != 2 {
		t.Fatalf("%d, %v", len(mos), err)
	}
	in := &inbox{}
	c := moClient(t, in, 50*time.Millisecond)
	c.deliver(context.Background(), deliverFrame(t, mos[0]))
	for _, parts := range c.reasm.expired(time.Now().Add(time.Second)) {
		_ = in.MO(context.Background(), c.moFrom(parts))
	}
	if len(in.mos) != 1 || !in.mos[0].Incomplete || in.mos[0].Text != strings.Repeat("ü", 153) {
		t.Fatalf("incomplete MO = %+v", in.mos)
	}

	var mu sync.Mutex
	fail := true
	flaky := InboundFuncs{OnMO: func(_ context.Context, m *MO) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			fail = false
			return errors.New("database busy")
		}
		in.mos = append(in.mos, m)
		return nil
	}}
	c = moClient(t, flaky, time.Minute)
	c.deliver(context.Background(), deliverFrame(t, mos[0]))
	if st := c.deliver(context.Background(), deliverFrame(t, mos[1])); st != StatusTempAppError {
		t.Fatalf("failing handler: %s, want ESME_RX_T_APPN", st.Name())
	}
	if st := c.deliver(context.Background(), deliverFrame(t, mos[1])); st != StatusOK {
		t.Fatalf("redelivered last part: %s", st.Name())
	}
	if last := in.mos[len(in.mos)-1]; last.Text != strings.Repeat("ü", 200) || last.Incomplete {
		t.Errorf("MO after retry = %+v", last)
	}
}

// TestReceiptSources reads receipts from TLVs, from text, and in UCS-2.
func TestReceiptSources(t *testing.T) {
	in := &inbox{}
	c := moClient(t, in, time.Minute)
	src, dst := Address{1, 1, "46700000001"}, Address{5, 0, "Herald"}
	// TLVs only: the text is empty.
	c.deliver(context.Background(), deliverFrame(t, &Delivery{Source: src, Dest: dst, ESMClass: 0x04, TLVs: []TLV{
		{uint16(pdu.TagReceiptedMessageID), cstring("0A1B")}, {uint16(pdu.TagMessageStateOption), []byte{5}},
		{uint16(pdu.TagNetworkErrorCode), []byte{3, 0, 34}}}}))
	// Text only, intermediate.
	c.deliver(context.Background(), deliverFrame(t, &Delivery{Source: src, Dest: dst, ESMClass: 0x20,
		ShortMessage: []byte("id:2587 sub:001 dlvrd:000 submit date:2401011200 done date:2401011200 stat:ENROUTE err:000 text:")}))
	// TLV and text disagree on the ID's form: the TLV wins, the text fills the rest.
	c.deliver(context.Background(), deliverFrame(t, &Delivery{Source: src, Dest: dst, ESMClass: 0x04,
		ShortMessage: []byte("id:2587 stat:DELIVRD err:000"), TLVs: []TLV{{uint16(pdu.TagReceiptedMessageID), cstring("a1b")}}}))
	// UCS-2 text.
	c.deliver(context.Background(), deliverFrame(t, &Delivery{Source: src, Dest: dst, ESMClass: 0x04, DataCoding: 8,
		ShortMessage: []byte("\x00i\x00d\x00:\x007\x00 \x00s\x00t\x00a\x00t\x00:\x00D\x00E\x00L\x00I\x00V\x00R\x00D")}))
	if len(in.receipts) != 4 {
		t.Fatalf("%d receipts", len(in.receipts))
	}
	r := in.receipts[0]
	if r.ID != "0A1B" || r.State != receipt.Undelivered || r.Stat != "UNDELIVERABLE" || !r.FromTLV || r.NetworkError != "3:34" {
		t.Errorf("TLV receipt %+v", r)
	}
	r = in.receipts[1]
	if r.ID != "2587" || r.State != receipt.Enroute || !r.Intermediate || r.FromTLV || r.IDs[1] != "a1b" {
		t.Errorf("text receipt %+v", r)
	}
	r = in.receipts[2]
	if r.ID != "a1b" || r.State != receipt.Delivered || r.Err != "000" {
		t.Errorf("mixed receipt %+v", r)
	}
	if r = in.receipts[3]; r.ID != "7" || r.State != receipt.Delivered {
		t.Errorf("UCS-2 receipt %+v", r)
	}
}
