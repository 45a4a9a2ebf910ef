// Package receipt reads and writes SMPP delivery receipts: the text an SMSC
// puts in the short_message of a deliver_sm whose esm_class has the receipt
// bit (SMPP 3.4 appendix B), and the receipted_message_id and message_state
// TLVs that SMPP 3.4 added beside it.
//
// Real SMSCs follow appendix B loosely, so Parse is lenient: keys in any
// case, "submit date", "submit_date" or "submitdate", dates of 10, 12 or 14
// digits with or without separators, fields missing, reordered or added,
// "text:" anywhere. Message IDs come in decimal from some SMSCs and in
// hexadecimal from others (often in the submit_sm_resp and the receipt of
// the same message); Candidates gives every form an ID may have been stored
// in, and Canonical the form to store.
//
// The package is pure: no state, safe for concurrent use.
package receipt

import (
	"strconv"
	"strings"
	"time"
)

// State is the normalized state of a message reported by a receipt.
type State string

// States, after SMPP 3.4 §5.2.28 message_state.
const (
	Enroute     State = "enroute"     // in transit; intermediate
	Delivered   State = "delivered"   // delivered to the handset
	Expired     State = "expired"     // validity period expired
	Deleted     State = "deleted"     // deleted at the SMSC
	Undelivered State = "undelivered" // undeliverable
	Accepted    State = "accepted"    // accepted by the SMSC, not final for most SMSCs
	Unknown     State = "unknown"     // the SMSC does not know
	Rejected    State = "rejected"    // rejected by the SMSC or the network
)

// Final reports whether no further receipt is expected after s: delivered,
// expired, deleted, undelivered, rejected and unknown are final; enroute
// and accepted are intermediate (most SMSCs send ACCEPTD before the outcome).
func (s State) Final() bool {
	switch s {
	case Delivered, Expired, Deleted, Undelivered, Rejected, Unknown:
		return true
	}
	return false
}

// Receipt is a parsed delivery receipt. Fields the SMSC did not send are
// zero. Parse fills it from text; the caller overlays TLV values.
type Receipt struct {
	// ID is the SMSC's message ID as the receipt carries it (the
	// receipted_message_id TLV when present, else the text's id field).
	ID string
	// State is the normalized state; Unknown when the receipt has none.
	State State
	// Stat is the raw state word, such as "DELIVRD", upper-cased; for a
	// TLV-only receipt it is the message_state name, such as "DELIVERED".
	Stat string
	// Err is the raw err field, such as "000".
	Err string
	// Sub and Dlvrd are the raw sub and dlvrd fields.
	Sub, Dlvrd string
	// SubmitDate and DoneDate are the dates of the receipt, read as UTC (the
	// SMSC's time zone is not on the wire).
	SubmitDate, DoneDate time.Time
	// Text is the text field: the start of the original message.
	Text string
	// Raw is the whole receipt text.
	Raw string
}

// Parse reads a receipt text. It never fails: it returns what it found, and
// ok reports whether the text looked like a receipt at all (it had an id or
// a stat field).
func Parse(text string) (r Receipt, ok bool) {
	r.Raw = text
	r.State = Unknown
	var idOK, statOK bool
	for _, f := range fields(text) {
		switch f.key {
		case keyID:
			r.ID, idOK = firstToken(f.val), true
		case keyStat:
			r.Stat, statOK = strings.ToUpper(firstToken(f.val)), true
			r.State = StatState(r.Stat)
		case keyErr:
			r.Err = firstToken(f.val)
		case keySub:
			r.Sub = firstToken(f.val)
		case keyDlvrd:
			r.Dlvrd = firstToken(f.val)
		case keySubmitDate:
			r.SubmitDate = parseDate(f.val)
		case keyDoneDate:
			r.DoneDate = parseDate(f.val)
		case keyText:
			r.Text = f.val
		}
	}
	return r, idOK || statOK
}

// StatState maps a receipt's stat word to a State, in any case and in the
// spellings SMSCs use (DELIVRD or DELIVERED, UNDELIV or UNDELIVERABLE, ...).
// Unrecognized words give Unknown.
func StatState(stat string) State {
	switch strings.ToUpper(strings.TrimSpace(stat)) {
	case "DELIVRD", "DELIVERED", "DELIVER", "DELIVRED", "DLVRD", "SUCCESS", "OK":
		return Delivered
	case "UNDELIV", "UNDELIVERABLE", "UNDELIVERED", "UNDELIVRD", "FAILED", "FAIL", "FAILURE", "ERROR":
		return Undelivered
	case "EXPIRED", "EXPIRD":
		return Expired
	case "DELETED", "DELETD":
		return Deleted
	case "REJECTD", "REJECTED", "REJECT":
		return Rejected
	case "ACCEPTD", "ACCEPTED", "ACKED":
		return Accepted
	case "ENROUTE", "EN_ROUTE", "BUFFRED", "BUFFERED", "SENT", "PENDING", "SCHEDULED":
		return Enroute
	}
	return Unknown
}

// MessageState maps the message_state TLV value (SMPP 3.4 §5.3.2.35) to a
// State and its name in the specification.
func MessageState(v byte) (State, string) {
	switch v {
	case 1:
		return Enroute, "ENROUTE"
	case 2:
		return Delivered, "DELIVERED"
	case 3:
		return Expired, "EXPIRED"
	case 4:
		return Deleted, "DELETED"
	case 5:
		return Undelivered, "UNDELIVERABLE"
	case 6:
		return Accepted, "ACCEPTED"
	case 8:
		return Rejected, "REJECTED"
	case 9: // SKIPPED, SMPP 5.0
		return Undelivered, "SKIPPED"
	}
	return Unknown, "UNKNOWN"
}

// MessageStateValue returns the message_state TLV value for s.
func MessageStateValue(s State) byte {
	switch s {
	case Enroute:
		return 1
	case Delivered:
		return 2
	case Expired:
		return 3
	case Deleted:
		return 4
	case Undelivered:
		return 5
	case Accepted:
		return 6
	case Rejected:
		return 8
	}
	return 7
}

// Stat returns the appendix B stat word for s: DELIVRD, UNDELIV and so on.
func Stat(s State) string {
	switch s {
	case Enroute:
		return "ENROUTE"
	case Delivered:
		return "DELIVRD"
	case Expired:
		return "EXPIRED"
	case Deleted:
		return "DELETED"
	case Undelivered:
		return "UNDELIV"
	case Accepted:
		return "ACCEPTD"
	case Rejected:
		return "REJECTD"
	}
	return "UNKNOWN"
}

// Fold combines the receipts of the segments of one message into one state.
// A failure of any segment decides (rejected, then undelivered, expired,
// deleted, unknown); otherwise the message is delivered only when every
// segment is; otherwise the least advanced state wins (enroute, then
// accepted). An empty string stands for a segment without a receipt yet
// and counts as enroute. Fold of nothing is Unknown.
func Fold(states ...State) State {
	if len(states) == 0 {
		return Unknown
	}
	rank := func(s State) int {
		switch s {
		case Rejected:
			return 7
		case Undelivered:
			return 6
		case Expired:
			return 5
		case Deleted:
			return 4
		case Unknown:
			return 3
		case Enroute, "":
			return 2
		case Accepted:
			return 1
		}
		return 0 // Delivered
	}
	best := Delivered
	for _, s := range states {
		if s == "" {
			s = Enroute
		}
		if rank(s) > rank(best) {
			best = s
		}
	}
	return best
}

// Format renders r as an appendix B receipt text:
//
//	id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...
//
// Sub and Dlvrd default to 001 (and 000 for dlvrd when not delivered), Err
// to 000, Stat to the word for State, and Text is cut to 20 characters.
func Format(r Receipt) string {
	sub, dlvrd, stat, errCode := r.Sub, r.Dlvrd, r.Stat, r.Err
	if sub == "" {
		sub = "001"
	}
	if dlvrd == "" {
		dlvrd = "000"
		if r.State == Delivered {
			dlvrd = "001"
		}
	}
	if stat == "" {
		stat = Stat(r.State)
	}
	if errCode == "" {
		errCode = "000"
	}
	text := r.Text
	if rs := []rune(text); len(rs) > 20 {
		text = string(rs[:20])
	}
	var b strings.Builder
	b.Grow(120 + len(r.ID) + len(text))
	b.WriteString("id:" + r.ID + " sub:" + sub + " dlvrd:" + dlvrd)
	b.WriteString(" submit date:" + formatDate(r.SubmitDate) + " done date:" + formatDate(r.DoneDate))
	b.WriteString(" stat:" + stat + " err:" + errCode + " text:" + text)
	return b.String()
}

// formatDate renders t as YYMMDDhhmm in UTC; the zero time as now would be
// misleading, so it renders as 0000000000.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "0000000000"
	}
	return t.UTC().Format("0601021504")
}

// parseDate reads a receipt date: its digits, ignoring separators, as
// YYMMDDhhmm, YYMMDDhhmmss or YYYYMMDDhhmmss. Anything else gives the zero
// time.
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	digits := make([]byte, 0, 14)
	for i := 0; i < len(v) && len(digits) <= 14; i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '-' || c == ':' || c == '/' || c == '.' || c == 'T':
		case c == ' ' && len(digits) >= 6 && len(digits) < 10:
			// a space between date and time
		default:
			i = len(v)
		}
	}
	var layouts []string
	switch len(digits) {
	case 10:
		layouts = []string{"0601021504"}
	case 12:
		layouts = []string{"060102150405", "200601021504"}
	case 14:
		layouts = []string{"20060102150405"}
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, string(digits)); err == nil {
			return t
		}
	}
	return time.Time{}
}

// firstToken returns v up to its first space.
func firstToken(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, " \t\r\n"); i >= 0 {
		return v[:i]
	}
	return v
}

// Canonical returns the form of a message ID to store for matching: trimmed
// and lower-cased, and, when it is all hexadecimal digits, without leading
// zeros. Store Canonical(id) of the submit_sm_resp message_id and look a
// receipt up by each of Candidates(receipt ID).
func Canonical(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	if id != "" && isDigits(id, 16) {
		id = strings.TrimLeft(id, "0")
		if id == "" {
			id = "0"
		}
	}
	return id
}

// Candidates returns the canonical forms a receipt's message ID may have
// been stored in: the ID itself and, when it reads as a number, its
// hexadecimal form (a decimal ID) or its decimal form (a hexadecimal ID).
// The first element is Canonical(id).
func Candidates(id string) []string {
	c := Canonical(id)
	if c == "" {
		return nil
	}
	out := []string{c}
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	if isDigits(c, 10) {
		if v, err := strconv.ParseUint(c, 10, 64); err == nil {
			add(strconv.FormatUint(v, 16))
		}
	}
	if isDigits(c, 16) {
		if v, err := strconv.ParseUint(c, 16, 64); err == nil {
			add(strconv.FormatUint(v, 10))
		}
	}
	return out
}

// isDigits reports whether s is made only of digits in base 10 or 16
// (lower-case).
func isDigits(s string, base int) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || base == 16 && c >= 'a' && c <= 'f' {
			continue
		}
		return false
	}
	return true
}
