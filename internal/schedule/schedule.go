// Package schedule computes when a broadcast template's schedule launches:
// once, daily, weekly, monthly or by a cron expression, in the account's
// time zone, within the schedule's effective period.
//
// Daylight saving time: a daily, weekly or monthly time that a change
// skips (02:30 on the night clocks go forward) launches at the same wall
// time after the change (03:30); a time that happens twice (on the night
// clocks go back) launches the first time only. Cron expressions follow
// github.com/robfig/cron/v3: a time in the skipped hour does not launch
// that day, and a time in the repeated hour launches once.
package schedule

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/heraldhq/herald"
)

// parser reads five-field cron expressions and descriptors (@daily ...).
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Check returns the violations of s, the shape's and the cron
// expression's, with fields under prefix (such as "schedule.").
func Check(s *herald.Schedule, prefix string) herald.Violations {
	vs := s.Validate(prefix)
	if s.Kind == herald.ScheduleCron && s.Cron != "" {
		if strings.Contains(s.Cron, "TZ=") {
			vs.Add(prefix+"cron", herald.VFormat, "A cron expression runs in the account's time zone; leave out TZ=.")
		} else if _, err := parser.Parse(s.Cron); err != nil {
			vs.Add(prefix+"cron", herald.VFormat, "%q is not a cron expression (minute hour day-of-month month day-of-week): %s.", s.Cron, err.Error())
		}
	}
	return vs
}

// Next returns the first launch of s strictly after after, in loc, and
// false when none is left: a one-off launch that passed, or the next one
// after the effective period. s must have passed Check.
func Next(s *herald.Schedule, loc *time.Location, after time.Time) (time.Time, bool, error) {
	if s.From != nil && after.Before(*s.From) {
		after = s.From.Add(-time.Nanosecond)
	}
	var next time.Time
	switch s.Kind {
	case herald.ScheduleOnce:
		if s.At == nil || !s.At.After(after) {
			return time.Time{}, false, nil
		}
		next = *s.At
	case herald.ScheduleCron:
		sched, err := parser.Parse(s.Cron)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("parsing cron expression %q: %w", s.Cron, err)
		}
		next = cronNext(sched, after.In(loc))
	default:
		var err error
		if next, err = calendarNext(s, loc, after); err != nil {
			return time.Time{}, false, err
		}
	}
	if next.IsZero() || (s.Till != nil && next.After(*s.Till)) {
		return time.Time{}, false, nil
	}
	return next.UTC(), true, nil
}

// cronNext returns sched's next time after after, skipping a repeat of
// after's wall time (the hour clocks go back runs twice otherwise).
func cronNext(sched cron.Schedule, after time.Time) time.Time {
	next := sched.Next(after)
	wall := func(t time.Time) string { return t.Format("2006-01-02 15:04") }
	if !next.IsZero() && wall(next) == wall(after) {
		next = sched.Next(next)
	}
	return next
}

// calendarNext returns the next daily, weekly or monthly launch after
// after, looking up to a year ahead.
func calendarNext(s *herald.Schedule, loc *time.Location, after time.Time) (time.Time, error) {
	var hh, mm int
	if _, err := fmt.Sscanf(s.Time, "%d:%d", &hh, &mm); err != nil {
		return time.Time{}, fmt.Errorf("reading schedule time %q: %w", s.Time, err)
	}
	local := after.In(loc)
	y, m, d := local.Date()
	for i := range 400 {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		if !matches(s, day) {
			continue
		}
		t := wallTime(day, hh, mm, loc)
		if t.After(after) {
			return t, nil
		}
	}
	return time.Time{}, nil
}

// matches reports whether the schedule launches on day.
func matches(s *herald.Schedule, day time.Time) bool {
	switch s.Kind {
	case herald.ScheduleWeekly:
		return slices.Contains(s.Weekdays, int(day.Weekday()))
	case herald.ScheduleMonthly:
		last := time.Date(day.Year(), day.Month()+1, 0, 12, 0, 0, 0, day.Location()).Day()
		for _, md := range s.MonthDays {
			if md == day.Day() || (md > last && day.Day() == last) {
				return true
			}
		}
		return false
	}
	return true
}

// wallTime returns hh:mm on day's date in loc: the first of two when the
// wall time happens twice, the time after the change when it is skipped.
func wallTime(day time.Time, hh, mm int, loc *time.Location) time.Time {
	t := time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, loc)
	if e := t.Add(-time.Hour); e.Day() == t.Day() && e.Hour() == hh && e.Minute() == mm {
		return e
	}
	return t
}
