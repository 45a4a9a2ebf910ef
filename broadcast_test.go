package herald

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// hasViolation reports whether err names field with code.
func hasViolation(err error, field, code string) bool {
	for _, v := range ErrorViolations(err) {
		if v.Field == field && v.Code == code {
			return true
		}
	}
	return false
}

func TestBroadcastValidate(t *testing.T) {
	b := &Broadcast{Name: "  Spring sale ", Recipients: Recipients{Phones: []string{"+34600111222, +34600111333\n+34600111444", " "}, Tags: []string{" vip ", "vip"}},
		Steps: []BroadcastStep{{Channel: ChannelRCS, SenderID: " brand "}, {Channel: ChannelSMS, SenderID: "brand", WaitingTime: 60, Criterion: CriterionSubmit}}}
	if err := b.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	if b.Name != "Spring sale" || b.Type != BroadcastFallback || b.LaunchType != LaunchManual {
		t.Errorf("defaults: %+v", b)
	}
	if got := strings.Join(b.Recipients.Phones, " "); got != "+34600111222 +34600111333 +34600111444" {
		t.Errorf("phones = %q", got)
	}
	if len(b.Recipients.Tags) != 1 || b.Steps[0].SenderID != "brand" || b.Steps[0].Criterion != CriterionDelivery || b.Steps[0].WaitingTime != DefaultWaitingTime {
		t.Errorf("steps and tags: %+v %+v", b.Steps, b.Recipients.Tags)
	}

	bad := &Broadcast{Name: "", Type: "radio", Steps: []BroadcastStep{
		{Channel: 99}, {Channel: ChannelSMS, WaitingTime: 5}, {Channel: ChannelSMS, WaitingTime: 73 * 3600, Criterion: "maybe"},
		{Channel: ChannelViber, Payload: json.RawMessage(`{"text":"x"}`), Template: &TemplateRef{ID: 1}}}}
	err := bad.Validate()
	for _, want := range [][2]string{{"name", VRequired}, {"type", VUnknown}, {"steps[0].channel", VUnknown},
		{"steps[1].waitingTime", VRange}, {"steps[2].waitingTime", VRange}, {"steps[2].channel", VTaken},
		{"steps[2].successCriterion", VUnknown}, {"steps[3].template", VFormat}} {
		if !hasViolation(err, want[0], want[1]) {
			t.Errorf("Validate() = %v; want %s %s", err, want[0], want[1])
		}
	}
}

func TestBroadcastCheckLaunch(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	past := now.Add(-time.Minute)
	b := &Broadcast{Name: "x", ScheduledAt: &past, Steps: []BroadcastStep{{Channel: ChannelSMS}}}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	err := b.CheckLaunch(now)
	for _, want := range [][2]string{{"recipients", VRequired}, {"steps[0].senderId", VRequired},
		{"steps[0].payload", VRequired}, {"scheduledAt", VRange}} {
		if !hasViolation(err, want[0], want[1]) {
			t.Errorf("CheckLaunch() = %v; want %s %s", err, want[0], want[1])
		}
	}
	future := now.Add(time.Hour)
	ok := &Broadcast{Name: "x", ScheduledAt: &future, Recipients: Recipients{TargetIDs: []int64{3}},
		Steps: []BroadcastStep{{Channel: ChannelSMS, SenderID: "s", Payload: json.RawMessage(`{"text":"hi"}`)}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := ok.CheckLaunch(now); err != nil {
		t.Errorf("CheckLaunch() = %v", err)
	}
	check := &Broadcast{Name: "x", Type: BroadcastRCSCheck, Recipients: Recipients{Tags: []string{"a"}},
		Steps: []BroadcastStep{{Channel: ChannelSMS, SenderID: "s"}}}
	if err := check.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := check.CheckLaunch(now); !hasViolation(err, "steps", VFormat) {
		t.Errorf("RCS check with an SMS step: %v", err)
	}
	check.Steps[0].Channel = ChannelRCS
	if err := check.CheckLaunch(now); err != nil {
		t.Errorf("RCS check needs no content: %v", err)
	}
	bot := &Broadcast{Name: "x", Type: BroadcastChatbot, Recipients: Recipients{Tags: []string{"a"}}, Steps: []BroadcastStep{{Channel: ChannelWhatsApp, SenderID: "s"}}}
	if err := bot.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := bot.CheckLaunch(now); !hasViolation(err, "chatbotId", VRequired) {
		t.Errorf("chatbot without chatbot: %v", err)
	}
}

func TestBroadcastStatuses(t *testing.T) {
	for _, s := range BroadcastStatuses() {
		if s.Final() && (s.Running() || s.Editable() || s.Launchable()) {
			t.Errorf("%s is final and more", s)
		}
	}
	if BroadcastInProgress.Label() != "In progress" || BroadcastComplete.Label() != "Complete" {
		t.Errorf("labels: %q %q", BroadcastInProgress.Label(), BroadcastComplete.Label())
	}
}

func TestStatusCounts(t *testing.T) {
	cases := []struct {
		from, to MessageStatus
		want     ChannelStats
	}{
		{StatusQueued, StatusSent, ChannelStats{Sent: 1}},
		{StatusSent, StatusDelivered, ChannelStats{Delivered: 1}},
		{StatusQueued, StatusSeen, ChannelStats{Sent: 1, Delivered: 1, Seen: 1}},
		{StatusDelivered, StatusSeen, ChannelStats{Seen: 1}},
		{StatusSent, StatusUndelivered, ChannelStats{Failed: 1}},
		{StatusQueued, StatusFailed, ChannelStats{Failed: 1}},
		{StatusQueued, StatusRejected, ChannelStats{Failed: 1}},
		{StatusSent, StatusExpired, ChannelStats{Expired: 1}},
		{StatusQueued, StatusCanceled, ChannelStats{}},
	}
	for _, c := range cases {
		if got := StatusCounts(c.from, c.to); got != c.want {
			t.Errorf("StatusCounts(%s, %s) = %+v, want %+v", c.from, c.to, got, c.want)
		}
	}
	s := FallbackStats{Total: 10, Initiated: 8, Successful: 5, Unsuccessful: 2, Skipped: 1}
	s.Fill()
	if s.NotInitiated != 2 || s.InProgress() != 1 || s.Done() || s.Progress() != (Progress{Delivered: 50, Undelivered: 30}) {
		t.Errorf("stats: %+v in progress %d done %v progress %+v", s, s.InProgress(), s.Done(), s.Progress())
	}
	s.Unsuccessful, s.Skipped = 3, 2
	if !s.Done() {
		t.Errorf("%+v is done", s)
	}
}

func TestScheduleValidate(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		s     Schedule
		field string
	}{
		{Schedule{Kind: ScheduleOnce}, "schedule.at"},
		{Schedule{Kind: ScheduleDaily, Time: "24:00"}, "schedule.time"},
		{Schedule{Kind: ScheduleWeekly, Time: "09:00"}, "schedule.weekdays"},
		{Schedule{Kind: ScheduleWeekly, Time: "09:00", Weekdays: []int{7}}, "schedule.weekdays"},
		{Schedule{Kind: ScheduleMonthly, Time: "09:00", MonthDays: []int{0}}, "schedule.monthDays"},
		{Schedule{Kind: ScheduleCron}, "schedule.cron"},
		{Schedule{Kind: "hourly"}, "schedule.kind"},
		{Schedule{Kind: ScheduleDaily, Time: "09:00", From: &from, Till: &from}, "schedule.effectiveTill"},
	}
	for _, c := range cases {
		vs := c.s.Validate("schedule.")
		if !vs.Has(c.field) {
			t.Errorf("Validate(%+v) = %+v; want %s", c.s, vs, c.field)
		}
	}
	ok := Schedule{Kind: ScheduleWeekly, Time: "09:30", Weekdays: []int{5, 1, 1}}
	if vs := ok.Validate(""); len(vs) > 0 || len(ok.Weekdays) != 2 || ok.Weekdays[0] != 1 {
		t.Errorf("Validate() = %v, weekdays %v", vs, ok.Weekdays)
	}
}

func TestTemplateBroadcast(t *testing.T) {
	tpl := &BroadcastTemplate{ID: 7, AccountID: 2, Name: "Weekly", Recipients: Recipients{TargetIDs: []int64{1}},
		Steps: []BroadcastStep{{Channel: ChannelSMS, SenderID: "s"}}, RCSCheck: true}
	if err := tpl.Validate(); err != nil {
		t.Fatal(err)
	}
	b := tpl.Broadcast(LaunchRecurrent)
	b.Recipients.TargetIDs[0] = 99
	b.Steps[0].SenderID = "other"
	if b.TemplateID != 7 || b.LaunchType != LaunchRecurrent || !b.RCSCheck || tpl.Recipients.TargetIDs[0] != 1 || tpl.Steps[0].SenderID != "s" {
		t.Errorf("run %+v shares the template's slices or lacks fields", b)
	}
}
