package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// testBroadcasts checks broadcasts: drafts and edits, the recipient
// snapshot, the runner's claims and commits, statistics, completion,
// abort, relaunch for failed, templates and moderation.
func testBroadcasts(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("Drafts", func(t *testing.T) { testBroadcastDrafts(t, newFixture(t, open, "Acme")) })
	t.Run("Run", func(t *testing.T) { testBroadcastRun(t, newFixture(t, open, "Acme")) })
	t.Run("Templates", func(t *testing.T) { testBroadcastTemplates(t, newFixture(t, open, "Acme")) })
	t.Run("Outcomes", func(t *testing.T) { testBroadcastOutcomes(t, newFixture(t, open, "Acme")) })
}

// smsSteps is a one-step SMS chain.
func smsSteps() []herald.BroadcastStep {
	return []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hi {{attribute.Name}}"}`)}}
}

func testBroadcastDrafts(t *testing.T, f *fixture) {
	g := addFixture(t, f.s, "Other")
	ctx := f.ctx
	b := &herald.Broadcast{AccountID: f.account.ID, Name: " Spring ", Steps: smsSteps(), Recipients: herald.Recipients{Tags: []string{"vip"}}}
	noErr(t, "CreateBroadcast", f.s.CreateBroadcast(ctx, b))
	got, err := f.s.Broadcast(ctx, f.account.ID, b.ID)
	noErr(t, "Broadcast", err)
	equal(t, "stored", []any{got.Name, got.Status, got.Type, got.LaunchType, got.Steps[0].WaitingTime, got.Recipients.Tags, got.CreatedBy},
		[]any{"Spring", herald.BroadcastDraft, herald.BroadcastFallback, herald.LaunchManual, herald.DefaultWaitingTime, []string{"vip"}, "auditor"})
	_, err = f.s.Broadcast(ctx, g.account.ID, b.ID)
	wantCode(t, "another account's broadcast", err, herald.ENOTFOUND)
	wantViolation(t, "CreateBroadcast without a name", f.s.CreateBroadcast(ctx, &herald.Broadcast{AccountID: f.account.ID}), "name", herald.VRequired)

	got.Name, got.Description = "Spring sale", "first run"
	noErr(t, "UpdateBroadcast", f.s.UpdateBroadcast(ctx, got))
	again, _ := f.s.Broadcast(ctx, f.account.ID, b.ID)
	equal(t, "updated", []string{again.Name, again.Description}, []string{"Spring sale", "first run"})

	for i := range 3 {
		noErr(t, "CreateBroadcast", f.s.CreateBroadcast(ctx, &herald.Broadcast{AccountID: f.account.ID, Name: fmt.Sprintf("b%d", i)}))
	}
	page, err := f.s.ListBroadcasts(ctx, f.account.ID, herald.ListQuery{Limit: 2})
	noErr(t, "ListBroadcasts", err)
	if len(page.Items) != 2 || page.Items[0].Name != "b2" || page.Next == "" {
		t.Fatalf("ListBroadcasts = %+v; want the newest two and a next page", page)
	}
	page, err = f.s.ListBroadcasts(ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "name", Op: herald.OpContains, Value: "spring"}}})
	noErr(t, "ListBroadcasts filtered", err)
	equal(t, "filtered", len(page.Items), 1)

	// Status changes check the current status.
	moderated, err := f.s.BroadcastModeration(ctx, f.account.ID)
	noErr(t, "BroadcastModeration", err)
	equal(t, "moderation off by default", moderated, false)
	noErr(t, "SetBroadcastModeration", f.s.SetBroadcastModeration(ctx, f.account.ID, true))
	moderated, _ = f.s.BroadcastModeration(ctx, f.account.ID)
	equal(t, "moderation on", moderated, true)
	_, err = f.s.ChangeBroadcast(ctx, f.account.ID, b.ID, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastDraft},
		To: herald.BroadcastModeration, Action: "Sent broadcast to moderation"})
	noErr(t, "to moderation", err)
	queue, err := f.s.ListModeration(ctx, herald.ListQuery{})
	noErr(t, "ListModeration", err)
	if len(queue.Items) != 1 || queue.Items[0].ID != b.ID || queue.Items[0].AccountID != f.account.ID {
		t.Fatalf("ListModeration = %+v", queue.Items)
	}
	_, err = f.s.ChangeBroadcast(ctx, f.account.ID, b.ID, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastDraft}, To: herald.BroadcastPaused})
	wantCode(t, "pausing a broadcast in moderation", err, herald.ECONFLICT)
	noErr(t, "DeleteBroadcast", f.s.DeleteBroadcast(ctx, f.account.ID, b.ID))
	_, err = f.s.Broadcast(ctx, f.account.ID, b.ID)
	wantCode(t, "deleted", err, herald.ENOTFOUND)
}

// runFixture makes contacts, a target and a tag for a snapshot.
func runFixture(t *testing.T, f *fixture) (target int64) {
	for i := range 6 {
		c := &herald.Contact{Phone: fmt.Sprintf("+3460011100%d", i), Attributes: map[string]string{"Name": fmt.Sprintf("N%d", i)}}
		if i < 3 {
			c.Tags = []string{"vip"}
		}
		if i == 5 {
			c.Identities = map[string]string{"telegram": "tg5"}
		}
		f.createContact(t, c)
	}
	tg := &herald.Target{AccountID: f.account.ID, Name: "fives", Filters: []herald.Filter{{Field: "phone", Op: herald.OpContains, Value: "5"}}}
	noErr(t, "CreateTarget", f.s.CreateTarget(f.ctx, tg))
	return tg.ID
}

func testBroadcastRun(t *testing.T, f *fixture) {
	ctx := f.ctx
	target := runFixture(t, f)
	rec := herald.Recipients{TargetIDs: []int64{target}, Tags: []string{"VIP"}, Phones: []string{"+34600111002", "+34 699 000 001"}}
	n, err := f.s.CountRecipients(ctx, f.account.ID, rec)
	noErr(t, "CountRecipients", err)
	equal(t, "count: three tagged, one by target, one typed number no contact has", n, 5)
	_, err = f.s.CountRecipients(ctx, f.account.ID, herald.Recipients{Phones: []string{"nope"}, TargetIDs: []int64{999}})
	wantViolation(t, "bad number", err, "recipients.phones", herald.VFormat)
	wantViolation(t, "unknown target", err, "recipients.targetIds", herald.VUnknown)

	steps := append(smsSteps(), herald.BroadcastStep{Channel: herald.ChannelTelegram, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"x"}`)})
	b := &herald.Broadcast{AccountID: f.account.ID, Name: "run", Steps: steps, Recipients: rec}
	noErr(t, "CreateBroadcast", f.s.CreateBroadcast(ctx, b))
	empty := &herald.Broadcast{AccountID: f.account.ID, Name: "empty", Steps: smsSteps(), Recipients: herald.Recipients{Tags: []string{"nobody"}}}
	noErr(t, "CreateBroadcast", f.s.CreateBroadcast(ctx, empty))
	launch := store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastDraft}, To: herald.BroadcastInProgress, Launch: true, Action: "Launched broadcast"}
	_, err = f.s.ChangeBroadcast(ctx, f.account.ID, empty.ID, launch)
	wantViolation(t, "launching to nobody", err, "recipients", herald.VRequired)
	got, err := f.s.ChangeBroadcast(ctx, f.account.ID, b.ID, launch)
	noErr(t, "launch", err)
	if got.Contacts != 5 || got.LaunchedAt == nil || got.Status != herald.BroadcastInProgress || got.Stats.NotInitiated != 5 {
		t.Fatalf("launched = %+v", got)
	}
	tg, _ := f.s.Target(ctx, f.account.ID, target)
	equal(t, "target launches", tg.Launches, 1)

	// A contact changed after launch does not change the snapshot.
	cs, _ := f.s.ListContacts(ctx, f.account.ID, herald.ListQuery{})
	first := cs.Items[0]
	first.Attributes = map[string]string{"Name": "Changed"}
	noErr(t, "UpdateContact", f.s.UpdateContact(ctx, &first))

	now := time.Now().UnixMilli()
	claims, err := f.s.ClaimBroadcastRuns(ctx, "runner-1", now, now+10000, 10)
	noErr(t, "ClaimBroadcastRuns", err)
	if len(claims) != 1 || claims[0].Broadcast.ID != b.ID || claims[0].ClaimedSeq != 0 {
		t.Fatalf("claims = %+v", claims)
	}
	other, err := f.s.ClaimBroadcastRuns(ctx, "runner-2", now, now+10000, 10)
	noErr(t, "ClaimBroadcastRuns by another runner", err)
	equal(t, "held broadcasts are not claimed twice", len(other), 0)

	rows, err := f.s.PendingRecipients(ctx, f.account.ID, b.ID, 0, 10)
	noErr(t, "PendingRecipients", err)
	if len(rows) != 5 || rows[0].Attrs["Name"] != "N0" || rows[4].ContactID != 0 || rows[4].Phone != "+34699000001" {
		t.Fatalf("recipients = %+v", rows)
	}
	if rows[3].Identities["telegram"] != "tg5" {
		t.Errorf("identities of the fifth contact = %v", rows[3].Identities)
	}

	// The first batch: two chains started, one skipped.
	mkChain := func(id string) *herald.Chain {
		at := time.Now().UTC().Truncate(time.Microsecond)
		return &herald.Chain{ID: id, AccountID: f.account.ID, BroadcastID: b.ID, CurrentMessageID: id, CreatedAt: at, UpdatedAt: at,
			Steps: []herald.ChainStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Destination: "+346", Payload: []byte(`{}`), Criterion: herald.CriterionDelivery}}}
	}
	batch := []store.RecipientResult{{Seq: 1, State: herald.RecipientInitiated, ChainID: "c1"}, {Seq: 2, State: herald.RecipientInitiated, ChainID: "c2"},
		{Seq: 3, State: herald.RecipientSkipped, Reason: herald.SkipNoAddress}}
	commit := func(runner string, from, to int64, rs []store.RecipientResult, chains ...*herald.Chain) (bool, error) {
		var done bool
		err := f.s.MessageTx(ctx, func(x *store.MessageTx) error {
			if err := x.InsertChains(ctx, chains); err != nil {
				return err
			}
			var err error
			done, err = x.CommitRecipients(ctx, b.ID, runner, from, to, now+20000, rs)
			return err
		})
		return done, err
	}
	_, err = commit("runner-2", 0, 3, batch)
	if !errors.Is(err, store.ErrLostClaim) {
		t.Fatalf("commit by a runner that does not hold it = %v, want ErrLostClaim", err)
	}
	done, err := commit("runner-1", 0, 3, batch, mkChain("c1"), mkChain("c2"))
	noErr(t, "CommitRecipients", err)
	equal(t, "not done", done, false)
	_, err = commit("runner-1", 0, 3, batch)
	if !errors.Is(err, store.ErrLostClaim) {
		t.Fatalf("committing the same batch twice = %v, want ErrLostClaim", err)
	}
	rows, _ = f.s.PendingRecipients(ctx, f.account.ID, b.ID, 3, 10)
	equal(t, "recipients left", len(rows), 2)

	// Statuses arrive: c1 succeeds, counters per channel.
	noErr(t, "AddBroadcastCounts", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		c1 := mkChain("c1")
		c1.Outcome, c1.FinalStatus = herald.ChainSucceeded, herald.StatusDelivered
		if err := x.UpdateChains(ctx, []*herald.Chain{c1}, nil); err != nil {
			return err
		}
		_, err := x.AddBroadcastCounts(ctx, map[int64]*store.BroadcastCounts{b.ID: {Succeeded: 1,
			Channels: map[herald.Channel]herald.ChannelStats{herald.ChannelSMS: {Sent: 2, Delivered: 1}}}})
		return err
	}))
	got, _ = f.s.Broadcast(ctx, f.account.ID, b.ID)
	equal(t, "stats", got.Stats, herald.FallbackStats{Total: 5, NotInitiated: 3, Initiated: 2, Successful: 1, Skipped: 1})
	stats, err := f.s.BroadcastChannelStats(ctx, f.account.ID, b.ID)
	noErr(t, "BroadcastChannelStats", err)
	equal(t, "channel stats in step order", stats, []herald.ChannelStats{{Channel: herald.ChannelSMS, Sent: 2, Delivered: 1}, {Channel: herald.ChannelTelegram}})

	// Abort stops the running chain c2 and counts it unsuccessful.
	got, err = f.s.ChangeBroadcast(ctx, f.account.ID, b.ID, store.BroadcastChange{From: []herald.BroadcastStatus{herald.BroadcastInProgress},
		To: herald.BroadcastAborted, Abort: true, Finish: true, Action: "Aborted broadcast"})
	noErr(t, "abort", err)
	if got.Stats.Unsuccessful != 1 || got.FinishedAt == nil {
		t.Fatalf("aborted = %+v", got)
	}
	_, err = commit("runner-1", 3, 5, nil)
	if !errors.Is(err, store.ErrLostClaim) {
		t.Fatalf("commit after abort = %v, want ErrLostClaim", err)
	}
	ch, err := f.s.Chain(ctx, f.account.ID, "c2")
	noErr(t, "Chain", err)
	equal(t, "c2 canceled", ch.Outcome, herald.ChainCanceled)

	list, err := f.s.ListBroadcastRecipients(ctx, f.account.ID, b.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "state", Op: herald.OpEq, Value: "initiated"}}})
	noErr(t, "ListBroadcastRecipients", err)
	if len(list.Items) != 2 || list.Items[0].ChainID != "c1" || list.Items[1].Outcome != herald.ChainCanceled {
		t.Fatalf("recipients = %+v", list.Items)
	}
	var all int
	noErr(t, "EachBroadcastRecipient", f.s.EachBroadcastRecipient(ctx, f.account.ID, b.ID, herald.ListQuery{}, func(*herald.BroadcastRecipient) error {
		all++
		return nil
	}))
	equal(t, "every recipient streamed", all, 5)

	// Relaunch for failed takes the canceled chain's contact.
	failedOf := herald.Recipients{FailedOf: b.ID}
	n, err = f.s.CountRecipients(ctx, f.account.ID, failedOf)
	noErr(t, "CountRecipients failed", err)
	equal(t, "failed recipients", n, 1)
	re := &herald.Broadcast{AccountID: f.account.ID, Name: "again", Steps: smsSteps(), Recipients: failedOf, ParentID: b.ID}
	noErr(t, "CreateBroadcast", f.s.CreateBroadcast(ctx, re))
	re, err = f.s.ChangeBroadcast(ctx, f.account.ID, re.ID, launch)
	noErr(t, "relaunch", err)
	equal(t, "relaunch contacts", re.Contacts, 1)

	// A run whose every recipient is skipped completes with its last batch.
	claims, err = f.s.ClaimBroadcastRuns(ctx, "runner-1", now, now+10000, 10)
	noErr(t, "ClaimBroadcastRuns", err)
	if len(claims) != 1 || claims[0].Broadcast.ID != re.ID {
		t.Fatalf("claims = %+v", claims)
	}
	noErr(t, "MessageTx", f.s.MessageTx(ctx, func(x *store.MessageTx) error {
		done, err = x.CommitRecipients(ctx, re.ID, "runner-1", 0, 1, now, []store.RecipientResult{{Seq: 1, State: herald.RecipientSkipped, Reason: herald.SkipNoAddress}})
		return err
	}))
	equal(t, "completed", done, true)
	re, _ = f.s.Broadcast(ctx, f.account.ID, re.ID)
	if re.Status != herald.BroadcastComplete || re.FinishedAt == nil {
		t.Fatalf("relaunch = %+v", re)
	}
}

func testBroadcastTemplates(t *testing.T, f *fixture) {
	ctx := f.ctx
	at := time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)
	next := at.Add(24 * time.Hour)
	tpl := &herald.BroadcastTemplate{AccountID: f.account.ID, Name: "Daily", Steps: smsSteps(),
		Recipients: herald.Recipients{TargetIDs: []int64{1}},
		Schedule:   &herald.Schedule{Kind: herald.ScheduleDaily, Time: "09:00"}, ScheduleStatus: herald.ScheduleActive, NextLaunchAt: &at}
	noErr(t, "CreateBroadcastTemplate", f.s.CreateBroadcastTemplate(ctx, tpl))
	got, err := f.s.BroadcastTemplate(ctx, f.account.ID, tpl.ID)
	noErr(t, "BroadcastTemplate", err)
	if got.Schedule == nil || got.Schedule.Time != "09:00" || !got.NextLaunchAt.Equal(at) || got.ScheduleStatus != herald.ScheduleActive {
		t.Fatalf("template = %+v", got)
	}
	wantViolation(t, "bad schedule", f.s.CreateBroadcastTemplate(ctx, &herald.BroadcastTemplate{AccountID: f.account.ID, Name: "x",
		Schedule: &herald.Schedule{Kind: herald.ScheduleDaily, Time: "9"}}), "schedule.time", herald.VFormat)

	mk := func(t *herald.BroadcastTemplate) *herald.Broadcast {
		b := t.Broadcast(herald.LaunchRecurrent)
		b.Status, b.ScheduledAt = herald.BroadcastScheduled, &at
		return b
	}
	var queued []int64
	enqueue := func(_ context.Context, tx any, id int64) error {
		if tx == nil {
			return errors.New("no transaction")
		}
		queued = append(queued, id)
		return nil
	}
	run, err := f.s.LaunchFromTemplate(ctx, f.account.ID, tpl.ID, at, &next, mk, enqueue)
	noErr(t, "LaunchFromTemplate", err)
	if run == nil || run.TemplateID != tpl.ID || run.Status != herald.BroadcastScheduled || len(queued) != 1 || queued[0] != run.ID {
		t.Fatalf("run = %+v, queued %v", run, queued)
	}
	again, err := f.s.LaunchFromTemplate(ctx, f.account.ID, tpl.ID, at, &next, mk, enqueue)
	noErr(t, "LaunchFromTemplate again", err)
	if again != nil {
		t.Fatalf("a launch done already made another run: %+v", again)
	}
	got, _ = f.s.BroadcastTemplate(ctx, f.account.ID, tpl.ID)
	if got.Launches != 1 || got.LastLaunchAt == nil || !got.NextLaunchAt.Equal(next) {
		t.Fatalf("after launch = %+v", got)
	}
	run, err = f.s.LaunchFromTemplate(ctx, f.account.ID, tpl.ID, next, nil, mk, enqueue)
	noErr(t, "last LaunchFromTemplate", err)
	got, _ = f.s.BroadcastTemplate(ctx, f.account.ID, tpl.ID)
	if run == nil || got.ScheduleStatus != herald.ScheduleExpired || got.NextLaunchAt != nil || got.Launches != 2 {
		t.Fatalf("after the last launch = %+v", got)
	}
	got.Name, got.ScheduleStatus = "Daily news", herald.SchedulePaused
	noErr(t, "UpdateBroadcastTemplate", f.s.UpdateBroadcastTemplate(ctx, got))
	page, err := f.s.ListBroadcastTemplates(ctx, f.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "scheduleStatus", Op: herald.OpEq, Value: "paused"}}})
	noErr(t, "ListBroadcastTemplates", err)
	if len(page.Items) != 1 || page.Items[0].Name != "Daily news" || page.Items[0].Launches != 2 {
		t.Fatalf("templates = %+v", page.Items)
	}
	noErr(t, "RecordTemplateLaunch", f.s.RecordTemplateLaunch(ctx, f.account.ID, tpl.ID))
	noErr(t, "DeleteBroadcastTemplate", f.s.DeleteBroadcastTemplate(ctx, f.account.ID, tpl.ID))
	_, err = f.s.BroadcastTemplate(ctx, f.account.ID, tpl.ID)
	wantCode(t, "deleted template", err, herald.ENOTFOUND)
}
