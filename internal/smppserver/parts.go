package smppserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/store"
)

// A customer may submit a long message in parts, each a submit_sm with a
// user data header or SAR TLVs naming the part. Each part is stored
// (smpp_submit_parts) and answered with its own message_id; the last part
// to arrive makes the message of them all, whose receipts go back under
// every part's message_id, as an SMSC reports each segment. The
// transaction that commits the message marks its parts, so a part the
// customer sends again is answered with its message_id without sending the
// message twice. Parts whose set stays incomplete for PartsTimeout are sent
// as a message of the parts present. One submit_sm at a time makes a set's
// message in a process (completing); a customer sends a message's parts on
// one bind, so on one process. Across processes sharing PostgreSQL, the
// transaction that marks a set's parts must mark every part its message was
// made of; a process that finds some marked already by another leaves its
// message out (errPartsTaken), so a set is never sent twice. A part that
// comes after its set was sent incomplete is sent on its own.

// PartsTimeout is how long a long message waits for its missing parts.
const PartsTimeout = 2 * time.Minute

// partsKept is how long parts are kept after their message was made, to
// recognise parts sent again.
const partsKept = time.Hour

// errPartsTaken refuses a message made of parts that another transaction
// made into a message first.
var errPartsTaken = errors.New("smpp: the parts were made into a message by another submit_sm")

// partRequest is what a message made of parts needs besides its text.
type partRequest struct {
	SystemID string `json:"systemId"`
	Source   string `json:"source"` // ton.npi.addr
	Dest     string `json:"dest"`
	RD       byte   `json:"rd"`
}

// PartsStore is what parts need from the database.
type PartsStore interface {
	AddSMPPSubmitPart(ctx context.Context, p *herald.SMPPSubmitPart, base string) ([]herald.SMPPSubmitPart, error)
	StaleSMPPSubmitParts(ctx context.Context, before time.Time, limit int) ([]herald.SMPPSubmitPart, error)
	ForgetSMPPSubmitParts(ctx context.Context, before time.Time) (int64, error)
	RejectSMPPSubmitParts(ctx context.Context, ids []string, receipt *herald.SMPPDelivery) (bool, error)
}

// acceptSender sends a message with work of its own in the transaction
// that commits it (the engine).
type acceptSender interface {
	SendInAccept(ctx context.Context, req *herald.SendRequest,
		fn func(ctx context.Context, x *store.MessageTx, m *herald.Message) error) (*herald.Message, error)
}

// newBase returns a new base of part IDs: 16 hexadecimal digits.
func newBase() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return hex.EncodeToString(b[:])
}

// submitPart stores one part of a long message and answers with its ID;
// the last part sends the message.
func (s *Service) submitPart(ctx context.Context, r *smpp.SubmitRequest, account int64) (string, error) {
	if r.ConcatSeq == 0 || r.ConcatSeq > r.ConcatTotal {
		return "", smpp.StatusSubmitFailed
	}
	req, _ := json.Marshal(partRequest{SystemID: r.SystemID, Source: addrString(r.Source), Dest: addrString(r.Dest),
		RD: r.RegisteredDelivery}) // strings and a byte always encode
	p := &herald.SMPPSubmitPart{AccountID: account, Seq: int(r.ConcatSeq), Total: int(r.ConcatTotal), Text: r.Text, Request: string(req),
		SetKey: fmt.Sprintf("%s|%s|%s|%d|%d", strings.ToLower(r.SystemID), addrString(r.Source), addrString(r.Dest), r.ConcatRef, r.ConcatTotal)}
	parts, err := s.parts.AddSMPPSubmitPart(ctx, p, newBase())
	if err != nil {
		return "", err
	}
	if p.MessageID == store.SMPPPartsRejected {
		return "", smpp.StatusSubmitFailed // its message could not be made
	}
	if p.MessageID != "" || len(parts) < p.Total {
		return p.ID, nil // sent again after its message was made, or more to come
	}
	if !s.completing(p.SetKey, true) {
		return p.ID, nil // another submit_sm of the set is making the message
	}
	defer s.completing(p.SetKey, false)
	if _, err := s.sendParts(ctx, parts); err != nil && !errors.Is(err, errPartsTaken) {
		return "", err
	}
	return p.ID, nil
}

// completing marks a set as being made into a message (on) or done (off);
// on reports false when it is being made already.
func (s *Service) completing(setKey string, on bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		if s.inProgress[setKey] {
			return false
		}
		s.inProgress[setKey] = true
		return true
	}
	delete(s.inProgress, setKey)
	return true
}

// sendParts sends the message made of one set's parts not made into a
// message yet (in order, some possibly missing), and marks them in the
// transaction that commits it, unless another transaction marked any of
// them first (errPartsTaken). Receipts go to the parts that asked for them
// (Kannel asks on the first part only), as the first of those asked.
func (s *Service) sendParts(ctx context.Context, all []herald.SMPPSubmitPart) (*herald.Message, error) {
	var parts []herald.SMPPSubmitPart
	for _, p := range all {
		if p.MessageID == "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return nil, errPartsTaken
	}
	var pr partRequest
	var text strings.Builder
	var seqs []int
	for i, p := range parts {
		var r partRequest
		if err := json.Unmarshal([]byte(p.Request), &r); err != nil {
			return nil, fmt.Errorf("reading a stored SMPP part: %w", err)
		}
		if i == 0 || pr.RD == 0 && r.RD != 0 {
			pr = r
		}
		if r.RD != 0 {
			seqs = append(seqs, p.Seq)
		}
		text.WriteString(p.Text)
	}
	base := parts[0].ID[:strings.LastIndexByte(parts[0].ID, '-')]
	src, dst := address(pr.Source), address(pr.Dest)
	cb := callbackData(pr.RD, src, dst)
	if len(seqs) > 0 {
		cb += " parts=" + base + ":" + seqRanges(seqs)
	}
	ids := make([]string, len(parts))
	for i, p := range parts {
		ids[i] = p.ID
	}
	mark := func(ctx context.Context, x *store.MessageTx, m *herald.Message) error {
		n, err := x.MarkSMPPSubmitParts(ctx, m.ID, ids...)
		if err == nil && n != int64(len(parts)) {
			return errPartsTaken
		}
		return err
	}
	return s.send(ctx, parts[0].AccountID, pr.SystemID, src, dst, text.String(), cb, mark)
}

// seqRanges writes ascending part numbers as runs: "1-3,5".
func seqRanges(seqs []int) string {
	var b strings.Builder
	for i := 0; i < len(seqs); {
		j := i
		for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(seqs[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(seqs[j]))
		}
		i = j + 1
	}
	return b.String()
}

// sweepParts sends the sets that waited PartsTimeout for missing parts and
// forgets the parts of messages made long ago.
func (s *Service) sweepParts(ctx context.Context) {
	now := time.Now()
	stale, err := s.parts.StaleSMPPSubmitParts(ctx, now.Add(-s.cfg.PartsTimeout), 100)
	if err != nil {
		s.log.Error("smpp: reading incomplete long messages", "err", err)
		return
	}
	for i := 0; i < len(stale); {
		j := i
		for j < len(stale) && stale[j].SetKey == stale[i].SetKey {
			j++
		}
		set := stale[i:j]
		i = j
		if !s.completing(set[0].SetKey, true) {
			continue
		}
		m, err := s.sendParts(ctx, set)
		s.completing(set[0].SetKey, false)
		if errors.Is(err, errPartsTaken) {
			continue
		}
		if refused(err) {
			s.rejectParts(ctx, set, err)
			continue
		}
		if err != nil {
			s.log.Warn("smpp: sending an incomplete long message", "parts", len(set), "of", set[0].Total, "err", err)
			continue
		}
		s.log.Warn("smpp: sent a long message without its missing parts", "message", m.ID, "parts", len(set), "of", set[0].Total)
	}
	if _, err := s.parts.ForgetSMPPSubmitParts(ctx, now.Add(-partsKept)); err != nil {
		s.log.Error("smpp: forgetting long messages' parts", "err", err)
	}
}

// refused reports whether sending failed on the request itself (the
// accept's EINVALID: a destination or sender ID refused), so that it would
// fail again.
func refused(err error) bool {
	st, ok := err.(smpp.Status)
	return ok && (st == smpp.StatusInvDstAddr || st == smpp.StatusSubmitFailed)
}

// rejectParts gives up a set of parts that cannot be made into a message:
// the parts are marked rejected (sent again, they are answered with
// ESME_RSUBMITFAIL) and the parts that asked for a receipt of failures get
// one, REJECTD, as an SMSC reports a message it could not send.
func (s *Service) rejectParts(ctx context.Context, parts []herald.SMPPSubmitPart, cause error) {
	ids := make([]string, len(parts))
	var asked []string
	var receipt *herald.SMPPDelivery
	for i, p := range parts {
		ids[i] = p.ID
		var r partRequest
		if err := json.Unmarshal([]byte(p.Request), &r); err != nil {
			continue
		}
		req := smpp.SubmitRequest{RegisteredDelivery: r.RD}
		if !req.WantsReceipt(false) {
			continue
		}
		asked = append(asked, p.ID)
		if receipt == nil {
			receipt = &herald.SMPPDelivery{AccountID: p.AccountID, SystemID: r.SystemID, Kind: herald.SMPPReceipt,
				Status: herald.StatusRejected, ProviderCode: cause.(smpp.Status).Name(), Source: r.Source, Dest: r.Dest,
				RegisteredDelivery: int(r.RD), SubmittedAt: p.At}
		}
	}
	if receipt != nil {
		receipt.MessageID = strings.Join(asked, ",")
	}
	done, err := s.parts.RejectSMPPSubmitParts(ctx, ids, receipt)
	if err != nil {
		s.log.Error("smpp: rejecting a long message", "err", err)
		return
	}
	if done {
		s.log.Warn("smpp: rejected a long message that cannot be sent", "parts", len(parts), "of", parts[0].Total,
			"receipts", len(asked), "err", cause)
	}
}
