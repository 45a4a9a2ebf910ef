package smpp

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"github.com/heraldhq/herald/internal/sms"
)

// Kind is the type of an outbound message (reference 000).
type Kind uint8

// Message kinds.
const (
	// KindText is text in the connection's alphabet, or in UCS-2 when a
	// character is outside GSM 03.38.
	KindText Kind = iota
	// KindFlash is text that the handset shows at once without storing it:
	// data_coding message class 0 (0x10 for GSM, 0x18 for UCS-2).
	KindFlash
	// KindBinary is 8-bit data from Message.Data (data_coding 0x04).
	KindBinary
	// KindUnicode is text always sent in UCS-2 (data_coding 0x08).
	KindUnicode
)

// Alphabet is how a connection encodes text that fits GSM 03.38, and how it
// reads data_coding 0 from the SMSC.
type Alphabet uint8

// Alphabets.
const (
	// GSM7 sends GSM 03.38 septets unpacked, one per octet: what most
	// SMSCs (and Kannel) expect for data_coding 0.
	GSM7 Alphabet = iota
	// GSM7Packed packs the septets, eight in seven octets.
	GSM7Packed
	// Latin1 sends ISO-8859-1 octets (data_coding 3 unless Config.DataCoding
	// says otherwise); text outside Latin-1 goes in UCS-2.
	Latin1
)

// Concat is how a long message travels.
type Concat uint8

// Concatenation methods.
const (
	// ConcatUDH8 splits into segments with a user data header holding an
	// 8-bit reference (IEI 0x00): 153 GSM characters, 67 UCS-2 or 134 octets each.
	ConcatUDH8 Concat = iota
	// ConcatUDH16 uses a 16-bit reference (IEI 0x08): 152, 66 or 133 each.
	ConcatUDH16
	// ConcatSAR splits like ConcatUDH8 but carries the reference in the
	// sar_msg_ref_num, sar_total_segments and sar_segment_seqnum TLVs and
	// leaves the header to the SMSC.
	ConcatSAR
	// ConcatPayload sends the whole message in one submit_sm, in the
	// message_payload TLV, and lets the SMSC split it.
	ConcatPayload
)

// Address is an SMPP address: type of number, numbering plan and the
// address itself.
type Address struct {
	TON, NPI byte
	Addr     string
}

// AddrPlan sets the TON and NPI of the addresses a client sends.
type AddrPlan struct {
	// TON and NPI are used as given unless Auto applies.
	TON, NPI byte
	// Auto derives TON/NPI from the address: "+digits" is international
	// (1/1, the '+' removed) and an address with a letter is alphanumeric
	// (5/0); other addresses keep TON and NPI.
	Auto bool
}

// apply returns addr with its TON and NPI.
func (p AddrPlan) apply(addr string) Address {
	a := Address{TON: p.TON, NPI: p.NPI, Addr: addr}
	if !p.Auto {
		return a
	}
	switch {
	case strings.HasPrefix(addr, "+") && isDigits(addr[1:]):
		return Address{TON: 1, NPI: 1, Addr: addr[1:]}
	case !isDigits(addr):
		return Address{TON: 5, NPI: 0, Addr: addr}
	}
	return a
}

// isDigits reports whether s is a non-empty string of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Message is one SMS to submit. It may be split into several submit_sm.
type Message struct {
	// Source and Dest are the sender and recipient; TON and NPI come from
	// the client's Config.
	Source, Dest string
	// Kind selects text, flash, binary or unicode.
	Kind Kind
	// Text is the content of text, flash and unicode messages.
	Text string
	// Data is the content of a binary message.
	Data []byte
	// Validity, when positive, is sent as a relative validity_period.
	Validity time.Duration
}

// ErrEncoding is wrapped by Submit when a message cannot be encoded as
// asked (an address too long, an empty message, binary data in a text
// message...). Sending it again fails the same way: it is permanent.
var ErrEncoding = errors.New("smpp: cannot encode message")

// encoding is the part of a client's Config that shapes submit_sm.
type encoding struct {
	alphabet     Alphabet
	dataCoding   byte // for default-alphabet text
	concat       Concat
	source, dest AddrPlan
	serviceType  string
	esmClass     byte
	registered   byte
	protocolID   byte
}

// segmentPDUs encodes m into its submit_sm PDUs, each marshaled with
// sequence number 0 (conn.request sets it). ref is the concatenation
// reference (its low byte for ConcatUDH8).
func (e *encoding) segmentPDUs(m *Message, ref uint16) ([][]byte, error) {
	src := e.source.apply(m.Source)
	dst := e.dest.apply(m.Dest)
	srcAddr, err := pdu.NewAddressWithTonNpiAddr(src.TON, src.NPI, src.Addr)
	if err != nil {
		return nil, fmt.Errorf("%w: source %q: %w", ErrEncoding, m.Source, err)
	}
	dstAddr, err := pdu.NewAddressWithTonNpiAddr(dst.TON, dst.NPI, dst.Addr)
	if err != nil || dst.Addr == "" {
		return nil, fmt.Errorf("%w: destination %q: invalid", ErrEncoding, m.Dest)
	}
	dc, units, err := e.content(m)
	if err != nil {
		return nil, err
	}
	parts, err := e.split(units, dc, m)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(parts))
	for i, p := range parts {
		sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
		sm.ServiceType = e.serviceType
		sm.SourceAddr, sm.DestAddr = srcAddr, dstAddr
		sm.EsmClass = e.esmClass
		sm.ProtocolID = e.protocolID
		sm.RegisteredDelivery = e.registered
		if m.Validity > 0 {
			sm.ValidityPeriod = relativeTime(m.Validity)
		}
		e.fill(sm, dc, p, i, len(parts), ref)
		out[i] = marshal(sm, 0)
	}
	return out, nil
}

// fill puts one segment's user data into sm, with the concatenation
// information the method asks for.
func (e *encoding) fill(sm *pdu.SubmitSM, dc dataCoding, ud []byte, i, n int, ref uint16) {
	var udh []byte
	if n > 1 {
		switch e.concat {
		case ConcatUDH8:
			udh = []byte{5, 0x00, 3, byte(ref), byte(n), byte(i + 1)}
		case ConcatUDH16:
			udh = []byte{6, 0x08, 4, byte(ref >> 8), byte(ref), byte(n), byte(i + 1)}
		case ConcatSAR:
			sm.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarMsgRefNum, Data: []byte{byte(ref >> 8), byte(ref)}})
			sm.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarTotalSegments, Data: []byte{byte(n)}})
			sm.RegisterOptionalParam(pdu.Field{Tag: pdu.TagSarSegmentSeqnum, Data: []byte{byte(i + 1)}})
		}
	}
	if dc.alphabet == alphaGSM && e.alphabet == GSM7Packed {
		ud = sms.PackGSM7(ud, len(udh))
	}
	if udh != nil {
		sm.EsmClass |= data.SM_UDH_GSM
		ud = append(udh, ud...)
	}
	enc := data.NewCustomEncoding(dc.value, nil)
	if e.concat == ConcatPayload {
		sm.RegisterOptionalParam(pdu.Field{Tag: pdu.TagMessagePayload, Data: ud})
		ud = nil
	}
	// The length was checked by split; gosmpp only refuses above 254 octets.
	_ = sm.Message.SetMessageDataWithEncoding(ud, enc)
}

// alphabet is the character set of a data_coding.
type alphabet uint8

const (
	alphaGSM alphabet = iota
	alphaLatin1
	alphaUCS2
	alphaBinary
	alphaASCII
	alphaOther // Cyrillic, Hebrew and others gosmpp knows by data_coding
)

// dataCoding is a data_coding value and the alphabet it implies.
type dataCoding struct {
	value    byte
	alphabet alphabet
}

// content returns the data_coding of m and its encoded units: unpacked
// septets, Latin-1 octets, UTF-16BE or binary octets.
func (e *encoding) content(m *Message) (dataCoding, []byte, error) {
	switch m.Kind {
	case KindBinary:
		if len(m.Data) == 0 {
			return dataCoding{}, nil, fmt.Errorf("%w: empty binary message", ErrEncoding)
		}
		return dataCoding{0x04, alphaBinary}, m.Data, nil
	case KindUnicode:
		if m.Text == "" {
			return dataCoding{}, nil, fmt.Errorf("%w: empty text", ErrEncoding)
		}
		return dataCoding{0x08, alphaUCS2}, sms.EncodeUCS2(m.Text), nil
	case KindText, KindFlash:
	default:
		return dataCoding{}, nil, fmt.Errorf("%w: unknown kind %d", ErrEncoding, m.Kind)
	}
	if m.Text == "" {
		return dataCoding{}, nil, fmt.Errorf("%w: empty text", ErrEncoding)
	}
	flash := m.Kind == KindFlash
	if e.alphabet == Latin1 && !flash {
		if b, ok := latin1(m.Text); ok {
			dc := e.dataCoding
			if dc == 0 {
				dc = 0x03
			}
			return dataCoding{dc, alphaLatin1}, b, nil
		}
	}
	if septets, err := sms.EncodeGSM7(m.Text); err == nil {
		if flash {
			return dataCoding{0x10, alphaGSM}, septets, nil
		}
		dc := e.dataCoding
		if e.alphabet == Latin1 {
			dc = 0
		}
		return dataCoding{dc, alphaGSM}, septets, nil
	}
	if flash {
		return dataCoding{0x18, alphaUCS2}, sms.EncodeUCS2(m.Text), nil
	}
	return dataCoding{0x08, alphaUCS2}, sms.EncodeUCS2(m.Text), nil
}

// latin1 encodes s as ISO-8859-1 if every character is in it.
func latin1(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF || r == utf8.RuneError {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

// split cuts encoded units into segments' user data. ConcatPayload and a
// message that fits one segment give one part. GSM text in the standard
// segment size comes from sms.Split; other sizes are cut here with the same
// rules: never between an escape and its code, nor inside a surrogate pair.
func (e *encoding) split(units []byte, dc dataCoding, m *Message) ([][]byte, error) {
	if e.concat == ConcatPayload {
		if len(units) > 0xFFFF-8 {
			return nil, fmt.Errorf("%w: %d octets exceed message_payload", ErrEncoding, len(units))
		}
		return [][]byte{units}, nil
	}
	single, multi := capacity(dc.alphabet, e.concat)
	if len(units) <= single {
		return [][]byte{units}, nil
	}
	var parts [][]byte
	if e.concat != ConcatUDH16 && m.Kind != KindBinary && dc.alphabet != alphaLatin1 {
		enc := sms.GSM7
		if dc.alphabet == alphaUCS2 {
			enc = sms.UCS2
		}
		if p, err := sms.Split(m.Text, enc); err == nil {
			parts = p
		}
	}
	if parts == nil {
		parts = cut(units, dc.alphabet, multi)
	}
	if len(parts) > 255 {
		return nil, fmt.Errorf("%w: %d segments, at most 255", ErrEncoding, len(parts))
	}
	return parts, nil
}

// capacity returns the octets of user data in a single message and in each
// segment of a concatenated one (septets for GSM, counted unpacked).
func capacity(a alphabet, c Concat) (single, multi int) {
	header := 6
	if c == ConcatUDH16 {
		header = 7
	}
	switch a {
	case alphaGSM:
		return 160, (140 - header) * 8 / 7
	case alphaUCS2:
		return 140, (140 - header) &^ 1
	}
	return 140, 140 - header
}

// cut splits units into pieces of at most size octets, keeping escape pairs
// (GSM) and surrogate pairs (UCS-2) whole.
func cut(units []byte, a alphabet, size int) [][]byte {
	var parts [][]byte
	for len(units) > 0 {
		n := min(size, len(units))
		if n < len(units) {
			switch a {
			case alphaGSM:
				if escapeEndsAt(units[:n]) {
					n--
				}
			case alphaUCS2:
				if hi := units[n-2]; hi >= 0xD8 && hi <= 0xDB {
					n -= 2
				}
			}
		}
		parts = append(parts, units[:n:n])
		units = units[n:]
	}
	return parts
}

// escapeEndsAt reports whether septets end with an escape that introduces
// the next septet (an odd run of trailing 0x1B).
func escapeEndsAt(septets []byte) bool {
	n := 0
	for i := len(septets) - 1; i >= 0 && septets[i] == 0x1B; i-- {
		n++
	}
	return n%2 == 1
}

// relativeTime formats d as an SMPP relative time, "YYMMDDhhmmss000R".
func relativeTime(d time.Duration) string {
	s := int64(d / time.Second)
	days := s / 86400
	s %= 86400
	years, days := days/365, days%365
	months, days := days/30, days%30
	return fmt.Sprintf("%02d%02d%02d%02d%02d%02d000R", min(years, 99), months, days, s/3600, s/60%60, s%60)
}
