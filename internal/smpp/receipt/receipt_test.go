package receipt

import (
	"slices"
	"testing"
	"time"
)

func date(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
}

// TestParseVariants runs the receipt texts real SMSCs send through Parse.
func TestParseVariants(t *testing.T) {
	type want struct {
		id, stat, err, sub, dlvrd, text string
		state                           State
		submit, done                    time.Time
	}
	cases := []struct {
		name, in string
		want     want
	}{
		{
			name: "appendix B",
			in:   "id:0123456789 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello world",
			want: want{id: "0123456789", stat: "DELIVRD", err: "000", sub: "001", dlvrd: "001", text: "Hello world",
				state: Delivered, submit: date(2024, 1, 1, 12, 0, 0), done: date(2024, 1, 1, 12, 1, 0)},
		},
		{
			name: "upper-case keys, capital Text",
			in:   "ID:ABCDEF01 SUB:001 DLVRD:000 SUBMIT DATE:2401011200 DONE DATE:2401011300 STAT:UNDELIV ERR:001 Text:Hi",
			want: want{id: "ABCDEF01", stat: "UNDELIV", err: "001", sub: "001", dlvrd: "000", text: "Hi",
				state: Undelivered, submit: date(2024, 1, 1, 12, 0, 0), done: date(2024, 1, 1, 13, 0, 0)},
		},
		{
			name: "12-digit dates",
			in:   "id:77 sub:001 dlvrd:001 submit date:240101120005 done date:240101120159 stat:DELIVRD err:000 text:",
			want: want{id: "77", stat: "DELIVRD", err: "000", sub: "001", dlvrd: "001",
				state: Delivered, submit: date(2024, 1, 1, 12, 0, 5), done: date(2024, 1, 1, 12, 1, 59)},
		},
		{
			name: "underscored keys and lower-case stat",
			in:   "id:5 submit_date:2401011200 done_date:2401011201 stat:expired err:0",
			want: want{id: "5", stat: "EXPIRED", err: "0", state: Expired,
				submit: date(2024, 1, 1, 12, 0, 0), done: date(2024, 1, 1, 12, 1, 0)},
		},
		{
			name: "only id and stat",
			in:   "id:c0ffee stat:REJECTD",
			want: want{id: "c0ffee", stat: "REJECTD", state: Rejected},
		},
		{
			name: "extra vendor fields and reordered",
			in:   "stat:DELIVRD id:42 err:000 smsc:ACME net:23415 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 text:x",
			want: want{id: "42", stat: "DELIVRD", err: "000", sub: "001", dlvrd: "001", text: "x", state: Delivered,
				submit: date(2024, 1, 1, 12, 0, 0), done: date(2024, 1, 1, 12, 1, 0)},
		},
		{
			name: "text containing colons and keys",
			in:   "id:9 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:id:1 stat:FAIL at 12:00",
			want: want{id: "9", stat: "DELIVRD", err: "000", sub: "001", dlvrd: "001", text: "id:1 stat:FAIL at 12:00",
				state: Delivered, submit: date(2024, 1, 1, 12, 0, 0), done: date(2024, 1, 1, 12, 1, 0)},
		},
		{
			name: "spaces before colons",
			in:   "id : 12 stat : ACCEPTD err : 000",
			want: want{id: "12", stat: "ACCEPTD", err: "000", state: Accepted},
		},
		{
			name: "dates with separators, 4-digit year",
			in:   "id:1 submit date:2024-01-01 12:00:00 done date:2024/01/01 12:01 stat:DELIVRD",
			want: want{id: "1", stat: "DELIVRD", state: Delivered,
				submit: date(2024, 1, 1, 12, 0, 0), done: date(2024, 1, 1, 12, 1, 0)},
		},
		{
			name: "enroute intermediate",
			in:   "id:1 sub:001 dlvrd:000 submit date:2401011200 done date:2401011200 stat:ENROUTE err:000 text:",
			want: want{id: "1", stat: "ENROUTE", err: "000", sub: "001", dlvrd: "000", state: Enroute,
				submit: date(2024, 1, 1, 12, 0, 0), done: date(2024, 1, 1, 12, 0, 0)},
		},
		{
			name: "deleted, trailing NULs and CRLF",
			in:   "id:3 stat:DELETED err:000\r\n\x00\x00",
			want: want{id: "3", stat: "DELETED", err: "000", state: Deleted},
		},
		{
			name: "unknown stat word",
			in:   "id:3 stat:WHATEVER err:999",
			want: want{id: "3", stat: "WHATEVER", err: "999", state: Unknown},
		},
		{
			name: "bad dates are zero",
			in:   "id:3 submit date:99999999 done date:2413451299 stat:UNDELIV",
			want: want{id: "3", stat: "UNDELIV", state: Undelivered},
		},
		{
			name: "equals signs",
			in:   "id=88 stat=DELIVRD err=000",
			want: want{id: "88", stat: "DELIVRD", err: "000", state: Delivered},
		},
		{
			name: "status and error spelled out",
			in:   "MsgId:AB12 Status:DELIVERED Error:0",
			want: want{id: "AB12", stat: "DELIVERED", err: "0", state: Delivered},
		},
		{
			name: "comma separated",
			in:   "id:7,sub:001,dlvrd:001,stat:DELIVRD,err:000",
			want: want{id: "7", stat: "DELIVRD", err: "000", sub: "001", dlvrd: "001", state: Delivered},
		},
		{
			name: "UUID id",
			in:   "id:6ba7b810-9dad-11d1-80b4-00c04fd430c8 sub:001 dlvrd:001 stat:DELIVRD err:000",
			want: want{id: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", stat: "DELIVRD", err: "000", sub: "001", dlvrd: "001", state: Delivered},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := Parse(tc.in)
			if !ok {
				t.Fatalf("Parse(%q) ok = false", tc.in)
			}
			got := want{id: r.ID, stat: r.Stat, err: r.Err, sub: r.Sub, dlvrd: r.Dlvrd, text: r.Text,
				state: r.State, submit: r.SubmitDate, done: r.DoneDate}
			if got != tc.want {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
			if r.Raw != tc.in {
				t.Errorf("Raw = %q, want the input", r.Raw)
			}
		})
	}
}

func TestParseNotAReceipt(t *testing.T) {
	for _, in := range []string{"", "hello", "call me at 12:30", "text:only a text", "\x00\x01\xff:"} {
		if r, ok := Parse(in); ok {
			t.Errorf("Parse(%q) = %+v, ok; want not ok", in, r)
		}
	}
}

func TestCandidates(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"0123456789", []string{"123456789", "75bcd15", "4886718345"}},
		{"75BCD15", []string{"75bcd15", "123456789"}},
		{"c0ffee", []string{"c0ffee", "12648430"}},
		{"000", []string{"0"}},
		{"6ba7b810-9dad", []string{"6ba7b810-9dad"}},
		{" 42 ", []string{"42", "2a", "66"}},
		{"18446744073709551616", []string{"18446744073709551616"}}, // beyond uint64
		{"", nil},
	}
	for _, tc := range cases {
		if got := Candidates(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Candidates(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A hexadecimal submit_sm_resp ID matches its receipt's decimal ID.
	stored := Canonical("0x1A2B"[2:])
	if !slices.Contains(Candidates("6699"), stored) {
		t.Errorf("Candidates(6699) = %q, does not contain %q", Candidates("6699"), stored)
	}
}

func TestFold(t *testing.T) {
	cases := []struct {
		in   []State
		want State
	}{
		{nil, Unknown},
		{[]State{Delivered, Delivered}, Delivered},
		{[]State{Delivered, ""}, Enroute},
		{[]State{Delivered, Accepted}, Accepted},
		{[]State{Accepted, Enroute}, Enroute},
		{[]State{Delivered, Undelivered, Expired}, Undelivered},
		{[]State{Expired, Rejected}, Rejected},
		{[]State{Unknown, Delivered}, Unknown},
	}
	for _, tc := range cases {
		if got := Fold(tc.in...); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatRoundTrip(t *testing.T) {
	in := Receipt{ID: "herald-1", State: Delivered, SubmitDate: date(2024, 2, 29, 23, 59, 0),
		DoneDate: date(2024, 3, 1, 0, 1, 0), Text: "a text longer than twenty characters"}
	s := Format(in)
	want := "id:herald-1 sub:001 dlvrd:001 submit date:2402292359 done date:2403010001 stat:DELIVRD err:000 text:a text longer than t"
	if s != want {
		t.Fatalf("Format = %q, want %q", s, want)
	}
	r, ok := Parse(s)
	if !ok || r.ID != in.ID || r.State != in.State || !r.SubmitDate.Equal(in.SubmitDate) || !r.DoneDate.Equal(in.DoneDate) {
		t.Errorf("Parse(Format) = %+v", r)
	}
}

func TestMessageState(t *testing.T) {
	for _, s := range []State{Enroute, Delivered, Expired, Deleted, Undelivered, Accepted, Unknown, Rejected} {
		got, name := MessageState(MessageStateValue(s))
		if got != s {
			t.Errorf("MessageState(MessageStateValue(%q)) = %q", s, got)
		}
		if StatState(name) != s {
			t.Errorf("StatState(%q) = %q, want %q", name, StatState(name), s)
		}
		if StatState(Stat(s)) != s {
			t.Errorf("StatState(Stat(%q)) = %q", s, StatState(Stat(s)))
		}
	}
}

// FuzzParse checks that no input makes Parse panic and that what it
// returns is consistent.
func FuzzParse(f *testing.F) {
	f.Add("id:0123456789 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello")
	f.Add("ID:ABCDEF STAT:UNDELIV Text:x")
	f.Add("id : 1 submit_date=2024-01-01 12:00:00 date:")
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := Parse(s)
		if ok && r.ID == "" && r.Stat == "" && r.State != Unknown {
			t.Errorf("Parse(%q) = %+v", s, r)
		}
		for _, c := range Candidates(r.ID) {
			if c == "" {
				t.Errorf("Candidates(%q) has an empty form", r.ID)
			}
		}
		_ = Format(r)
	})
}
