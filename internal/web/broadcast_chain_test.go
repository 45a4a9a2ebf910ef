package web

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func TestWaitingTimeInputs(t *testing.T) {
	for _, tc := range []struct {
		secs       int
		value, uni string
	}{{0, "", "min"}, {45, "45", "s"}, {60, "1", "min"}, {600, "10", "min"}, {7200, "2", "h"}, {90, "90", "s"}} {
		v, u := waitInputs(tc.secs)
		if v != tc.value || u != tc.uni {
			t.Errorf("waitInputs(%d) = %q %q, want %q %q", tc.secs, v, u, tc.value, tc.uni)
		}
		back, ok := waitSeconds(v, u)
		if !ok || back != tc.secs {
			t.Errorf("waitSeconds(%q, %q) = %d %v, want %d", v, u, back, ok, tc.secs)
		}
	}
	for _, bad := range []string{"x", "-3", "1.5"} {
		if _, ok := waitSeconds(bad, "min"); ok {
			t.Errorf("waitSeconds(%q) accepted", bad)
		}
	}
}

func TestSplitStepViolations(t *testing.T) {
	per, rest := splitStepViolations([]herald.Violation{
		{Field: "steps[0].senderId", Message: "a"},
		{Field: "steps[1].payload.text", Message: "b"},
		{Field: "steps[1].template.params.code", Message: "c"},
		{Field: "steps", Message: "d"},
		{Field: "recipients", Message: "e"},
	})
	if len(per[0]) != 1 || per[0][0].Field != "senderId" {
		t.Errorf("step 0: %+v", per[0])
	}
	if len(per[1]) != 2 || per[1][0].Field != "payload.text" || per[1][1].Field != "template.params.code" {
		t.Errorf("step 1: %+v", per[1])
	}
	if len(rest) != 2 || rest[0].Field != "steps" || rest[1].Field != "recipients" {
		t.Errorf("rest: %+v", rest)
	}
}

func TestCharts(t *testing.T) {
	d := string(donutChart("Fallback <stats>", []chartPart{{"Successful", 3, "chart-ok"}, {"Unsuccessful", 1, "chart-bad"}, {"Empty", 0, "chart-muted"}}))
	if strings.Count(d, `class="chart-arc`) != 2 || !strings.Contains(d, `aria-label="Fallback &lt;stats&gt;"`) || !strings.Contains(d, ">4</text>") {
		t.Errorf("donut: %s", d)
	}
	if strings.Contains(d, "<stats>") {
		t.Error("the donut does not escape its title")
	}
	b := string(barChart("Messages", []chartGroup{{Label: "SMS", Parts: []chartPart{{"Sent", 10, "chart-info"}, {"Failed", 5, "chart-bad"}}}}))
	if !strings.Contains(b, `width="180.00"`) || !strings.Contains(b, `width="90.00"`) {
		t.Errorf("bars are not to scale: %s", b)
	}
	if empty := string(donutChart("none", nil)); !strings.Contains(empty, ">0</text>") || strings.Contains(empty, "chart-arc") {
		t.Errorf("empty donut: %s", empty)
	}
}
