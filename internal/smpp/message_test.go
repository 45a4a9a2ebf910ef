package smpp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/pdu"
)

// segments encodes m and decodes the PDUs back.
func segments(t *testing.T, e encoding, m *Message) []*shortMessage {
	t.Helper()
	raws, err := e.segmentPDUs(m, 0x1234)
	if err != nil {
		t.Fatalf("segmentPDUs: %v", err)
	}
	out := make([]*shortMessage, len(raws))
	for i, raw := range raws {
		f := &frame{header: parseHeader(raw), raw: raw}
		if f.id != cmdSubmitSM || int(f.length) != len(raw) {
			t.Fatalf("segment %d: header %+v, %d bytes", i, f.header, len(raw))
		}
		sm, err := decodeShortMessage(f)
		if err != nil {
			t.Fatalf("segment %d does not decode: %v", i, err)
		}
		out[i] = sm
	}
	return out
}

// reassemble joins segments as a client would if an SMSC delivered them.
func reassemble(t *testing.T, alpha Alphabet, sms []*shortMessage) *MO {
	t.Helper()
	c := &Client{cfg: Config{Alphabet: alpha}, log: testLogger(t), reasm: newReassembler(time.Minute)}
	var parts []*part
	for _, sm := range sms {
		p, err := c.readPart(sm)
		if err != nil {
			t.Fatal(err)
		}
		parts, _ = c.reasm.add(p)
	}
	if parts == nil {
		t.Fatal("the segments do not complete a message")
	}
	return c.moFrom(parts)
}

func TestSegmentPDUs(t *testing.T) {
	gsm161 := strings.Repeat("a", 160) + "b"
	cases := []struct {
		name     string
		enc      encoding
		msg      Message
		dc       byte
		lens     []int // user data octets per segment (header excluded)
		udh      []byte
		sar      bool
		payload  bool
		wantText string
	}{
		{name: "GSM single", msg: Message{Text: strings.Repeat("a", 160)}, dc: 0, lens: []int{160}},
		{name: "GSM UDH8", msg: Message{Text: gsm161}, dc: 0, lens: []int{153, 8}, udh: []byte{5, 0, 3, 0x34, 2, 1}},
		{name: "GSM UDH16", enc: encoding{concat: ConcatUDH16}, msg: Message{Text: gsm161}, dc: 0, lens: []int{152, 9},
			udh: []byte{6, 8, 4, 0x12, 0x34, 2, 1}},
		{name: "GSM SAR", enc: encoding{concat: ConcatSAR}, msg: Message{Text: gsm161}, dc: 0, lens: []int{153, 8}, sar: true},
		{name: "GSM payload", enc: encoding{concat: ConcatPayload}, msg: Message{Text: strings.Repeat("z", 500)}, dc: 0,
			lens: []int{500}, payload: true},
		{name: "escape kept whole", enc: encoding{concat: ConcatUDH16}, msg: Message{Text: strings.Repeat("a", 151) + "€" + strings.Repeat("a", 10)},
			dc: 0, lens: []int{151, 12}, udh: []byte{6, 8, 4, 0x12, 0x34, 2, 1}},
		{name: "UCS-2 single", msg: Message{Text: strings.Repeat("ж", 70)}, dc: 8, lens: []int{140}},
		{name: "UCS-2 UDH8", msg: Message{Text: strings.Repeat("ж", 71)}, dc: 8, lens: []int{134, 8}, udh: []byte{5, 0, 3, 0x34, 2, 1}},
		{name: "surrogate pair kept whole", enc: encoding{concat: ConcatUDH16}, msg: Message{Text: strings.Repeat("ж", 65) + "😀" + strings.Repeat("ж", 5)},
			dc: 8, lens: []int{130, 14}, udh: []byte{6, 8, 4, 0x12, 0x34, 2, 1}},
		{name: "unicode kind", msg: Message{Kind: KindUnicode, Text: "abc"}, dc: 8, lens: []int{6}},
		{name: "flash GSM", msg: Message{Kind: KindFlash, Text: "Now!"}, dc: 0x10, lens: []int{4}},
		{name: "flash UCS-2", msg: Message{Kind: KindFlash, Text: "Сейчас"}, dc: 0x18, lens: []int{12}},
		{name: "binary", msg: Message{Kind: KindBinary, Data: bytes.Repeat([]byte{0xFF}, 300)}, dc: 4, lens: []int{134, 134, 32},
			udh: []byte{5, 0, 3, 0x34, 3, 1}},
		{name: "Latin-1", enc: encoding{alphabet: Latin1}, msg: Message{Text: "café " + strings.Repeat("é", 140)}, dc: 3,
			lens: []int{134, 11}, udh: []byte{5, 0, 3, 0x34, 2, 1}},
		{name: "Latin-1 falls back to UCS-2", enc: encoding{alphabet: Latin1}, msg: Message{Text: "€ ж"}, dc: 8, lens: []int{6}},
		{name: "Latin-1 flash is GSM class 0", enc: encoding{alphabet: Latin1}, msg: Message{Kind: KindFlash, Text: "é"}, dc: 0x10, lens: []int{1}},
		{name: "data_coding for GSM", enc: encoding{dataCoding: 1}, msg: Message{Text: "hi"}, dc: 1, lens: []int{2}},
		{name: "GSM packed single", enc: encoding{alphabet: GSM7Packed}, msg: Message{Text: strings.Repeat("p", 160)}, dc: 0, lens: []int{140}},
		{name: "GSM packed UDH8", enc: encoding{alphabet: GSM7Packed}, msg: Message{Text: gsm161}, dc: 0, lens: []int{134, 8},
			udh: []byte{5, 0, 3, 0x34, 2, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.msg.Source, tc.msg.Dest = "1", "2"
			segs := segments(t, tc.enc, &tc.msg)
			if len(segs) != len(tc.lens) {
				t.Fatalf("%d segments, want %d", len(segs), len(tc.lens))
			}
			for i, sm := range segs {
				if sm.DataCoding != tc.dc {
					t.Errorf("segment %d: data_coding 0x%02x, want 0x%02x", i, sm.DataCoding, tc.dc)
				}
				if len(sm.UD) != tc.lens[i] {
					t.Errorf("segment %d: %d octets, want %d", i, len(sm.UD), tc.lens[i])
				}
				if tc.udh != nil {
					want := bytes.Clone(tc.udh)
					want[len(want)-1] = byte(i + 1)
					if !bytes.Equal(sm.UDH, want) || sm.ESMClass&0x40 == 0 {
						t.Errorf("segment %d: UDH % x (esm 0x%02x), want % x", i, sm.UDH, sm.ESMClass, want)
					}
				} else if sm.UDH != nil || sm.ESMClass&0x40 != 0 {
					t.Errorf("segment %d: unexpected UDH % x", i, sm.UDH)
				}
				_, hasSAR := sm.TLVs[pdu.TagSarMsgRefNum]
				if hasSAR != tc.sar || tc.sar && (sm.concatRef != 0x1234 || int(sm.concat) != i+1 || int(sm.concatTotal) != len(segs)) {
					t.Errorf("segment %d: SAR %v ref %x %d/%d", i, hasSAR, sm.concatRef, sm.concat, sm.concatTotal)
				}
				if sm.Payload != tc.payload {
					t.Errorf("segment %d: payload %v", i, sm.Payload)
				}
			}
			if tc.msg.Kind == KindBinary {
				if mo := reassemble(t, tc.enc.alphabet, segs); !bytes.Equal(mo.Data, tc.msg.Data) || !mo.Binary {
					t.Errorf("binary round trip: %x", mo.Data)
				}
				return
			}
			if mo := reassemble(t, tc.enc.alphabet, segs); mo.Text != tc.msg.Text {
				t.Errorf("round trip: %q, want %q", mo.Text, tc.msg.Text)
			}
		})
	}
}

func TestSegmentPDUFields(t *testing.T) {
	e := encoding{source: AddrPlan{Auto: true}, dest: AddrPlan{TON: 2, NPI: 1, Auto: true}, serviceType: "CMT",
		esmClass: 0x03, registered: 0x11, protocolID: 0x7F}
	segs := segments(t, e, &Message{Source: "Herald", Dest: "+46700000001", Text: "x", Validity: 49*time.Hour + 90*time.Second})
	sm := segs[0]
	if sm.Source != (Address{5, 0, "Herald"}) || sm.Dest != (Address{1, 1, "46700000001"}) {
		t.Errorf("addresses %+v %+v", sm.Source, sm.Dest)
	}
	if sm.ServiceType != "CMT" || sm.ESMClass != 0x03 || sm.RegisteredDelivery != 0x11 || sm.ProtocolID != 0x7F {
		t.Errorf("fields %+v", sm)
	}
	if sm.Validity != "000002010130000R" {
		t.Errorf("validity %q", sm.Validity)
	}
	segs = segments(t, e, &Message{Source: "12345", Dest: "0700", Text: "x"})
	if segs[0].Source != (Address{0, 0, "12345"}) || segs[0].Dest != (Address{2, 1, "0700"}) {
		t.Errorf("numeric addresses %+v %+v", segs[0].Source, segs[0].Dest)
	}
	for _, m := range []Message{
		{Source: "1", Dest: "", Text: "x"},
		{Source: "1", Dest: strings.Repeat("9", 30), Text: "x"},
		{Source: "1", Dest: "2"},
		{Source: "1", Dest: "2", Kind: KindBinary},
		{Source: "1", Dest: "2", Kind: 9, Text: "x"},
		{Source: "1", Dest: "2", Text: strings.Repeat("x", 153*256)},
	} {
		if _, err := e.segmentPDUs(&m, 1); !errors.Is(err, ErrEncoding) {
			t.Errorf("segmentPDUs(%+.40v) = %v, want ErrEncoding", m, err)
		}
	}
}
