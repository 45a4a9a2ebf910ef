package broadcast_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// TestFallbackWithRCSCheck sends an RCS-then-SMS broadcast to contacts of
// whom some are not RCS capable and one opted out of RCS: the snapshot is
// taken at launch, RCS falls back to SMS for the incapable and the opted
// out, the statistics fill in, the contacts' RCS fields are updated and a
// second run skips RCS for those known incapable.
func TestFallbackWithRCSCheck(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		cs := h.contacts(1, 10, "vip")
		incapable := h.contact("+34600020004", "vip") // not RCS capable
		incapable2 := h.contact("+34600030004", "vip")
		must(t, h.s.AddOptOut(h.ctx, herald.OptOut{AccountID: h.account.ID, ContactID: cs[0].ID, Channel: herald.ChannelRCS, By: "api"}))
		b := &herald.Broadcast{AccountID: h.account.ID, Name: "Spring", Steps: rcsThenSMS(30), RCSCheck: true,
			Recipients: herald.Recipients{Tags: []string{"vip"}}}
		b, err := h.svc.Create(h.ctx, b, true)
		must(t, err)
		if b.Status != herald.BroadcastInProgress || b.Contacts != 12 {
			t.Fatalf("launched = %+v", b)
		}
		h.contacts(50, 1, "vip") // after launch: not in this run
		done := h.waitStatus(b.ID, herald.BroadcastComplete)
		if want := (herald.FallbackStats{Total: 12, Initiated: 12, Successful: 12}); done.Stats != want {
			t.Errorf("stats = %+v, want %+v", done.Stats, want)
		}
		var stats []herald.ChannelStats
		h.waitFor("the read receipts", func() bool { // they follow the deliveries that complete the chains
			var err error
			stats, err = h.s.BroadcastChannelStats(h.ctx, h.account.ID, b.ID)
			must(t, err)
			return stats[0].Seen == 9
		})
		rcs, sms := stats[0], stats[1]
		if rcs.Channel != herald.ChannelRCS || rcs.Sent != 9 || rcs.Delivered != 9 || rcs.Seen != 9 || rcs.Failed != 3 {
			t.Errorf("RCS stats = %+v; want 9 sent, delivered and seen, 3 failed (2 incapable, 1 opted out)", rcs)
		}
		if sms.Channel != herald.ChannelSMS || sms.Sent != 3 || sms.Delivered != 3 {
			t.Errorf("SMS stats = %+v; want 3 sent and delivered", sms)
		}
		for _, r := range h.recipients(b.ID) {
			wantCh := herald.ChannelRCS
			if r.ContactID == cs[0].ID || r.ContactID == incapable.ID || r.ContactID == incapable2.ID {
				wantCh = herald.ChannelSMS
			}
			if r.Outcome != herald.ChainSucceeded || r.Channel != wantCh {
				t.Errorf("recipient %s: outcome %s on %s, want succeeded on %s", r.Phone, r.Outcome, r.Channel, wantCh)
			}
		}
		c, err := h.s.Contact(h.ctx, h.account.ID, incapable.ID)
		must(t, err)
		if c.RCSCapable == nil || *c.RCSCapable || c.RCSChecked == nil {
			t.Errorf("incapable contact's RCS fields = %v %v", c.RCSCapable, c.RCSChecked)
		}
		c, _ = h.s.Contact(h.ctx, h.account.ID, cs[1].ID)
		if c.RCSCapable == nil || !*c.RCSCapable {
			t.Errorf("capable contact's RCS field = %v", c.RCSCapable)
		}
		h.waitFor("the complete event", func() bool {
			got := h.events.statuses(b.ID)
			return len(got) >= 2 && got[0] == herald.BroadcastInProgress && got[len(got)-1] == herald.BroadcastComplete
		})

		// A second run skips RCS for the contacts known to be incapable.
		again, err := h.svc.Copy(h.ctx, h.account.ID, b.ID)
		must(t, err)
		again, err = h.svc.Launch(h.ctx, h.account.ID, again.ID, herald.LaunchAPI)
		must(t, err)
		h.waitStatus(again.ID, herald.BroadcastComplete)
		stats, _ = h.s.BroadcastChannelStats(h.ctx, h.account.ID, again.ID)
		if stats[0].Failed != 1 || stats[0].Sent != 10 {
			t.Errorf("second run's RCS stats = %+v; want only the opted-out contact failing", stats[0])
		}
	})
}

// TestPauseResumeAbortRelaunch pauses a broadcast, resumes it, aborts
// another, and relaunches for the contacts whose chains failed.
func TestPauseResumeAbortRelaunch(t *testing.T) {
	h := newHarness(t, storetestSQLite(t), 5)
	h.contacts(1, 40, "all")
	for i := range 4 { // undelivered on every channel
		h.contact(fmt.Sprintf("+346100%d0002", i), "all")
	}
	sms := []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hi"}`), WaitingTime: 10}}
	b, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "slow", Steps: sms,
		Recipients: herald.Recipients{Tags: []string{"all"}}}, true)
	must(t, err)
	p, err := h.svc.Pause(h.ctx, h.account.ID, b.ID)
	must(t, err)
	if p.Status != herald.BroadcastPaused {
		t.Fatalf("paused = %+v", p)
	}
	_, err = h.svc.Pause(h.ctx, h.account.ID, b.ID)
	if herald.ErrorCode(err) != herald.ECONFLICT {
		t.Errorf("pausing twice = %v", err)
	}
	_, err = h.svc.Resume(h.ctx, h.account.ID, b.ID)
	must(t, err)
	done := h.waitStatus(b.ID, herald.BroadcastComplete)
	if done.Stats.Successful != 40 || done.Stats.Unsuccessful != 4 {
		t.Fatalf("stats = %+v", done.Stats)
	}

	re, err := h.svc.RelaunchFailed(h.ctx, h.account.ID, b.ID, herald.LaunchManual)
	must(t, err)
	if re.Contacts != 4 || re.ParentID != b.ID || re.Recipients.FailedOf != b.ID {
		t.Fatalf("relaunch = %+v", re)
	}
	h.waitStatus(re.ID, herald.BroadcastComplete)

	// Abort: the contacts not reached yet are never sent to.
	big, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "big", Steps: sms,
		Recipients: herald.Recipients{Tags: []string{"all"}}}, true)
	must(t, err)
	ab, err := h.svc.Abort(h.ctx, h.account.ID, big.ID)
	must(t, err)
	if ab.Status != herald.BroadcastAborted || ab.FinishedAt == nil {
		t.Fatalf("aborted = %+v", ab)
	}
	time.Sleep(300 * time.Millisecond)
	after, _ := h.s.Broadcast(h.ctx, h.account.ID, big.ID)
	if after.Status != herald.BroadcastAborted || after.Stats.Initiated == after.Contacts {
		t.Errorf("after abort = %+v", after)
	}
	_, err = h.svc.Resume(h.ctx, h.account.ID, big.ID)
	if herald.ErrorCode(err) != herald.ECONFLICT {
		t.Errorf("resuming an aborted broadcast = %v", err)
	}
}

// TestRestartWithoutDuplicates kills the runner and the engine in the
// middle of a broadcast and starts them again: every contact gets its
// message exactly once and none is forgotten.
func TestRestartWithoutDuplicates(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		h.batch = 20
		h.restart(false)
		h.contacts(1, 300, "all")
		sms := []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hi"}`), WaitingTime: 10}}
		b, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "crash", Steps: sms,
			Recipients: herald.Recipients{Tags: []string{"all"}}}, true)
		must(t, err)
		h.waitFor("some recipients sent", func() bool {
			got, _ := h.s.Broadcast(h.ctx, h.account.ID, b.ID)
			return got.Stats.Initiated >= 40
		})
		h.restart(true)
		done := h.waitStatus(b.ID, herald.BroadcastComplete)
		if done.Stats.Initiated != 300 || done.Stats.Successful != 300 {
			t.Fatalf("stats = %+v", done.Stats)
		}
		seen := map[string]bool{}
		for _, r := range h.recipients(b.ID) {
			if r.ChainID == "" || seen[r.ChainID] || r.Status != herald.StatusDelivered {
				t.Fatalf("recipient %+v: no chain, a chain twice, or not delivered", r)
			}
			seen[r.ChainID] = true
		}
		inbox, err := h.e.SandboxInbox(h.ctx, h.account.ID, "", 1000)
		must(t, err)
		perPhone := map[string]int{}
		for _, m := range inbox {
			perPhone[m.Destination]++
		}
		if len(perPhone) != 300 {
			t.Errorf("%d devices received a message, want 300", len(perPhone))
		}
		for phone, n := range perPhone {
			if n != 1 {
				t.Errorf("%s received %d messages", phone, n)
			}
		}
	})
}

// TestBadInput checks that launching with bad input is refused before
// anything is saved or sent.
func TestBadInput(t *testing.T) {
	h := newHarness(t, storetestSQLite(t), 500)
	h.contacts(1, 2, "vip")
	past := time.Now().Add(-time.Hour)
	steps := func() []herald.BroadcastStep { return rcsThenSMS(60) }
	cases := []struct {
		name   string
		b      *herald.Broadcast
		field  string
		code   string
		mutate func(b *herald.Broadcast)
	}{
		{"no recipients", &herald.Broadcast{Steps: steps()}, "recipients", herald.VRequired, nil},
		{"recipients select nobody", &herald.Broadcast{Steps: steps(), Recipients: herald.Recipients{Tags: []string{"nobody"}}}, "recipients", herald.VRequired, nil},
		{"no sender", &herald.Broadcast{Steps: steps()}, "steps[1].senderId", herald.VRequired, func(b *herald.Broadcast) { b.Steps[1].SenderID = "" }},
		{"unknown sender", &herald.Broadcast{Steps: steps()}, "steps[0].senderId", herald.VUnknown, func(b *herald.Broadcast) { b.Steps[0].SenderID = "nope" }},
		{"not an attribute", &herald.Broadcast{Steps: steps()}, "steps[0].payload", herald.VUnknown,
			func(b *herald.Broadcast) { b.Steps[0].Payload = json.RawMessage(`{"text":"{{attribute.Shoe size}}"}`) }},
		{"a parameter", &herald.Broadcast{Steps: steps()}, "steps[1].template.params.code", herald.VRequired,
			func(b *herald.Broadcast) { b.Steps[1].Payload = json.RawMessage(`{"text":"Your code {{code}}"}`) }},
		{"short wait", &herald.Broadcast{Steps: steps()}, "steps[0].waitingTime", herald.VRange, func(b *herald.Broadcast) { b.Steps[0].WaitingTime = 5 }},
		{"long wait", &herald.Broadcast{Steps: steps()}, "steps[1].waitingTime", herald.VRange, func(b *herald.Broadcast) { b.Steps[1].WaitingTime = 73 * 3600 }},
		{"in the past", &herald.Broadcast{Steps: steps(), ScheduledAt: &past}, "scheduledAt", herald.VRange, nil},
		{"chatbot", &herald.Broadcast{Type: herald.BroadcastChatbot, ChatbotID: 3, Steps: steps()[:1]}, "chatbotId", herald.VUnknown, nil},
	}
	for _, c := range cases {
		c.b.AccountID, c.b.Name = h.account.ID, c.name
		if c.b.Recipients.Empty() && c.field != "recipients" {
			c.b.Recipients = herald.Recipients{Tags: []string{"vip"}}
		}
		if c.mutate != nil {
			c.mutate(c.b)
		}
		_, err := h.svc.Create(h.ctx, c.b, true)
		if !hasViolation(err, c.field, c.code) {
			t.Errorf("%s: %v; want %s %s", c.name, err, c.field, c.code)
		}
	}
	page, err := h.s.ListBroadcasts(h.ctx, h.account.ID, herald.ListQuery{})
	must(t, err)
	if len(page.Items) != 0 {
		t.Errorf("refused launches saved %d broadcasts", len(page.Items))
	}
	inbox, _ := h.e.SandboxInbox(h.ctx, h.account.ID, "", 10)
	if len(inbox) != 0 {
		t.Errorf("refused launches sent %d messages", len(inbox))
	}
}

// TestScheduledAndModerated schedules a broadcast (launched by its job),
// moderates another, and runs a template on its schedule.
func TestScheduledAndModerated(t *testing.T) {
	h := newHarness(t, storetestSQLite(t), 500)
	h.contacts(1, 3, "vip")
	sms := []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hi"}`), WaitingTime: 10}}
	at := time.Now().Add(700 * time.Millisecond)
	b, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "later", Steps: sms, ScheduledAt: &at,
		Recipients: herald.Recipients{Tags: []string{"vip"}}}, true)
	must(t, err)
	if b.Status != herald.BroadcastScheduled {
		t.Fatalf("scheduled = %+v", b)
	}
	done := h.waitStatus(b.ID, herald.BroadcastComplete)
	if done.LaunchedAt.Before(at.Add(-time.Millisecond)) || done.Stats.Successful != 3 {
		t.Errorf("scheduled broadcast = %+v", done)
	}

	must(t, h.s.SetBroadcastModeration(h.ctx, h.account.ID, true))
	m, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "moderated", Steps: sms,
		Recipients: herald.Recipients{Tags: []string{"vip"}}}, true)
	must(t, err)
	if m.Status != herald.BroadcastModeration {
		t.Fatalf("with moderation = %+v", m)
	}
	if _, err := h.svc.Approve(h.ctx, h.account.ID, m.ID); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Errorf("approval by the account's user = %v", err)
	}
	owner := herald.WithActor(context.Background(), herald.Actor{Login: "admin", SystemOwner: true})
	_, err = h.svc.Reject(owner, h.account.ID, m.ID, "")
	if !hasViolation(err, "reason", herald.VRequired) {
		t.Errorf("rejecting without a reason = %v", err)
	}
	r, err := h.svc.Reject(owner, h.account.ID, m.ID, "Mentions a competitor.")
	must(t, err)
	if r.Status != herald.BroadcastRejected || r.Reason != "Mentions a competitor." {
		t.Fatalf("rejected = %+v", r)
	}
	m, err = h.svc.Launch(h.ctx, h.account.ID, m.ID, herald.LaunchManual)
	must(t, err)
	if m.Status != herald.BroadcastModeration {
		t.Fatalf("sent again = %+v", m)
	}
	_, err = h.svc.Approve(owner, h.account.ID, m.ID)
	must(t, err)
	h.waitStatus(m.ID, herald.BroadcastComplete)
	must(t, h.s.SetBroadcastModeration(h.ctx, h.account.ID, false))

	// A template whose schedule is due launches a recurrent run.
	tpl, err := h.svc.CreateTemplate(h.ctx, &herald.BroadcastTemplate{AccountID: h.account.ID, Name: "Daily", Steps: sms,
		Recipients: herald.Recipients{Tags: []string{"vip"}}, Schedule: &herald.Schedule{Kind: herald.ScheduleDaily, Time: "03:00"}})
	must(t, err)
	if tpl.ScheduleStatus != herald.ScheduleActive || tpl.NextLaunchAt == nil {
		t.Fatalf("template = %+v", tpl)
	}
	// Move its next launch to now, as the clock would.
	due := time.Now().Add(-time.Second).UTC().Truncate(time.Microsecond)
	tpl.NextLaunchAt = &due
	must(t, h.s.UpdateBroadcastTemplate(h.ctx, tpl))
	h.waitFor("the template's launch", func() bool {
		must(t, h.svc.LaunchDue(h.ctx))
		got, err := h.s.BroadcastTemplate(h.ctx, h.account.ID, tpl.ID)
		must(t, err)
		return got.Launches == 1
	})
	runs, err := h.s.ListBroadcasts(h.ctx, h.account.ID, herald.ListQuery{Filters: []herald.Filter{{Field: "templateId", Op: herald.OpEq, Value: fmt.Sprint(tpl.ID)}}})
	must(t, err)
	if len(runs.Items) != 1 || runs.Items[0].LaunchType != herald.LaunchRecurrent {
		t.Fatalf("runs = %+v", runs.Items)
	}
	h.waitStatus(runs.Items[0].ID, herald.BroadcastComplete)
	paused, err := h.svc.PauseSchedule(h.ctx, h.account.ID, tpl.ID)
	must(t, err)
	if paused.ScheduleStatus != herald.SchedulePaused || paused.NextLaunchAt != nil {
		t.Errorf("paused schedule = %+v", paused)
	}
	manual, err := h.svc.LaunchTemplate(h.ctx, h.account.ID, tpl.ID, herald.LaunchManual)
	must(t, err)
	if manual.TemplateID != tpl.ID || manual.LaunchType != herald.LaunchManual {
		t.Errorf("manual launch = %+v", manual)
	}
}

// TestRCSCapabilityCheck runs a broadcast of the RCS capability check
// type: nothing is sent, each contact's device is asked about, and the
// answers land on the contacts and in the statistics.
func TestRCSCapabilityCheck(t *testing.T) {
	h := newHarness(t, storetestSQLite(t), 500)
	capable := h.contacts(1, 3, "check")
	incapable := h.contact("+34600050004", "check")
	b, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "check", Type: herald.BroadcastRCSCheck,
		Steps: []herald.BroadcastStep{{Channel: herald.ChannelRCS, SenderID: "sandbox"}}, Recipients: herald.Recipients{Tags: []string{"check"}}}, true)
	must(t, err)
	done := h.waitStatus(b.ID, herald.BroadcastComplete)
	if want := (herald.FallbackStats{Total: 4, Initiated: 4, Successful: 3, Unsuccessful: 1}); done.Stats != want {
		t.Errorf("stats = %+v, want %+v", done.Stats, want)
	}
	c, err := h.s.Contact(h.ctx, h.account.ID, incapable.ID)
	must(t, err)
	if c.RCSCapable == nil || *c.RCSCapable {
		t.Errorf("incapable contact = %v", c.RCSCapable)
	}
	c, _ = h.s.Contact(h.ctx, h.account.ID, capable[0].ID)
	if c.RCSCapable == nil || !*c.RCSCapable || c.RCSChecked == nil {
		t.Errorf("capable contact = %v %v", c.RCSCapable, c.RCSChecked)
	}
	inbox, _ := h.e.SandboxInbox(h.ctx, h.account.ID, "", 10)
	if len(inbox) != 0 {
		t.Errorf("a capability check sent %d messages", len(inbox))
	}
}

// TestSnapshotWithoutRunner checks a launch in a process whose runner is
// not running, which copies the recipients in its own transaction: a
// contact created after the launch is not sent to, the typed numbers that
// are no contact's come last, and a runner started later sends to every
// recipient once.
func TestSnapshotWithoutRunner(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		h.batch = 10
		h.restart(false)
		h.contacts(1, 95, "all")
		h.runner.Stop() // nothing is copied until the late contact exists
		sms := []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hi {{attribute.Name}}"}`),
			WaitingTime: 10}}
		b, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "chunks", Steps: sms,
			Recipients: herald.Recipients{Tags: []string{"all"}, Phones: []string{"+34699999999"}}}, true)
		must(t, err)
		if b.Contacts != 96 {
			t.Fatalf("launched with %d contacts, want 96", b.Contacts)
		}
		late := h.contact("+34688888889", "all")
		h.restart(false)
		done := h.waitStatus(b.ID, herald.BroadcastComplete)
		if done.Contacts != 96 || done.Stats.Initiated != 96 || done.Stats.Successful != 96 {
			t.Fatalf("contacts %d, stats %+v; want 96 reached", done.Contacts, done.Stats)
		}
		rs := h.recipients(b.ID)
		if len(rs) != 96 {
			t.Fatalf("%d recipients, want 96", len(rs))
		}
		chains := map[string]bool{}
		for i, r := range rs {
			if r.Phone == late.Phone {
				t.Errorf("the contact created after the launch is recipient %d", i+1)
			}
			if r.ChainID == "" || chains[r.ChainID] {
				t.Errorf("recipient %+v: no chain or a chain twice", r)
			}
			chains[r.ChainID] = true
		}
		if last := rs[len(rs)-1]; last.Phone != "+34699999999" || last.ContactID != 0 {
			t.Errorf("last recipient = %+v, want the typed number", last)
		}
	})
}

// TestSnapshotIsTheLaunch checks that the recipients the runner copies in
// chunks while it sends are the contacts as they were at the launch: a
// contact changed, one untagged and one created just after the launch
// change nothing; the typed number that is no contact's comes last.
func TestSnapshotIsTheLaunch(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		h.batch = 10
		h.restart(false)
		cs := h.contacts(1, 95, "all")
		sms := []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hi {{attribute.Name}}"}`),
			WaitingTime: 10}}
		b, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "view", Steps: sms,
			Recipients: herald.Recipients{Tags: []string{"all"}, Phones: []string{"+34699999999"}}}, true)
		must(t, err)
		changed, untagged := cs[94], cs[93]
		changed.Attributes = map[string]string{"Name": "Changed"}
		must(t, h.s.UpdateContact(h.ctx, changed))
		untagged.Tags = []string{}
		must(t, h.s.UpdateContact(h.ctx, untagged))
		late := h.contact("+34688888889", "all")
		done := h.waitStatus(b.ID, herald.BroadcastComplete)
		if done.Contacts != 96 || done.Stats.Successful != 96 {
			t.Fatalf("contacts %d, stats %+v; want 96 reached", done.Contacts, done.Stats)
		}
		rs := h.recipients(b.ID)
		if last := rs[len(rs)-1]; last.Phone != "+34699999999" || last.ContactID != 0 {
			t.Errorf("last recipient = %+v, want the typed number", last)
		}
		texts := map[string]string{}
		for _, r := range rs[:len(rs)-1] {
			m, err := h.s.Message(h.ctx, h.account.ID, r.MessageID)
			must(t, err)
			texts[r.Phone] = string(m.Payload)
		}
		if _, ok := texts[late.Phone]; ok || len(texts) != 95 {
			t.Errorf("%d recipients (the late contact among them: %v), want the 95 of the launch", len(texts), ok)
		}
		if !strings.Contains(texts[changed.Phone], "Hi N") || !strings.Contains(texts[untagged.Phone], "Hi N") {
			t.Errorf("changed contact got %s, untagged contact got %s; want their data at the launch", texts[changed.Phone], texts[untagged.Phone])
		}
	})
}

// TestSnapshotFirstWindow checks the recipients copied when the contacts'
// IDs span more than the first chunk's window (its first read covers only
// the next IDs, checking tags contact by contact): a tag whose contacts
// are few inside the window and more after it, and one whose contacts
// fill the first chunk inside it and come again after it, each reach
// every tagged contact once, in contact order, as many as the launch
// counted. A tag whose contacts all come after the IDs where the launch
// looks for a first recipient one by one (existsWindow) launches too, and
// a tag of no contact does not.
func TestSnapshotFirstWindow(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		h.batch = 10
		h.restart(false)
		const n = 2200 // IDs over the launch's window (2,048) and many times the first chunk's (firstWindow, 32 per recipient of a batch of 10)
		want := map[string][]string{}
		for from := 0; from < n; from += 500 {
			var batch []herald.Contact
			for i := from; i < from+500; i++ {
				c := herald.Contact{AccountID: h.account.ID, Phone: fmt.Sprintf("+346%07d9", i), Attributes: map[string]string{"Name": "N"}}
				if i%97 == 0 || i >= n-25 {
					c.Tags = append(c.Tags, "sparse")
					want["sparse"] = append(want["sparse"], c.Phone)
				}
				if i < 40 || i >= n-5 {
					c.Tags = append(c.Tags, "dense")
					want["dense"] = append(want["dense"], c.Phone)
				}
				if i >= n-3 {
					c.Tags = append(c.Tags, "late")
					want["late"] = append(want["late"], c.Phone)
				}
				batch = append(batch, c)
			}
			res, err := h.s.UpsertContacts(h.ctx, h.account.ID, batch, herald.DupSkip)
			must(t, err)
			if len(res.Errors) > 0 {
				t.Fatalf("creating contacts: %+v", res.Errors[0])
			}
		}
		sms := []herald.BroadcastStep{{Channel: herald.ChannelSMS, SenderID: "sandbox", Payload: json.RawMessage(`{"text":"Hi"}`)}}
		_, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: "none", Steps: sms,
			Recipients: herald.Recipients{Tags: []string{"nobody"}}}, true)
		if herald.ErrorCode(err) != herald.EINVALID {
			t.Fatalf("launching to a tag of no contact: %v, want EINVALID", err)
		}
		for _, tag := range []string{"sparse", "dense", "late"} {
			b, err := h.svc.Create(h.ctx, &herald.Broadcast{AccountID: h.account.ID, Name: tag, Steps: sms,
				Recipients: herald.Recipients{Tags: []string{tag}}}, true)
			must(t, err)
			if b.Contacts != len(want[tag]) {
				t.Fatalf("%s: launched with %d contacts, want %d", tag, b.Contacts, len(want[tag]))
			}
			done := h.waitStatus(b.ID, herald.BroadcastComplete)
			if done.Contacts != len(want[tag]) || done.Stats.Successful != len(want[tag]) {
				t.Fatalf("%s: contacts %d, stats %+v; want %d reached", tag, done.Contacts, done.Stats, len(want[tag]))
			}
			var got []string
			for _, r := range h.recipients(b.ID) {
				got = append(got, r.Phone)
			}
			if !slices.Equal(got, want[tag]) {
				t.Errorf("%s: recipients %v,\nwant %v", tag, got, want[tag])
			}
		}
	})
}
