package api

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/problem"
)

// TestBatchAnswerMatchesMarshal checks the hand-written batch answer
// against encoding/json byte for byte.
func TestBatchAnswerMatchesMarshal(t *testing.T) {
	bad := herald.Violations{{Field: "channel", Code: herald.VUnknown, Message: `Unknown channel "<x>".`}}.Err()
	ids := []string{"0192a4c6-5b1e-7f00-8000-000000000001", "", "0192a4c6-5b1e-7f00-8000-000000000003", ""}
	stopped := herald.Errorf(herald.EUNAVAILABLE, "Herald is not accepting messages right now; retry shortly.")
	errs := []error{nil, bad, nil, stopped}
	want := batchAnswer{Accepted: 2}
	for i, id := range ids {
		if id != "" {
			want.Items = append(want.Items, batchItem{Index: i, Status: 202, ID: id})
			continue
		}
		p := problem.From(errs[i])
		want.Items = append(want.Items, batchItem{Index: i, Status: p.Status, Problem: &p})
	}
	wb, _ := json.Marshal(want)
	if got := appendBatchAnswer(nil, ids, errs); string(got) != string(wb)+"\n" {
		t.Errorf("appendBatchAnswer =\n%s\nencoding/json =\n%s", got, wb)
	}
}
