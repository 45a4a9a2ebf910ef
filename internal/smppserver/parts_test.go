package smppserver

import (
	"slices"
	"strconv"
	"testing"
)

// TestPartIDs writes part numbers as runs into callback data and reads
// the parts' message_ids back.
func TestPartIDs(t *testing.T) {
	for _, c := range []struct {
		seqs []int
		runs string
	}{
		{[]int{1}, "1"},
		{[]int{1, 2, 3}, "1-3"},
		{[]int{1, 2, 4, 6, 7, 8}, "1-2,4,6-8"},
	} {
		if got := seqRanges(c.seqs); got != c.runs {
			t.Errorf("seqRanges(%v) = %q, want %q", c.seqs, got, c.runs)
		}
		var want []string
		for _, n := range c.seqs {
			want = append(want, "b-"+strconv.Itoa(n))
		}
		if got := partIDs("smpp rd=1 src=5.0.a dst=1.1.46700000000 parts=b:" + c.runs); !slices.Equal(got, want) {
			t.Errorf("partIDs(%q) = %v, want %v", c.runs, got, want)
		}
	}
	all := make([]int, 255)
	for i := range all {
		all[i] = i + 1
	}
	if got := seqRanges(all); got != "1-255" {
		t.Errorf("255 parts = %q", got)
	}
	for _, bad := range []string{"smpp rd=1 src=a dst=b", "smpp rd=1 src=a dst=b parts=b", "smpp rd=1 src=a dst=b parts=b:3-1", "smpp rd=1 src=a dst=b parts=b:x"} {
		if got := partIDs(bad); got != nil {
			t.Errorf("partIDs(%q) = %v, want none", bad, got)
		}
	}
}
