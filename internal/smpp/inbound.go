package smpp

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"github.com/heraldhq/herald/internal/sms"
)

// shortMessage is what a submit_sm or a deliver_sm carries, decoded.
type shortMessage struct {
	ServiceType         string
	Source, Dest        Address
	ESMClass            byte
	ProtocolID          byte
	Priority            byte
	Schedule, Validity  string
	RegisteredDelivery  byte
	DataCoding          byte
	UDH                 []byte // the user data header, its length octet included
	UD                  []byte // the user data after the header, as on the wire
	Payload             bool   // UD came from message_payload
	BadUDH              bool   // the UDHI bit was set but the header did not parse
	TLVs                map[pdu.Tag][]byte
	concatRef           uint16
	concatTotal, concat uint8 // total and this part's number; 0 when not concatenated
}

// decodeShortMessage decodes a submit_sm or deliver_sm frame. A user data
// header that does not parse is not an error: the message is then read
// without it and BadUDH is set.
func decodeShortMessage(f *frame) (*shortMessage, error) {
	p, err := f.decode()
	bad := false
	if err != nil {
		fixed, ok := withoutUDHI(f)
		if !ok {
			return nil, err
		}
		if p, err = fixed.decode(); err != nil {
			return nil, err
		}
		bad = true
	}
	sm := fromPDU(p)
	sm.BadUDH = bad
	if _, dc, ok := smOffsets(f.body()); ok {
		sm.DataCoding = f.body()[dc]
	}
	return sm, nil
}

// fromPDU converts a decoded gosmpp SubmitSM or DeliverSM.
func fromPDU(p pdu.PDU) *shortMessage {
	var sm shortMessage
	var msg *pdu.ShortMessage
	var opts map[pdu.Tag]pdu.Field
	switch v := p.(type) {
	case *pdu.SubmitSM:
		sm.ServiceType, sm.ESMClass, sm.ProtocolID, sm.Priority = v.ServiceType, v.EsmClass, v.ProtocolID, v.PriorityFlag
		sm.Schedule, sm.Validity, sm.RegisteredDelivery = v.ScheduleDeliveryTime, v.ValidityPeriod, v.RegisteredDelivery
		sm.Source = Address{v.SourceAddr.Ton(), v.SourceAddr.Npi(), v.SourceAddr.Address()}
		sm.Dest = Address{v.DestAddr.Ton(), v.DestAddr.Npi(), v.DestAddr.Address()}
		msg, opts = &v.Message, v.OptionalParameters
	case *pdu.DeliverSM:
		sm.ServiceType, sm.ESMClass, sm.ProtocolID, sm.Priority = v.ServiceType, v.EsmClass, v.ProtocolID, v.PriorityFlag
		sm.Schedule, sm.Validity, sm.RegisteredDelivery = v.ScheduleDeliveryTime, v.ValidityPeriod, v.RegisteredDelivery
		sm.Source = Address{v.SourceAddr.Ton(), v.SourceAddr.Npi(), v.SourceAddr.Address()}
		sm.Dest = Address{v.DestAddr.Ton(), v.DestAddr.Npi(), v.DestAddr.Address()}
		msg, opts = &v.Message, v.OptionalParameters
	default:
		return &sm
	}
	sm.UD, _ = msg.GetMessageData()
	if udh := msg.UDH(); len(udh) > 0 {
		sm.UDH, _ = udh.MarshalBinary()
	}
	sm.TLVs = make(map[pdu.Tag][]byte, len(opts))
	for tag, fld := range opts {
		sm.TLVs[tag] = fld.Data
	}
	if payload, ok := sm.TLVs[pdu.TagMessagePayload]; ok && len(sm.UD) == 0 && len(sm.UDH) == 0 {
		sm.UD, sm.Payload = payload, true
		if sm.ESMClass&data.SM_UDH_GSM != 0 && len(payload) > 0 && int(payload[0])+1 <= len(payload) {
			n := int(payload[0]) + 1
			sm.UDH, sm.UD = payload[:n], payload[n:]
		}
	}
	sm.readConcat()
	return &sm
}

// readConcat fills the concatenation fields from the UDH (IEI 0x00 or 0x08)
// or the SAR TLVs.
func (sm *shortMessage) readConcat() {
	for ies := sm.UDH[min(1, len(sm.UDH)):]; len(ies) >= 2; {
		id, n := ies[0], int(ies[1])
		if 2+n > len(ies) {
			break
		}
		v := ies[2 : 2+n]
		switch {
		case id == 0x00 && n == 3 && v[1] > 0 && v[2] > 0 && v[2] <= v[1]:
			sm.concatRef, sm.concatTotal, sm.concat = uint16(v[0]), v[1], v[2]
			return
		case id == 0x08 && n == 4 && v[2] > 0 && v[3] > 0 && v[3] <= v[2]:
			sm.concatRef, sm.concatTotal, sm.concat = binary.BigEndian.Uint16(v), v[2], v[3]
			return
		}
		ies = ies[2+n:]
	}
	ref, okRef := sm.TLVs[pdu.TagSarMsgRefNum]
	total, okTotal := sm.TLVs[pdu.TagSarTotalSegments]
	seq, okSeq := sm.TLVs[pdu.TagSarSegmentSeqnum]
	if okRef && okTotal && okSeq && len(ref) == 2 && len(total) == 1 && len(seq) == 1 &&
		seq[0] > 0 && total[0] > 0 && seq[0] <= total[0] {
		sm.concatRef, sm.concatTotal, sm.concat = binary.BigEndian.Uint16(ref), total[0], seq[0]
	}
}

// withoutUDHI returns a copy of a submit_sm or deliver_sm frame with the
// UDHI bit of esm_class cleared, so that a message with a broken header can
// still be read.
func withoutUDHI(f *frame) (*frame, bool) {
	esm, _, ok := smOffsets(f.body())
	if !ok || f.body()[esm]&data.SM_UDH_GSM == 0 {
		return nil, false
	}
	raw := bytes.Clone(f.raw)
	raw[headerLen+esm] &^= data.SM_UDH_GSM
	return &frame{header: f.header, raw: raw}, true
}

// smOffsets returns the offsets of esm_class and data_coding in the body of
// a submit_sm or deliver_sm. gosmpp forgets data_coding values it has no
// encoding for (0x10, 0xF0...), so the raw octet is read from here.
func smOffsets(b []byte) (esm, dc int, ok bool) {
	off := 0
	skipCString := func() bool {
		if off > len(b) {
			return false
		}
		i := bytes.IndexByte(b[off:], 0)
		if i < 0 {
			return false
		}
		off += i + 1
		return true
	}
	if !skipCString() { // service_type
		return 0, 0, false
	}
	for range 2 { // source and destination: ton, npi, address
		off += 2
		if !skipCString() {
			return 0, 0, false
		}
	}
	esm = off
	off += 3      // esm_class, protocol_id, priority_flag
	for range 2 { // schedule_delivery_time, validity_period
		if !skipCString() {
			return 0, 0, false
		}
	}
	dc = off + 2 // registered_delivery, replace_if_present_flag
	if dc >= len(b) {
		return 0, 0, false
	}
	return esm, dc, true
}

// alphabetOf returns the alphabet a data_coding implies (3GPP TS 23.038 §4
// for the coding groups, SMPP 3.4 §5.2.19 for the values below 0x10).
// packed tells how the connection reads the GSM default alphabet.
func alphabetOf(dc byte) alphabet {
	switch {
	case dc == 0x00:
		return alphaGSM
	case dc == 0x01:
		return alphaASCII
	case dc == 0x02 || dc == 0x04:
		return alphaBinary
	case dc == 0x03:
		return alphaLatin1
	case dc == 0x08:
		return alphaUCS2
	case dc < 0x10:
		return alphaOther
	case dc < 0x40: // general data coding, compressed (bit 5) unsupported
		if dc&0x20 != 0 {
			return alphaBinary
		}
		return [4]alphabet{alphaGSM, alphaBinary, alphaUCS2, alphaBinary}[dc>>2&3]
	case dc >= 0xC0 && dc < 0xE0: // message waiting indication, GSM
		return alphaGSM
	case dc >= 0xE0 && dc < 0xF0: // message waiting indication, UCS-2
		return alphaUCS2
	case dc >= 0xF0: // data coding / message class
		if dc&0x04 != 0 {
			return alphaBinary
		}
		return alphaGSM
	}
	return alphaBinary
}

// decodeText returns the text of user data ud in data_coding dc. udhLen is
// the header's length (for the fill bits of packed GSM). Binary data gives
// "" and no error.
func decodeText(dc byte, ud []byte, udhLen int, packed bool) (string, error) {
	switch alphabetOf(dc) {
	case alphaGSM:
		if packed {
			septets, err := unpackAll(ud, udhLen)
			if err != nil {
				return "", err
			}
			return sms.DecodeGSM7(septets)
		}
		s, err := sms.DecodeGSM7(ud)
		if err != nil {
			// Octets above 0x7F: the SMSC sent Latin-1 under data_coding 0.
			return latin1String(ud), nil
		}
		return s, nil
	case alphaUCS2:
		return sms.DecodeUCS2(ud)
	case alphaLatin1, alphaASCII:
		return latin1String(ud), nil
	case alphaOther:
		enc := data.FromDataCoding(dc)
		if enc == nil {
			return "", nil
		}
		s, err := enc.Decode(ud)
		if err != nil {
			return "", fmt.Errorf("decoding data_coding 0x%02x: %w", dc, err)
		}
		return s, nil
	}
	return "", nil
}

// latin1String decodes ISO-8859-1 octets.
func latin1String(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// tlvString returns a C-octet-string TLV without its NUL.
func tlvString(v []byte) string {
	return readCString(v)
}
