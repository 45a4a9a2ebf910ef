package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSenderRegistrationFlow is the sender ID tour through the whole
// binary: an account requests an RCS sender ID through the API, the system
// owner takes it, assigns its Sender ID and (while it is not active yet)
// the account cannot send from it; the system owner activates it and binds
// it to the sandbox RCS connection in the portal, and a message sent from
// it is delivered by the sandbox.
func TestSenderRegistrationFlow(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		h := start(t, env)
		m := passwordRE.FindStringSubmatch(h.stdout.String())
		if m == nil {
			t.Fatalf("no generated password printed:\n%s", h.stdout.String())
		}
		owner := browser(t)
		form(t, owner, h.url+"/signin", url.Values{"login": {"admin"}, "password": {m[1]}}, 200)
		form(t, owner, h.url+"/password", url.Values{"currentPassword": {m[1]}, "newPassword": {"Chosen-pass-1"}, "confirmPassword": {"Chosen-pass-1"}}, 200)
		code, out, errOut := runCLI(t, env, "apikey", "create", "--name", "brand", "--scopes", "dids,omni-api")
		if code != 0 {
			t.Fatalf("apikey create: %d %s", code, errOut)
		}
		key := strings.TrimSpace(out)

		var req struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		apiPost(t, h.url+"/api/v1/senders", key, map[string]any{"channel": 2, "displayName": "Tansy's pancakes",
			"description": "Best pancake shop in the industry", "color": "#1a73e8",
			"phones": []map[string]string{{"value": "+1234567", "label": "Call us"}}}, http.StatusCreated, &req)
		if req.Status != "submitted" {
			t.Fatalf("request = %+v", req)
		}
		review := fmt.Sprintf("%s/sender-review/%d", h.url, req.ID)
		form(t, owner, review, url.Values{"status": {"in_progress"}, "name": {"tansy@rbm.example"}}, 200)

		send := map[string]any{"contact": "+34600123456", "channel": 2, "senderId": "tansy@rbm.example",
			"payload": map[string]string{"text": "Fresh pancakes today"}}
		status, body := apiSend(t, h.url+"/api/v1/messages", key, send)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"senderId"`) || !strings.Contains(body, "in progress") {
			t.Fatalf("sending from a request in progress = %d %s; want 422 naming senderId", status, body)
		}

		_, page := get(t, owner, review)
		conn := regexp.MustCompile(`<option value="(\d+)"[^>]*>Sandbox RCS \(sandbox\)</option>`).FindStringSubmatch(page)
		if conn == nil {
			t.Fatalf("the review page offers no sandbox RCS connection:\n%s", grep(page, "option"))
		}
		res := form(t, owner, review, url.Values{"status": {"active"}, "name": {"tansy@rbm.example"},
			"agreement": {"Sandbox"}, "connectionId": {conn[1]}}, 200)
		if !strings.Contains(res.body, "is Active") {
			t.Fatalf("activating: %s", grep(res.body, "alert"))
		}

		var msg sentMessage
		apiPost(t, h.url+"/api/v1/messages", key, send, http.StatusAccepted, &msg)
		deadline := time.Now().Add(20 * time.Second)
		for msg.Status != "delivered" {
			if time.Now().After(deadline) {
				t.Fatalf("the message from the new sender ID is %s, not delivered", msg.Status)
			}
			time.Sleep(50 * time.Millisecond)
			apiGet(t, h.url+"/api/v1/messages/"+msg.ID, key, &msg)
		}
		var list struct {
			Items []struct {
				Name, Status, Agreement string
			} `json:"items"`
		}
		apiGet(t, h.url+"/api/v1/senders?f.channel=eq:rcs&f.status=eq:active&sort=name", key, &list)
		if len(list.Items) != 2 || list.Items[0].Name != "sandbox" || list.Items[1].Name != "tansy@rbm.example" || list.Items[1].Agreement != "Sandbox" {
			t.Errorf("active RCS sender IDs = %+v", list.Items)
		}
	})
}

// apiSend posts body with key and returns the status and body.
func apiSend(t *testing.T, u, key string, body any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", u, bytes.NewReader(b))
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}
