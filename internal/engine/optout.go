package engine

import (
	"context"
	"errors"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/batch"
)

// The dispatcher checks each message's opt-outs just before submitting it.
// Its workers hand their checks to a batcher whose flush reads the
// opt-outs of every contact waiting in one query: under load a read serves
// tens of messages instead of two reads each.

// optOutDirectory is a contact directory that can read many contacts'
// opt-outs at once (the store).
type optOutDirectory interface {
	OptOutsOf(ctx context.Context, accountID int64, contactIDs []int64) ([]herald.OptOut, error)
}

// optOutCheck is one message's check and its answer.
type optOutCheck struct {
	m      *herald.Message
	detail *herald.StatusDetail // set when the contact opted out
}

// newOptOutChecks returns the batcher of opt-out checks, or nil when the
// directory cannot read many contacts at once.
func (e *Engine) newOptOutChecks() *batch.Batcher[*optOutCheck] {
	dir, ok := e.deps.Contacts.(optOutDirectory)
	if !ok {
		return nil
	}
	return batch.New(batch.Config{MaxSize: 256, Workers: 1}, func(ctx context.Context, items []*optOutCheck) ([]error, error) {
		byAccount := map[int64][]int64{}
		for _, c := range items {
			byAccount[c.m.AccountID] = append(byAccount[c.m.AccountID], c.m.ContactID)
		}
		type key struct {
			contact int64
			channel herald.Channel
		}
		senders := map[key][]string{} // the opted-out sender IDs, "" for the whole channel
		for account, ids := range byAccount {
			outs, err := dir.OptOutsOf(ctx, account, ids)
			if err != nil {
				return nil, err
			}
			for _, o := range outs {
				k := key{o.ContactID, o.Channel}
				senders[k] = append(senders[k], o.SenderID)
			}
		}
		for _, c := range items {
			c.detail = optOutDetail(senders[key{c.m.ContactID, c.m.Channel}], c.m.SenderID)
		}
		return nil, nil
	})
}

// optOutDetail returns the rejection detail of a message from senderID to
// a contact who opted out of the channel's sender IDs senders ("" for the
// whole channel), or nil.
func optOutDetail(senders []string, senderID string) *herald.StatusDetail {
	var out *herald.StatusDetail
	for _, s := range senders {
		switch s {
		case "":
			return &herald.DetailOptedOutChan
		case senderID:
			out = &herald.DetailOptedOutSend
		}
	}
	return out
}

// checkOptOut is optedOut through the batcher.
func (e *Engine) checkOptOut(ctx context.Context, m *herald.Message) (*herald.StatusDetail, error) {
	c := &optOutCheck{m: m}
	if err := e.optOuts.Do(ctx, c); errors.Is(err, batch.ErrStopped) {
		return nil, ErrStopped
	} else if err != nil {
		return nil, err
	}
	return c.detail, nil
}
