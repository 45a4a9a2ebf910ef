package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// TestBroadcastFlow is the broadcast tour as a new user takes it, through
// the whole binary: a target, an RCS then SMS broadcast with a one-minute
// waiting time to it, its progress events and statistics, a relaunch for
// the failed contacts, and a template that launches on its schedule.
func TestBroadcastFlow(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		m, base := startMain(t, env)
		key := apiKey(t, m, "campaigns", herald.ScopeRecipients, herald.ScopeBroadcast)
		js := "application/json"
		var contacts []map[string]any
		for i := range 8 {
			contacts = append(contacts, map[string]any{"phone": fmt.Sprintf("+34600120%02d9", i), "tags": []string{"spring"}})
		}
		contacts = append(contacts, map[string]any{"phone": "+34600130004", "tags": []string{"spring"}}, // not RCS capable
			map[string]any{"phone": "+34600140002", "tags": []string{"spring"}}) // undelivered everywhere
		body, _ := json.Marshal(map[string]any{"policy": "skip", "contacts": contacts})
		apiCall(t, "POST", base+"/api/v1/contacts/bulk", key, js, strings.NewReader(string(body)), 200, nil)
		var target herald.Target
		apiCall(t, "POST", base+"/api/v1/targets", key, js, strings.NewReader(`{"name": "Spring", "filters": [{"field": "tags", "op": "eq", "value": "spring"}]}`), 201, &target)

		acc, err := m.Store.AccountByName(t.Context(), herald.DefaultAccountName)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var events []herald.BroadcastProgress
		unsub, err := m.Events.Subscribe(fmt.Sprintf("broadcast.%d.*", acc.ID), func(_ string, data []byte) {
			var ev herald.BroadcastProgress
			if json.Unmarshal(data, &ev) == nil {
				mu.Lock()
				events = append(events, ev)
				mu.Unlock()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = unsub() }()

		steps := `[{"channel": "rcs", "senderId": "sandbox", "payload": {"text": "Spring offers"}, "waitingTime": 60},
			{"channel": "sms", "senderId": "sandbox", "payload": {"text": "Spring offers"}, "waitingTime": 60}]`
		var b struct {
			ID       int64                `json:"id"`
			Status   string               `json:"status"`
			Contacts int                  `json:"contacts"`
			Stats    herald.FallbackStats `json:"stats"`
		}
		apiCall(t, "POST", base+"/api/v1/broadcasts", key, js, strings.NewReader(fmt.Sprintf(`{"name": "Spring", "launch": true,
			"rcsCheck": true, "recipients": {"targetIds": [%d]}, "steps": %s}`, target.ID, steps)), 201, &b)
		if b.Status != "in_progress" || b.Contacts != 10 {
			t.Fatalf("launched = %+v", b)
		}
		path := fmt.Sprintf("%s/api/v1/broadcasts/%d", base, b.ID)
		waitFor(t, "the broadcast to complete", func() bool {
			apiCall(t, "GET", path, key, "", nil, 200, &b)
			return b.Status == "complete"
		})
		if b.Stats.Successful != 9 || b.Stats.Unsuccessful != 1 {
			t.Errorf("stats = %+v; want 9 successful, 1 unsuccessful", b.Stats)
		}
		var st struct {
			Channels []herald.ChannelStats `json:"channels"`
		}
		apiCall(t, "GET", path+"/statistics", key, "", nil, 200, &st)
		if len(st.Channels) != 2 || st.Channels[0].Failed != 2 || st.Channels[1].Sent != 2 || st.Channels[1].Failed != 1 {
			t.Errorf("channel statistics = %+v", st.Channels)
		}
		waitFor(t, "a complete progress event", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(events) > 0 && events[len(events)-1].Status == herald.BroadcastComplete
		})

		var re struct {
			ID       int64 `json:"id"`
			Contacts int   `json:"contacts"`
		}
		apiCall(t, "POST", path+"/relaunch-failed", key, "", nil, 201, &re)
		if re.Contacts != 1 {
			t.Errorf("relaunch = %+v; want the one failed contact", re)
		}

		at := time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)
		var tpl herald.BroadcastTemplate
		apiCall(t, "POST", base+"/api/v1/broadcast-templates", key, js, strings.NewReader(fmt.Sprintf(`{"name": "Spring once",
			"recipients": {"tags": ["spring"]}, "steps": %s, "schedule": {"kind": "once", "at": %q}}`, steps, at)), 201, &tpl)
		tplPath := fmt.Sprintf("%s/api/v1/broadcast-templates/%d", base, tpl.ID)
		waitFor(t, "the template's scheduled launch", func() bool {
			apiCall(t, "GET", tplPath, key, "", nil, 200, &tpl)
			return tpl.Launches == 1
		})
		if tpl.ScheduleStatus != herald.ScheduleExpired {
			t.Errorf("after its one launch the schedule is %q, want expired", tpl.ScheduleStatus)
		}
		var runs struct {
			Items []struct {
				LaunchType string `json:"launchType"`
				Status     string `json:"status"`
			} `json:"items"`
		}
		waitFor(t, "the recurrent run to complete", func() bool {
			apiCall(t, "GET", fmt.Sprintf("%s/api/v1/broadcasts?f.templateId=eq:%d", base, tpl.ID), key, "", nil, 200, &runs)
			return len(runs.Items) == 1 && runs.Items[0].Status == "complete"
		})
		if runs.Items[0].LaunchType != "recurrent" {
			t.Errorf("run = %+v", runs.Items[0])
		}
	})
}
