package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// batchAnswer is what the tests read of POST /messages/batch.
type batchAnswer struct {
	Accepted int `json:"accepted"`
	Items    []struct {
		Index   int    `json:"index"`
		Status  int    `json:"status"`
		ID      string `json:"id"`
		Problem *struct {
			Code       string `json:"code"`
			Violations []struct {
				Field string `json:"field"`
			} `json:"violations"`
		} `json:"problem"`
	} `json:"items"`
	Code       string `json:"code"`
	Violations []struct {
		Field string `json:"field"`
	} `json:"violations"`
}

// postBatch posts a batch with an Idempotency-Key (when not empty) and
// returns the status, the answer and whether it was replayed.
func postBatch(t *testing.T, u, key, idem string, body any) (int, batchAnswer, bool) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", u+"/api/v1/messages/batch", bytes.NewReader(b))
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var a batchAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("answer %d %s: %v", res.StatusCode, data, err)
	}
	return res.StatusCode, a, res.Header.Get("Idempotent-Replayed") == "true"
}

// TestMessageBatch sends a batch with two good messages and two bad ones:
// the good ones are accepted and delivered, each bad one gets its own
// problem naming its field; a repeat with the same Idempotency-Key gets
// the first answer; a batch of only bad messages is refused as a whole.
func TestMessageBatch(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		h := start(t, env)
		key, hooks := hookedKey(t, h, env, "omni-api")
		sms := func(to string) map[string]any {
			return map[string]any{"contact": to, "channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "Batch " + to}}
		}
		body := map[string]any{"messages": []any{
			sms("+34600123461"),
			map[string]any{"contact": "+34600123462", "channel": 99, "senderId": "sandbox", "payload": map[string]string{"text": "x"}},
			sms("+34600123463"),
			map[string]any{"contact": "+34600123464", "channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "x"}, "colour": "red"},
		}}
		status, a, replayed := postBatch(t, h.url, key, "batch-1", body)
		if status != http.StatusAccepted || replayed || a.Accepted != 2 || len(a.Items) != 4 {
			t.Fatalf("batch = %d %+v", status, a)
		}
		for i, it := range a.Items {
			if it.Index != i {
				t.Errorf("item %d has index %d", i, it.Index)
			}
		}
		if a.Items[0].Status != 202 || a.Items[0].ID == "" || a.Items[2].Status != 202 || a.Items[2].ID == "" {
			t.Fatalf("accepted items = %+v, %+v", a.Items[0], a.Items[2])
		}
		for i, field := range map[int]string{1: "channel", 3: "colour"} {
			it := a.Items[i]
			if it.Status != 422 || it.ID != "" || it.Problem == nil || it.Problem.Code != "invalid" ||
				len(it.Problem.Violations) != 1 || it.Problem.Violations[0].Field != field {
				t.Errorf("item %d = %+v, problem %+v; want 422 naming %s", i, it, it.Problem, field)
			}
		}
		hooks.wait(t, a.Items[0].ID, "message.status", "delivered")
		hooks.wait(t, a.Items[2].ID, "message.status", "delivered")

		status, again, replayed := postBatch(t, h.url, key, "batch-1", body)
		if status != http.StatusAccepted || !replayed || again.Items[0].ID != a.Items[0].ID {
			t.Fatalf("repeat = %d %+v replayed=%v", status, again, replayed)
		}
		var list struct {
			Items []sentMessage `json:"items"`
		}
		apiGet(t, h.url+"/api/v1/messages", key, &list)
		if len(list.Items) != 2 {
			t.Errorf("%d messages after the batch and its repeat; want 2", len(list.Items))
		}

		status, bad, _ := postBatch(t, h.url, key, "", map[string]any{"messages": []any{
			map[string]any{"contact": "+34600123465", "channel": 1, "senderId": "sandbox"},
			map[string]any{"contact": "+34600123466", "channel": 99, "senderId": "sandbox", "payload": map[string]string{"text": "x"}},
		}})
		fields := map[string]bool{}
		for _, v := range bad.Violations {
			fields[v.Field] = true
		}
		if status != http.StatusUnprocessableEntity || bad.Code != "invalid" || !fields["messages[1].channel"] || len(fields) < 2 {
			t.Errorf("all-bad batch = %d %+v", status, bad)
		}
		status, empty, _ := postBatch(t, h.url, key, "", map[string]any{"messages": []any{}})
		if status != http.StatusUnprocessableEntity || len(empty.Violations) != 1 || empty.Violations[0].Field != "messages" {
			t.Errorf("empty batch = %d %+v", status, empty)
		}
	})
}
