package smpp

import (
	"context"
	"fmt"
	"time"

	"github.com/linxGnu/gosmpp/pdu"

	"github.com/heraldhq/herald/internal/smpp/receipt"
	"github.com/heraldhq/herald/internal/sms"
)

// Inbound receives what an SMSC delivers to a client. Its methods are called
// concurrently, from several sessions and several goroutines per session.
// The deliver_sm is acknowledged after the method returns: with status 0 on
// nil, so that the SMSC forgets it (the method must have recorded it
// durably), and with ESME_RX_T_APPN on an error, so that the SMSC delivers
// it again later. Return a Status to answer with that status instead.
type Inbound interface {
	Receipt(ctx context.Context, r *Receipt) error
	MO(ctx context.Context, m *MO) error
}

// InboundFuncs adapts two functions to Inbound; a nil function accepts and
// drops what it would have received.
type InboundFuncs struct {
	OnReceipt func(ctx context.Context, r *Receipt) error
	OnMO      func(ctx context.Context, m *MO) error
}

// Receipt implements Inbound.
func (f InboundFuncs) Receipt(ctx context.Context, r *Receipt) error {
	if f.OnReceipt == nil {
		return nil
	}
	return f.OnReceipt(ctx, r)
}

// MO implements Inbound.
func (f InboundFuncs) MO(ctx context.Context, m *MO) error {
	if f.OnMO == nil {
		return nil
	}
	return f.OnMO(ctx, m)
}

// Receipt is a delivery receipt received from the SMSC.
type Receipt struct {
	receipt.Receipt
	// IDs are the canonical forms the ID may have been stored in
	// (receipt.Candidates): match each against receipt.Canonical of the
	// submit_sm_resp message_id.
	IDs []string
	// FromTLV is set when ID or State came from the receipted_message_id
	// or message_state TLVs rather than the text.
	FromTLV bool
	// Intermediate is set for an intermediate delivery notification
	// (esm_class 0x20): more receipts will follow.
	Intermediate bool
	// NetworkError is the network_error_code TLV as "type:code" (type 1
	// ANSI-136, 2 IS-95, 3 GSM...), or "".
	NetworkError string
	// Source and Dest are the deliver_sm's addresses: the source is the
	// original message's recipient.
	Source, Dest Address
}

// MO is a mobile-originated message, reassembled when it was concatenated.
type MO struct {
	Source, Dest Address
	// Text is the decoded text; empty for binary data.
	Text string
	// Data is the user data without headers: septets unpacked for GSM,
	// UTF-16BE for UCS-2, octets otherwise.
	Data []byte
	// DataCoding is the data_coding of the (first) part.
	DataCoding byte
	// Binary is set when the data_coding is 8-bit data: Text is empty.
	Binary bool
	// Parts is the number of segments the message came in; Incomplete is
	// set when some never arrived within the reassembly timeout.
	Parts      int
	Incomplete bool
	// ServiceType, ProtocolID and ESMClass are from the (first) deliver_sm.
	ServiceType string
	ProtocolID  byte
	ESMClass    byte
	// ReceivedAt is when the last part arrived.
	ReceivedAt time.Time
}

// isReceipt reports whether esm_class marks a receipt: SMSC delivery
// receipt, SME acknowledgement or intermediate notification, as Kannel
// reads it.
func isReceipt(esm byte) bool {
	return esm&(0x04|0x08|0x20) != 0
}

// deliver handles one deliver_sm and returns the status to answer with.
func (c *Client) deliver(ctx context.Context, f *frame) Status {
	sm, err := decodeShortMessage(f)
	if err != nil {
		c.log.Warn("smpp: malformed deliver_sm", "err", err)
		return StatusInvMsgLen
	}
	in := c.cfg.Inbound
	if in == nil {
		in = InboundFuncs{}
	}
	if isReceipt(sm.ESMClass) {
		return statusOf(in.Receipt(ctx, c.readReceipt(sm)))
	}
	part, err := c.readPart(sm)
	if err != nil {
		c.log.Warn("smpp: undecodable MO", "err", err, "data_coding", sm.DataCoding)
		return StatusInvMsgLen
	}
	parts, restore := c.reasm.add(part)
	if parts == nil {
		return StatusOK
	}
	st := statusOf(in.MO(ctx, c.moFrom(parts)))
	if st != StatusOK && restore != nil {
		restore() // the SMSC resends the last part: keep the others
	}
	return st
}

// statusOf maps an Inbound error to the deliver_sm_resp status.
func statusOf(err error) Status {
	if err == nil {
		return StatusOK
	}
	if st, ok := err.(Status); ok {
		return st
	}
	return StatusTempAppError
}

// readReceipt builds a Receipt from a deliver_sm, from its TLVs when
// present and its text otherwise.
func (c *Client) readReceipt(sm *shortMessage) *Receipt {
	text := sm.UD
	if alphabetOf(sm.DataCoding) == alphaUCS2 {
		if s, err := decodeText(sm.DataCoding, sm.UD, 0, false); err == nil {
			text = []byte(s)
		}
	}
	parsed, _ := receipt.Parse(string(text))
	r := &Receipt{Receipt: parsed, Source: sm.Source, Dest: sm.Dest, Intermediate: sm.ESMClass&0x20 != 0}
	if v, ok := sm.TLVs[pdu.TagReceiptedMessageID]; ok && tlvString(v) != "" {
		r.ID, r.FromTLV = tlvString(v), true
	}
	if v, ok := sm.TLVs[pdu.TagMessageStateOption]; ok && len(v) == 1 {
		state, name := receipt.MessageState(v[0])
		r.State, r.FromTLV = state, true
		if r.Stat == "" {
			r.Stat = name
		}
	}
	if v, ok := sm.TLVs[pdu.TagNetworkErrorCode]; ok && len(v) == 3 {
		r.NetworkError = fmt.Sprintf("%d:%d", v[0], int(v[1])<<8|int(v[2]))
	}
	r.IDs = receipt.Candidates(r.ID)
	return r
}

// part is one segment of an MO, decoded to units.
type part struct {
	sm    *shortMessage
	units []byte // unpacked septets, UTF-16BE or octets
	at    time.Time
}

// readPart decodes the user data of an MO segment to units, unpacking
// packed GSM with the fill bits its header implies.
func (c *Client) readPart(sm *shortMessage) (*part, error) {
	p := &part{sm: sm, units: sm.UD, at: time.Now()}
	var err error
	if alphabetOf(sm.DataCoding) == alphaGSM && c.cfg.Alphabet == GSM7Packed {
		p.units, err = unpackAll(sm.UD, len(sm.UDH))
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// unpackAll unpacks every septet of packed user data that follows a header
// of udhLen octets. The octet count leaves the septet count ambiguous when
// the last septet starts in the last octet: it may be padding, zeros or the
// carriage return 3GPP TS 23.038 §6.1.2.3.1 recommends, and is then dropped.
func unpackAll(packed []byte, udhLen int) ([]byte, error) {
	fill := sms.FillBits(udhLen)
	n := (len(packed)*8 - fill) / 7
	if n <= 0 {
		return nil, nil
	}
	septets, err := sms.UnpackGSM7(packed, udhLen, n)
	if err != nil {
		return nil, err
	}
	if last := septets[n-1]; (last == 0 || last == 0x0D) && fill+7*(n-1) >= 8*(len(packed)-1) {
		septets = septets[:n-1]
	}
	return septets, nil
}

// moFrom builds an MO from the parts of a message, in order, nil entries
// standing for missing parts.
func (c *Client) moFrom(parts []*part) *MO {
	var first, last *part
	var units []byte
	n := 0
	for _, p := range parts {
		if p == nil {
			continue
		}
		if first == nil {
			first = p
		}
		last = p
		units = append(units, p.units...)
		n++
	}
	sm := first.sm
	mo := &MO{
		Source: sm.Source, Dest: sm.Dest, Data: units, DataCoding: sm.DataCoding,
		Parts: len(parts), Incomplete: n < len(parts), ServiceType: sm.ServiceType,
		ProtocolID: sm.ProtocolID, ESMClass: sm.ESMClass, ReceivedAt: last.at,
	}
	if alphabetOf(sm.DataCoding) == alphaBinary {
		mo.Binary = true
		return mo
	}
	// Units are unpacked by now: decode GSM as unpacked.
	text, err := decodeText(sm.DataCoding, units, 0, false)
	if err != nil {
		c.log.Warn("smpp: MO text does not decode; passing data only", "err", err)
	}
	mo.Text = text
	return mo
}

// expireParts delivers incomplete MOs whose parts waited too long, until
// the client closes.
func (c *Client) expireParts() {
	t := time.NewTicker(min(max(c.cfg.ReassemblyTimeout/4, 10*time.Millisecond), 10*time.Second))
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case now := <-t.C:
			for _, parts := range c.reasm.expired(now) {
				mo := c.moFrom(parts)
				in := c.cfg.Inbound
				if in == nil {
					continue
				}
				if err := in.MO(c.ctx, mo); err != nil {
					c.log.Warn("smpp: incomplete MO not accepted; dropped", "err", err, "from", mo.Source.Addr)
				}
			}
		}
	}
}
