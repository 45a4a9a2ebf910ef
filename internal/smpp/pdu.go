package smpp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// Command IDs (SMPP 3.4 §5.1.2). A response is its request's ID with respBit set.
const (
	cmdGenericNack     uint32 = 0x80000000
	cmdBindReceiver    uint32 = 0x00000001
	cmdBindTransmitter uint32 = 0x00000002
	cmdQuerySM         uint32 = 0x00000003
	cmdSubmitSM        uint32 = 0x00000004
	cmdDeliverSM       uint32 = 0x00000005
	cmdUnbind          uint32 = 0x00000006
	cmdBindTransceiver uint32 = 0x00000009
	cmdOutbind         uint32 = 0x0000000B
	cmdEnquireLink     uint32 = 0x00000015
	cmdAlert           uint32 = 0x00000102
	cmdDataSM          uint32 = 0x00000103

	respBit uint32 = 0x80000000
)

const (
	headerLen = 16
	// maxPDULen bounds command_length: gosmpp's 64 KiB, room for a full
	// message_payload. Anything longer is corrupt framing.
	maxPDULen = data.MAX_PDU_LEN
)

// header is the fixed part of every PDU.
type header struct {
	length, id, status, seq uint32
}

// frame is one PDU read from the wire: its header and its raw bytes
// (header included), not yet decoded.
type frame struct {
	header
	raw []byte
}

// body returns the PDU's bytes after the header.
func (f *frame) body() []byte { return f.raw[headerLen:] }

// isResponse reports whether the frame answers a request.
func (f *frame) isResponse() bool { return f.id&respBit != 0 }

// errFrameLength is wrapped by readFrame when command_length cannot be
// right; the stream cannot be resynchronised after it.
var errFrameLength = errors.New("invalid command_length")

// readFrame reads one PDU. A command_length below 16 or above maxPDULen is
// reported as errFrameLength together with the header that carried it, so
// that the caller can generic_nack its sequence number before it closes.
func readFrame(r *bufio.Reader) (*frame, error) {
	var hb [headerLen]byte
	if _, err := io.ReadFull(r, hb[:]); err != nil {
		return nil, err
	}
	h := parseHeader(hb[:])
	if h.length < headerLen || h.length > maxPDULen {
		return &frame{header: h}, fmt.Errorf("reading PDU: %w %d", errFrameLength, h.length)
	}
	raw := make([]byte, h.length)
	copy(raw, hb[:])
	if _, err := io.ReadFull(r, raw[headerLen:]); err != nil {
		return nil, fmt.Errorf("reading PDU body: %w", err)
	}
	return &frame{header: h, raw: raw}, nil
}

// parseHeader decodes the 16 header bytes at the start of b.
func parseHeader(b []byte) header {
	return header{
		length: binary.BigEndian.Uint32(b[0:]),
		id:     binary.BigEndian.Uint32(b[4:]),
		status: binary.BigEndian.Uint32(b[8:]),
		seq:    binary.BigEndian.Uint32(b[12:]),
	}
}

// errUnknownCommand is returned by decode for a command_id gosmpp does not know.
var errUnknownCommand = errors.New("unknown command_id")

// decode parses the frame with gosmpp. It never panics: a panic inside the
// decoder (a malformed PDU it did not foresee) is returned as an error.
func (f *frame) decode() (p pdu.PDU, err error) {
	p, err = pdu.CreatePDUFromCmdID(data.CommandIDType(int32(f.id)))
	if err != nil {
		return nil, fmt.Errorf("decoding 0x%08x: %w", f.id, errUnknownCommand)
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("decoding %s: panic: %v", cmdName(f.id), r)
		}
	}()
	if err = p.Unmarshal(pdu.NewBuffer(f.raw)); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", cmdName(f.id), err)
	}
	return p, nil
}

// marshal encodes p with the given sequence number.
func marshal(p pdu.PDU, seq uint32) []byte {
	p.SetSequenceNumber(int32(seq))
	b := pdu.NewBuffer(make([]byte, 0, 128))
	p.Marshal(b)
	return b.Bytes()
}

// appendPDU appends a PDU made of a header and body parts to dst. The
// responses that carry at most one C-string are built this way, without
// gosmpp's allocations on the hot path.
func appendPDU(dst []byte, id, status, seq uint32, body ...[]byte) []byte {
	n := headerLen
	for _, b := range body {
		n += len(b)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	dst = binary.BigEndian.AppendUint32(dst, id)
	dst = binary.BigEndian.AppendUint32(dst, status)
	dst = binary.BigEndian.AppendUint32(dst, seq)
	for _, b := range body {
		dst = append(dst, b...)
	}
	return dst
}

// cstring returns s as a C-octet string: its bytes and a NUL.
func cstring(s string) []byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return b
}

// readCString returns the C-string at the start of b, tolerating a missing
// NUL (the string then runs to the end of b).
func readCString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// cmdName returns the name of a command_id for logs.
func cmdName(id uint32) string {
	name := data.CommandIDType(int32(id)).String()
	if strings.HasPrefix(name, "CommandIDType(") { // not in gosmpp's table
		return fmt.Sprintf("command 0x%08x", id)
	}
	return name
}
