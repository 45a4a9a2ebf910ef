package schedule

import (
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// launches returns the first n launches of s after after.
func launches(t *testing.T, s *herald.Schedule, loc *time.Location, after time.Time, n int) []time.Time {
	t.Helper()
	if vs := Check(s, ""); len(vs) > 0 {
		t.Fatalf("Check(%+v) = %v", s, vs)
	}
	var out []time.Time
	for range n {
		next, ok, err := Next(s, loc, after)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		out = append(out, next)
		after = next
	}
	return out
}

// wall formats times in loc for comparison.
func wall(ts []time.Time, loc *time.Location) []string {
	out := make([]string, len(ts))
	for i, x := range ts {
		out[i] = x.In(loc).Format("2006-01-02 15:04 MST")
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}

func TestDailyInAccountTimeZone(t *testing.T) {
	tokyo := mustLoc(t, "Asia/Tokyo")
	s := &herald.Schedule{Kind: herald.ScheduleDaily, Time: "09:00"}
	after := time.Date(2026, 5, 1, 1, 0, 0, 0, time.UTC) // 10:00 in Tokyo: today's 09:00 has passed
	got := launches(t, s, tokyo, after, 2)
	equal(t, "daily in Tokyo", wall(got, tokyo), []string{"2026-05-02 09:00 JST", "2026-05-03 09:00 JST"})
	if got[0] != time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC) {
		t.Errorf("first launch %v is not 00:00 UTC", got[0])
	}
}

func TestDailyAcrossDST(t *testing.T) {
	madrid := mustLoc(t, "Europe/Madrid")
	s := &herald.Schedule{Kind: herald.ScheduleDaily, Time: "02:30"}
	spring := time.Date(2026, 3, 28, 12, 0, 0, 0, madrid)
	equal(t, "spring forward", wall(launches(t, s, madrid, spring, 3), madrid),
		[]string{"2026-03-29 03:30 CEST", "2026-03-30 02:30 CEST", "2026-03-31 02:30 CEST"})
	autumn := time.Date(2026, 10, 24, 12, 0, 0, 0, madrid)
	equal(t, "fall back: the first 02:30 only", wall(launches(t, s, madrid, autumn, 2), madrid),
		[]string{"2026-10-25 02:30 CEST", "2026-10-26 02:30 CET"})
	nine := &herald.Schedule{Kind: herald.ScheduleDaily, Time: "09:00"}
	got := launches(t, nine, madrid, spring, 2)
	if d := got[1].Sub(got[0]); d != 24*time.Hour {
		t.Errorf("09:00 to 09:00 after the change = %v, want 24h", d)
	}
	if d := got[0].Sub(spring); d != 20*time.Hour {
		t.Errorf("12:00 to the next 09:00 across the change = %v, want 20h (one hour lost)", d)
	}
}

func TestWeeklyAndMonthly(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	after := time.Date(2026, 1, 28, 12, 0, 0, 0, ny) // a Wednesday
	weekly := &herald.Schedule{Kind: herald.ScheduleWeekly, Time: "08:15", Weekdays: []int{1, 5}}
	equal(t, "Mondays and Fridays", wall(launches(t, weekly, ny, after, 3), ny),
		[]string{"2026-01-30 08:15 EST", "2026-02-02 08:15 EST", "2026-02-06 08:15 EST"})
	monthly := &herald.Schedule{Kind: herald.ScheduleMonthly, Time: "18:00", MonthDays: []int{15, 31}}
	equal(t, "15th and last day", wall(launches(t, monthly, ny, after, 4), ny),
		[]string{"2026-01-31 18:00 EST", "2026-02-15 18:00 EST", "2026-02-28 18:00 EST", "2026-03-15 18:00 EDT"})
}

func TestCron(t *testing.T) {
	madrid := mustLoc(t, "Europe/Madrid")
	s := &herald.Schedule{Kind: herald.ScheduleCron, Cron: "0 9 * * 1-5"}
	after := time.Date(2026, 3, 27, 10, 0, 0, 0, madrid) // a Friday
	equal(t, "weekdays at nine", wall(launches(t, s, madrid, after, 2), madrid), []string{"2026-03-30 09:00 CEST", "2026-03-31 09:00 CEST"})
	night := &herald.Schedule{Kind: herald.ScheduleCron, Cron: "30 2 * * *"}
	autumn := time.Date(2026, 10, 24, 12, 0, 0, 0, madrid)
	equal(t, "the repeated hour launches once", wall(launches(t, night, madrid, autumn, 2), madrid),
		[]string{"2026-10-25 02:30 CEST", "2026-10-26 02:30 CET"})
	for _, bad := range []string{"61 * * * *", "* * *", "TZ=UTC 0 9 * * *"} {
		if vs := Check(&herald.Schedule{Kind: herald.ScheduleCron, Cron: bad}, "schedule."); !vs.Has("schedule.cron") {
			t.Errorf("Check(%q) = %v, want a cron violation", bad, vs)
		}
	}
}

func TestOnceAndEffectivePeriod(t *testing.T) {
	at := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	once := &herald.Schedule{Kind: herald.ScheduleOnce, At: &at}
	if got := launches(t, once, time.UTC, at.Add(-time.Hour), 3); len(got) != 1 || !got[0].Equal(at) {
		t.Errorf("once = %v", got)
	}
	from, till := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 12, 23, 0, 0, 0, time.UTC)
	daily := &herald.Schedule{Kind: herald.ScheduleDaily, Time: "00:00", From: &from, Till: &till}
	equal(t, "within the effective period", wall(launches(t, daily, time.UTC, at, 10), time.UTC),
		[]string{"2026-06-10 00:00 UTC", "2026-06-11 00:00 UTC", "2026-06-12 00:00 UTC"})
}
