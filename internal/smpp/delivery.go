package smpp

import (
	"fmt"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"github.com/heraldhq/herald/internal/smpp/receipt"
	"github.com/heraldhq/herald/internal/sms"
)

// SubmitRequest is a submit_sm received by the server, decoded.
type SubmitRequest struct {
	// SystemID and Account identify the bind (Account as AuthFunc set it).
	SystemID, Account string
	// BindID is the bind's BindInfo.ID.
	BindID uint64

	ServiceType        string
	Source, Dest       Address
	ESMClass           byte
	ProtocolID         byte
	Priority           byte
	Schedule, Validity string // schedule_delivery_time, validity_period as sent
	RegisteredDelivery byte
	DataCoding         byte

	// UDH is the user data header (its length octet included), if any.
	UDH []byte
	// UserData is the user data after the header, as on the wire (from
	// short_message, or message_payload when Payload is set).
	UserData []byte
	Payload  bool
	// Text is UserData decoded when the data_coding is a text one (GSM
	// 03.38 read unpacked, as Kannel sends it); Binary is set otherwise.
	Text   string
	Binary bool
	// ConcatRef, ConcatTotal and ConcatSeq describe a segment of a
	// concatenated message (from the UDH or the SAR TLVs); ConcatTotal is 0
	// for a message in one piece.
	ConcatRef              uint16
	ConcatTotal, ConcatSeq uint8
	// TLVs are the optional parameters by tag.
	TLVs map[uint16][]byte
}

// WantsReceipt reports whether the ESME asked for a final delivery receipt
// (registered_delivery bits 0-1: 01 on success or failure, 10 on failure).
func (r *SubmitRequest) WantsReceipt(delivered bool) bool {
	switch r.RegisteredDelivery & 0x03 {
	case 0x01:
		return true
	case 0x02:
		return !delivered
	}
	return false
}

// WantsIntermediate reports whether the ESME asked for intermediate
// notifications (registered_delivery bit 4), as Kannel does with dlr-mask
// 31.
func (r *SubmitRequest) WantsIntermediate() bool {
	return r.RegisteredDelivery&0x10 != 0
}

// submitRequest converts a decoded submit_sm.
func (ss *serverSession) submitRequest(sm *shortMessage) *SubmitRequest {
	req := &SubmitRequest{
		SystemID: ss.systemID, Account: ss.settings.Account, BindID: ss.id,
		ServiceType: sm.ServiceType, Source: sm.Source, Dest: sm.Dest,
		ESMClass: sm.ESMClass, ProtocolID: sm.ProtocolID, Priority: sm.Priority,
		Schedule: sm.Schedule, Validity: sm.Validity, RegisteredDelivery: sm.RegisteredDelivery,
		DataCoding: sm.DataCoding, UDH: sm.UDH, UserData: sm.UD, Payload: sm.Payload,
		ConcatRef: sm.concatRef, ConcatTotal: sm.concatTotal, ConcatSeq: sm.concat,
		TLVs: make(map[uint16][]byte, len(sm.TLVs)),
	}
	for tag, v := range sm.TLVs {
		req.TLVs[uint16(tag)] = v
	}
	if alphabetOf(sm.DataCoding) == alphaBinary {
		req.Binary = true
	} else if text, err := decodeText(sm.DataCoding, sm.UD, len(sm.UDH), false); err == nil {
		req.Text = text
	}
	return req
}

// TLV is an optional parameter of a Delivery.
type TLV struct {
	Tag   uint16
	Value []byte
}

// Delivery is a deliver_sm the server pushes to an ESME: a receipt or an MO
// message. Build one with NewReceiptDelivery or NewMODeliveries, or fill it.
type Delivery struct {
	ServiceType  string
	Source, Dest Address
	ESMClass     byte
	ProtocolID   byte
	DataCoding   byte
	// ShortMessage is the user data, the header first when ESMClass has
	// the UDHI bit (0x40). At most 254 octets; use a message_payload TLV
	// beyond.
	ShortMessage []byte
	TLVs         []TLV
}

// marshal encodes d as a deliver_sm with sequence number 0.
func (d *Delivery) marshal() ([]byte, error) {
	p := pdu.NewDeliverSM().(*pdu.DeliverSM)
	p.ServiceType, p.EsmClass, p.ProtocolID = d.ServiceType, d.ESMClass, d.ProtocolID
	var err error
	if p.SourceAddr, err = pdu.NewAddressWithTonNpiAddr(d.Source.TON, d.Source.NPI, d.Source.Addr); err != nil {
		return nil, fmt.Errorf("%w: source: %w", ErrEncoding, err)
	}
	if p.DestAddr, err = pdu.NewAddressWithTonNpiAddr(d.Dest.TON, d.Dest.NPI, d.Dest.Addr); err != nil {
		return nil, fmt.Errorf("%w: destination: %w", ErrEncoding, err)
	}
	if err := p.Message.SetMessageDataWithEncoding(d.ShortMessage, data.NewCustomEncoding(d.DataCoding, nil)); err != nil {
		return nil, fmt.Errorf("%w: short_message: %w", ErrEncoding, err)
	}
	for _, t := range d.TLVs {
		p.RegisterOptionalParam(pdu.Field{Tag: pdu.Tag(t.Tag), Data: t.Value})
	}
	return marshal(p, 0), nil
}

// NewReceiptDelivery builds the deliver_sm of a delivery receipt for a
// message the ESME submitted from source to dest: the receipt goes from
// dest back to source. The short_message is receipt.Format(r) (r.ID is the
// message_id the server answered the submit_sm with), with the
// receipted_message_id and message_state TLVs beside it and esm_class 0x04
// (0x20, intermediate notification, when intermediate is set).
func NewReceiptDelivery(source, dest Address, r receipt.Receipt, intermediate bool) *Delivery {
	esm := byte(0x04)
	if intermediate {
		esm = 0x20
	}
	if r.DoneDate.IsZero() {
		r.DoneDate = time.Now()
	}
	if r.SubmitDate.IsZero() {
		r.SubmitDate = r.DoneDate
	}
	r.Text = asciiOnly(r.Text)
	text := receipt.Format(r)
	if len(text) > 254 {
		text = text[:254]
	}
	return &Delivery{
		Source: dest, Dest: source, ESMClass: esm, ShortMessage: []byte(text),
		TLVs: []TLV{
			{Tag: uint16(pdu.TagReceiptedMessageID), Value: cstring(r.ID)},
			{Tag: uint16(pdu.TagMessageStateOption), Value: []byte{receipt.MessageStateValue(r.State)}},
		},
	}
}

// asciiOnly replaces what is not printable ASCII with '?': the receipt
// text travels with data_coding 0, and SMSCs put a plain excerpt there.
func asciiOnly(s string) string {
	b := []byte(nil)
	for _, r := range s {
		if r < 0x20 || r > 0x7E {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// NewMODeliveries builds the deliver_sm of a mobile-originated text: one,
// or several with a concatenation header (8-bit reference ref) when the
// text is long. The text travels as unpacked GSM 03.38 (data_coding 0)
// when it can, UCS-2 otherwise.
func NewMODeliveries(source, dest Address, text string, ref uint8) ([]*Delivery, error) {
	dc, enc := byte(0x00), sms.GSM7
	if _, err := sms.EncodeGSM7(text); err != nil {
		dc, enc = 0x08, sms.UCS2
	}
	parts, err := sms.Split(text, enc)
	if err != nil || len(parts) == 0 {
		return nil, fmt.Errorf("%w: MO text: %v", ErrEncoding, err)
	}
	if len(parts) > 255 {
		return nil, fmt.Errorf("%w: MO text of %d segments", ErrEncoding, len(parts))
	}
	out := make([]*Delivery, len(parts))
	for i, p := range parts {
		d := &Delivery{Source: source, Dest: dest, DataCoding: dc, ShortMessage: p}
		if len(parts) > 1 {
			d.ESMClass = 0x40
			d.ShortMessage = append([]byte{5, 0, 3, ref, byte(len(parts)), byte(i + 1)}, p...)
		}
		out[i] = d
	}
	return out, nil
}
