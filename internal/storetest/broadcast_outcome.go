package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testBroadcastOutcomes checks a broadcast's per-contact outcome list: the
// result of each recipient (not initiated, in progress, successful,
// unsuccessful), the step and channel its chain reached with its last
// status, filters by result and channel, keyset pages, the export cursor,
// and that another account's broadcast is not found. It also checks the
// moderation queue's account filter.
func testBroadcastOutcomes(t *testing.T, f *fixture) {
	ctx := f.ctx
	g := addFixture(t, f.s, "Other")
	for i := range 6 {
		f.createContact(t, &herald.Contact{Phone: fmt.Sprintf("+3460022200%d", i), Tags: []string{"out"}})
	}
	b := &herald.Broadcast{AccountID: f.account.ID, Name: "outcomes", Steps: append(smsSteps(),
		herald.BroadcastStep{Channel: herald.ChannelEmail, SenderID: "sandbox"}), Recipients: herald.Recipients{Tags: []string{"out"}}}
	noErr(t, "CreateBroadcast", f.s.CreateBroadcast(ctx, b))
	_, err := f.s.ChangeBroadcast(ctx, f.account.ID, b.ID, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastDraft},
		To: herald.BroadcastInProgress, Launch: true, Action: "Launched broadcast"})
	noErr(t, "launch", err)
	now := time.Now().UnixMilli()
	_, err = f.s.ClaimBroadcastRuns(ctx, "runner-1", now, now+10000, 10)
	noErr(t, "ClaimBroadcastRuns", err)

	// Recipients 1-4 start chains: 1 succeeds on SMS, 2 fails on its
	// second step (email), 3 is still on SMS, 4 was canceled; 5 is
	// skipped and 6 not reached yet.
	at := time.Now().UTC().Truncate(time.Microsecond)
	type chainCase struct {
		step    int
		channel herald.Channel
		status  herald.MessageStatus
		outcome herald.ChainOutcome
	}
	cases := []chainCase{{0, herald.ChannelSMS, herald.StatusDelivered, herald.ChainSucceeded},
		{1, herald.ChannelEmail, herald.StatusUndelivered, herald.ChainFailed},
		{0, herald.ChannelSMS, herald.StatusSent, herald.ChainRunning},
		{0, herald.ChannelSMS, herald.StatusCanceled, herald.ChainCanceled}}
	var chains []*herald.Chain
	var msgs []store.MessageRow
	var results []store.RecipientResult
	for i, c := range cases {
		id := fmt.Sprintf("oc%d-%d", b.ID, i+1)
		mid := fmt.Sprintf("om%d-%d", b.ID, i+1)
		chains = append(chains, &herald.Chain{ID: id, AccountID: f.account.ID, BroadcastID: b.ID, Current: c.step, CurrentMessageID: mid,
			Outcome: c.outcome, CreatedAt: at, UpdatedAt: at,
			Steps: []herald.ChainStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Destination: "+346", Payload: []byte(`{}`), Criterion: herald.CriterionDelivery}}})
		msgs = append(msgs, store.MessageRow{Message: &herald.Message{ID: mid, AccountID: f.account.ID, Direction: herald.MT, Channel: c.channel,
			SenderID: "sandbox", Destination: "+346", Status: c.status, ChainID: id, Step: c.step, AcceptedAt: at, UpdatedAt: at.Add(time.Duration(i) * time.Second)}})
		results = append(results, store.RecipientResult{Seq: int64(i + 1), State: herald.RecipientInitiated, ChainID: id})
	}
	results = append(results, store.RecipientResult{Seq: 5, State: herald.RecipientSkipped, Reason: herald.SkipNoAddress})
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		if err := x.InsertMessages(ctx, msgs); err != nil {
			return err
		}
		if err := x.InsertChains(ctx, chains); err != nil {
			return err
		}
		_, err := x.CommitRecipients(ctx, b.ID, "runner-1", 0, 5, now+20000, results)
		return err
	}))

	list := func(q herald.ListQuery) []herald.BroadcastRecipient {
		t.Helper()
		p, err := f.s.ListBroadcastRecipients(ctx, f.account.ID, b.ID, q)
		noErr(t, "ListBroadcastRecipients", err)
		return p.Items
	}
	all := list(herald.ListQuery{})
	var got []string
	for _, x := range all {
		got = append(got, fmt.Sprintf("%d:%s:%d:%s:%s", x.Seq, x.Result, x.Step, x.Channel, x.Status))
	}
	equal(t, "results", got, []string{"1:successful:0:sms:delivered", "2:unsuccessful:1:email:undelivered", "3:in_progress:0:sms:sent",
		"4:unsuccessful:0:sms:canceled", "5:not_initiated:0:channel(0):", "6:not_initiated:0:channel(0):"})
	if all[1].UpdatedAt == nil || !all[1].UpdatedAt.Equal(at.Add(time.Second)) {
		t.Errorf("time of the last status = %v, want %v", all[1].UpdatedAt, at.Add(time.Second))
	}
	eq := func(field, value string) herald.Filter {
		return herald.Filter{Field: field, Op: herald.OpEq, Value: value}
	}
	seqs := func(items []herald.BroadcastRecipient) []int64 {
		out := []int64{}
		for _, x := range items {
			out = append(out, x.Seq)
		}
		return out
	}
	equal(t, "unsuccessful", seqs(list(herald.ListQuery{Filters: []herald.Filter{eq("result", "unsuccessful")}})), []int64{2, 4})
	equal(t, "not initiated", seqs(list(herald.ListQuery{Filters: []herald.Filter{eq("result", "not_initiated")}})), []int64{5, 6})
	equal(t, "on SMS", seqs(list(herald.ListQuery{Filters: []herald.Filter{eq("channel", "sms")}})), []int64{1, 3, 4})
	equal(t, "unsuccessful on email", seqs(list(herald.ListQuery{Filters: []herald.Filter{eq("result", "unsuccessful"), eq("channel", "email")}})), []int64{2})
	equal(t, "sorted by result", seqs(list(herald.ListQuery{Sort: "result", Limit: 2})), []int64{3, 5})

	// Keyset pages cover every recipient once.
	var paged []int64
	q := herald.ListQuery{Limit: 4}
	for range 3 {
		p, err := f.s.ListBroadcastRecipients(ctx, f.account.ID, b.ID, q)
		noErr(t, "ListBroadcastRecipients page", err)
		paged = append(paged, seqs(p.Items)...)
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	equal(t, "pages", paged, []int64{1, 2, 3, 4, 5, 6})

	var streamed []int64
	noErr(t, "EachBroadcastRecipient", f.s.EachBroadcastRecipient(ctx, f.account.ID, b.ID,
		herald.ListQuery{Filters: []herald.Filter{eq("result", "successful")}}, func(x *herald.BroadcastRecipient) error {
			streamed = append(streamed, x.Seq)
			return nil
		}))
	equal(t, "streamed successful", streamed, []int64{1})

	_, err = f.s.ListBroadcastRecipients(ctx, g.account.ID, b.ID, herald.ListQuery{})
	wantCode(t, "another account's broadcast", err, herald.ENOTFOUND)
	err = f.s.EachBroadcastRecipient(ctx, g.account.ID, b.ID, herald.ListQuery{}, func(*herald.BroadcastRecipient) error { return nil })
	wantCode(t, "exporting another account's broadcast", err, herald.ENOTFOUND)

	// The moderation queue spans accounts and filters by account.
	toModeration := store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastDraft}, To: herald.BroadcastModeration, Action: "Sent broadcast to moderation"}
	mine := &herald.Broadcast{AccountID: f.account.ID, Name: "mine", Steps: smsSteps()}
	theirs := &herald.Broadcast{AccountID: g.account.ID, Name: "theirs", Steps: smsSteps()}
	for _, m := range []*herald.Broadcast{mine, theirs} {
		noErr(t, "CreateBroadcast", f.s.CreateBroadcast(ctx, m))
		_, err := f.s.ChangeBroadcast(ctx, m.AccountID, m.ID, toModeration)
		noErr(t, "to moderation", err)
	}
	queue, err := f.s.ListModeration(ctx, herald.ListQuery{})
	noErr(t, "ListModeration", err)
	equal(t, "queue", len(queue.Items), 2)
	queue, err = f.s.ListModeration(ctx, herald.ListQuery{Filters: []herald.Filter{eq("accountId", fmt.Sprint(g.account.ID))}})
	noErr(t, "ListModeration by account", err)
	if len(queue.Items) != 1 || queue.Items[0].ID != theirs.ID || queue.Items[0].AccountID != g.account.ID {
		t.Errorf("queue of %s = %+v", g.account.Name, queue.Items)
	}
}
