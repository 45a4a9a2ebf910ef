package smppserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/smpp"
	"github.com/heraldhq/herald/internal/smpp/receipt"
	"github.com/heraldhq/herald/internal/store"
)

// callbackData keeps on the message what its receipts need: the
// registered_delivery and the addresses as the customer sent them.
func callbackData(rd byte, src, dst smpp.Address) string {
	return fmt.Sprintf("smpp rd=%d src=%d.%d.%s dst=%d.%d.%s", rd, src.TON, src.NPI, src.Addr, dst.TON, dst.NPI, dst.Addr)
}

// parseCallback reads callbackData.
func parseCallback(s string) (rd byte, src, dst smpp.Address, ok bool) {
	f := strings.Fields(s)
	if len(f) < 4 || f[0] != "smpp" {
		return 0, src, dst, false
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(f[1], "rd="), 10, 8)
	if err != nil {
		return 0, src, dst, false
	}
	return byte(v), address(strings.TrimPrefix(f[2], "src=")), address(strings.TrimPrefix(f[3], "dst=")), true
}

// partIDs returns the message_ids of the parts a message was submitted in,
// from its callback data ("parts=<base>:<runs>", runs as seqRanges writes
// them), or nil.
func partIDs(cb string) []string {
	for _, f := range strings.Fields(cb) {
		spec, ok := strings.CutPrefix(f, "parts=")
		if !ok {
			continue
		}
		base, seqs, ok := strings.Cut(spec, ":")
		if !ok {
			return nil
		}
		var ids []string
		for _, run := range strings.Split(seqs, ",") {
			from, to, _ := strings.Cut(run, "-")
			lo, err := strconv.Atoi(from)
			hi, err2 := strconv.Atoi(to)
			if err2 != nil {
				hi = lo
			}
			if err != nil || hi < lo || hi-lo > 255 {
				return nil
			}
			for n := lo; n <= hi; n++ {
				ids = append(ids, base+"-"+strconv.Itoa(n))
			}
		}
		return ids
	}
	return nil
}

// address reads "ton.npi.addr".
func address(s string) smpp.Address {
	p := strings.SplitN(s, ".", 3)
	if len(p) != 3 {
		return smpp.Address{Addr: s}
	}
	ton, _ := strconv.ParseUint(p[0], 10, 8)
	npi, _ := strconv.ParseUint(p[1], 10, 8)
	return smpp.Address{TON: byte(ton), NPI: byte(npi), Addr: p[2]}
}

// addrString writes "ton.npi.addr".
func addrString(a smpp.Address) string { return fmt.Sprintf("%d.%d.%s", a.TON, a.NPI, a.Addr) }

// receiptState maps a message status to a receipt state; ok is false for
// statuses that give no receipt.
func receiptState(s herald.MessageStatus) (receipt.State, bool) {
	switch s {
	case herald.StatusSent:
		return receipt.Enroute, true
	case herald.StatusDelivered:
		return receipt.Delivered, true
	case herald.StatusUndelivered, herald.StatusFailed:
		return receipt.Undelivered, true
	case herald.StatusExpired:
		return receipt.Expired, true
	case herald.StatusRejected:
		return receipt.Rejected, true
	}
	return "", false
}

// pick decides which committed changes the customer gets: the receipts it
// asked for with registered_delivery, and every MO message.
func pick(src store.SMPPSource) (herald.SMPPDelivery, bool) {
	m := &src.Message
	if src.Kind == herald.SMPPMO {
		var p struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(m.Payload, &p) // a payload without text sends an empty MO
		return herald.SMPPDelivery{AccountID: m.AccountID, SystemID: src.SystemID, Kind: herald.SMPPMO, MessageID: m.ID,
			Source: m.Destination, Dest: m.SenderID, Text: p.Text, SubmittedAt: src.At}, src.SystemID != ""
	}
	rd, from, to, ok := parseCallback(m.CallbackData)
	st, known := receiptState(src.Status)
	if !ok || !known {
		return herald.SMPPDelivery{}, false
	}
	req := smpp.SubmitRequest{RegisteredDelivery: rd}
	if st == receipt.Enroute && !req.WantsIntermediate() || st != receipt.Enroute && !req.WantsReceipt(st == receipt.Delivered) {
		return herald.SMPPDelivery{}, false
	}
	// A message submitted in parts reports under every part's message_id,
	// comma-separated.
	id := m.ID
	if parts := partIDs(m.CallbackData); len(parts) > 0 {
		id = strings.Join(parts, ",")
	}
	return herald.SMPPDelivery{AccountID: m.AccountID, SystemID: m.CorrelationID, Kind: herald.SMPPReceipt, MessageID: id,
		Status: src.Status, ProviderCode: src.Code, Source: addrString(from), Dest: addrString(to),
		RegisteredDelivery: int(rd), SubmittedAt: m.AcceptedAt}, true
}

// deliverSM builds the deliver_sm of a queued delivery.
func deliverSM(d *herald.SMPPDelivery) ([]*smpp.Delivery, error) {
	if d.Kind == herald.SMPPMO {
		from := smpp.Address{Addr: strings.TrimPrefix(d.Source, "+")}
		if from.Addr != d.Source {
			from.TON, from.NPI = 1, 1
		}
		return smpp.NewMODeliveries(from, smpp.Address{Addr: d.Dest}, d.Text, byte(d.ID))
	}
	st, _ := receiptState(d.Status)
	var out []*smpp.Delivery
	for _, id := range strings.Split(d.MessageID, ",") { // one receipt per part
		r := receipt.Receipt{ID: id, State: st, SubmitDate: d.SubmittedAt, DoneDate: d.CreatedAt}
		if st == receipt.Undelivered {
			r.Err = "001"
		}
		out = append(out, smpp.NewReceiptDelivery(address(d.Source), address(d.Dest), r, st == receipt.Enroute))
	}
	return out, nil
}

// runOutbox fills the outbox from committed changes and offers it to the
// receiving binds until ctx ends.
func (s *Service) runOutbox(ctx context.Context) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	sweep := min(10*time.Second, s.cfg.PartsTimeout/2)
	swept := time.Now()
	for {
		if _, err := s.store.FillSMPPOutbox(ctx, 1000, pick); err != nil && ctx.Err() == nil {
			s.log.Error("smpp: filling the outbox", "err", err)
		}
		if s.parts != nil && time.Since(swept) >= sweep {
			s.sweepParts(ctx)
			swept = time.Now()
		}
		s.dequeue(ctx)
		s.flush(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// dequeue removes the acknowledged deliveries.
func (s *Service) dequeue(ctx context.Context) {
	s.mu.Lock()
	ids := s.acked
	s.acked = nil
	s.mu.Unlock()
	if err := s.store.DeleteSMPPDeliveries(context.WithoutCancel(ctx), ids...); err != nil {
		s.log.Error("smpp: dequeuing deliveries", "err", err)
	}
}

// flush offers the queued deliveries of every system_id with a receiving
// bind that it was not offered yet.
func (s *Service) flush(ctx context.Context) {
	seen := map[string]bool{}
	for _, b := range s.srv.Binds() {
		if b.Bind == "transmitter" || seen[strings.ToLower(b.SystemID)] {
			continue
		}
		seen[strings.ToLower(b.SystemID)] = true
		s.flushSystem(ctx, b.SystemID)
	}
}

// flushSystem offers one system_id's queued deliveries past what it was
// offered.
func (s *Service) flushSystem(ctx context.Context, systemID string) {
	key := strings.ToLower(systemID)
	s.mu.Lock()
	after := s.offered[key]
	s.mu.Unlock()
	ds, err := s.store.PendingSMPPDeliveries(ctx, systemID, after, 500)
	if err != nil {
		s.log.Error("smpp: reading the outbox", "system_id", systemID, "err", err)
		return
	}
	for i := range ds {
		d := ds[i]
		if err := s.offer(ctx, systemID, &d); err != nil {
			return // no receiver now, or ctx ended: offered again later
		}
		s.mu.Lock()
		s.offered[key] = d.ID
		s.mu.Unlock()
	}
}

// offer hands one delivery's deliver_sm to a bind; it is dequeued when the
// customer acknowledges every part, and offered again after a failure.
func (s *Service) offer(ctx context.Context, systemID string, d *herald.SMPPDelivery) error {
	pdus, err := deliverSM(d)
	if err != nil {
		s.log.Warn("smpp: dropping an undeliverable delivery", "id", d.ID, "err", err)
		s.ack(d.ID)
		return nil
	}
	left := len(pdus)
	for _, p := range pdus {
		err := s.srv.Deliver(ctx, systemID, p, func(err error) {
			if err != nil {
				s.retry(systemID, d.ID)
				return
			}
			s.mu.Lock()
			left--
			done := left == 0
			s.mu.Unlock()
			if done {
				s.ack(d.ID)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ack queues an acknowledged delivery for dequeuing.
func (s *Service) ack(id int64) {
	s.mu.Lock()
	s.acked = append(s.acked, id)
	s.mu.Unlock()
	s.poke()
}

// retry offers a refused delivery again (and everything after it).
func (s *Service) retry(systemID string, id int64) {
	s.mu.Lock()
	key := strings.ToLower(systemID)
	if s.offered[key] >= id {
		s.offered[key] = id - 1
	}
	s.mu.Unlock()
}
