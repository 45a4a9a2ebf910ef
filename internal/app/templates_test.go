package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/webhook"
)

// inboxText returns the text of the newest message the sandbox device
// destination received on ch, once there is one.
func inboxText(t *testing.T, base, key, destination string, ch herald.Channel) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var inbox struct {
			Items []herald.SandboxMessage `json:"items"`
		}
		apiGet(t, base+"/api/v1/sandbox/inbox?destination="+strings.ReplaceAll(destination, "+", "%2B"), key, &inbox)
		for _, m := range inbox.Items {
			if m.Channel == ch {
				return webhook.Text(m.Payload)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the sandbox device %s received nothing on %s", destination, ch.Label())
	return ""
}

// TestSendByTemplate creates an RCS content template through the API and
// sends it by ID with the request samples of reference 001 section 12.3.2:
// alone through /messages, and as the first step of an RCS->SMS
// omnimessage whose second step is a payload. The sandbox receives the
// personalised text, and the stored message keeps its template reference.
func TestSendByTemplate(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		h := start(t, env)
		key, hooks := hookedKey(t, h, env, "broadcast,omni-api")

		var tp herald.Template
		apiPost(t, h.url+"/api/v1/templates", key, map[string]any{"name": "Welcome card", "channel": 2,
			"payload": map[string]string{"text": "Hello {{attribute.name}}, your number is {{attribute.phoneNumber}}"}}, http.StatusCreated, &tp)
		if strings.Join(tp.Variables, ",") != "attribute.name,attribute.phoneNumber" {
			t.Fatalf("template variables = %v", tp.Variables)
		}
		const want = "Hello test-name, your number is 112332"

		// Section 12.3.2, "Sending a message via RCS", as written.
		single := fmt.Sprintf(`{
"contact": "+34600125555",
"webhook": %q,
"channel": 2,
"senderId": "sandbox",
"template": {
"id": %d,
"params": {
"attribute.phoneNumber": "112332",
"attribute.name": "test-name"
}
}
}`, hooks.srv.URL, tp.ID)
		var m sentMessage
		apiPost(t, h.url+"/api/v1/messages", key, json.RawMessage(single), http.StatusAccepted, &m)
		hooks.wait(t, m.ID, "message.status", "delivered")
		if got := inboxText(t, h.url, key, "+34600125555", herald.ChannelRCS); got != want {
			t.Errorf("the device received %q, want %q", got, want)
		}
		var stored struct {
			Template *herald.TemplateRef `json:"template"`
			Payload  json.RawMessage     `json:"payload"`
		}
		apiGet(t, h.url+"/api/v1/messages/"+m.ID, key, &stored)
		if stored.Template == nil || stored.Template.ID != tp.ID || stored.Template.Params["attribute.name"] != "test-name" || webhook.Text(stored.Payload) != want {
			t.Errorf("stored message: template %+v, payload %s", stored.Template, stored.Payload)
		}

		// Section 12.3.2, "Sending a message with the fallback RCS->SMS",
		// to a device that is not RCS capable: the template step fails and
		// the payload step is delivered.
		chain := fmt.Sprintf(`{
"contact": "+34600120004",
"webhook": %q,
"messages": [
{
"channel": 2,
"senderId": "sandbox",
"template": {
"id": %d,
"params": {
"attribute.phoneNumber": "112332",
"attribute.name": "test-name"
}
}
},
{
"channel": 1,
"senderId": "sandbox",
"payload": {
"text": "Your number is 112332"
}
}
]
}`, hooks.srv.URL, tp.ID)
		var first sentMessage
		apiPost(t, h.url+"/api/v1/omnimessages", key, json.RawMessage(chain), http.StatusAccepted, &first)
		hooks.wait(t, first.ID, "message.status", "failed")
		if got := inboxText(t, h.url, key, "+34600120004", herald.ChannelSMS); got != "Your number is 112332" {
			t.Errorf("the device received %q by SMS", got)
		}
		apiGet(t, h.url+"/api/v1/messages/"+first.ID, key, &stored)
		if stored.Template == nil || stored.Template.ID != tp.ID || webhook.Text(stored.Payload) != want {
			t.Errorf("the chain's RCS message: template %+v, payload %s", stored.Template, stored.Payload)
		}
		testTemplateViolations(t, h.url, key, tp.ID)
	})
}

// testTemplateViolations checks that a template the request cannot fill
// or send is a violation naming the field.
func testTemplateViolations(t *testing.T, base, key string, id int64) {
	t.Helper()
	var p struct {
		Violations []herald.Violation `json:"violations"`
	}
	fields := func() string {
		var out []string
		for _, v := range p.Violations {
			out = append(out, v.Field)
		}
		return strings.Join(out, ",")
	}
	apiPost(t, base+"/api/v1/messages", key, map[string]any{"contact": "+34600125556", "channel": 2, "senderId": "sandbox",
		"template": map[string]any{"id": id, "params": map[string]any{}}}, http.StatusUnprocessableEntity, &p)
	if got := fields(); got != "template.params.attribute.name,template.params.attribute.phoneNumber" {
		t.Errorf("empty params for a template with variables: violations %s", got)
	}
	apiPost(t, base+"/api/v1/omnimessages", key, map[string]any{"contact": "+34600125556", "messages": []map[string]any{
		{"channel": 1, "senderId": "sandbox", "template": map[string]any{"id": id, "params": map[string]any{}}},
		{"channel": 2, "senderId": "sandbox", "template": map[string]any{"id": id + 1000, "params": map[string]any{}}},
	}}, http.StatusUnprocessableEntity, &p)
	if got := fields(); got != "messages[0].template.id,messages[1].template.id" {
		t.Errorf("an RCS template on SMS and an unknown template: violations %s", got)
	}
}

// TestTemplateEveryChannel takes the first example of each of the eight
// template channels from docs/constructor.md, saves it as a content
// template through the API and sends it by ID to the sandbox, filling its
// variables from params: each is delivered (or seen, on channels that
// report it).
func TestTemplateEveryChannel(t *testing.T) {
	examples := docExamples(t)
	engines(t, func(t *testing.T, env map[string]string) {
		h := start(t, env)
		code, out, errOut := runCLI(t, env, "apikey", "create", "--name", "every", "--scopes", "broadcast,omni-api,recipients")
		if code != 0 {
			t.Fatalf("apikey create: %d %s", code, errOut)
		}
		key := strings.TrimSpace(out)
		// One contact with an address on every channel; the phone number
		// is no sandbox test number (…0001 to …0004).
		var contact herald.Contact
		apiPost(t, h.url+"/api/v1/contacts", key, map[string]any{"phone": "+34600145555", "email": "ana@example.com",
			"identities": map[string]string{"push": "push-token-1", "mobilepush": "mobile-token-1"}}, http.StatusCreated, &contact)
		for _, ch := range herald.TemplateChannels() {
			raw, ok := examples[ch.String()]
			if !ok {
				t.Fatalf("docs/constructor.md has no %s example", ch)
			}
			var tp herald.Template
			apiPost(t, h.url+"/api/v1/templates", key, map[string]any{"name": "Example " + ch.String(), "channel": int(ch),
				"payload": json.RawMessage(raw)}, http.StatusCreated, &tp)
			params := map[string]string{}
			for _, v := range tp.Variables {
				params[v] = "Ana"
			}
			var m sentMessage
			apiPost(t, h.url+"/api/v1/messages", key, map[string]any{"contact": map[string]int64{"id": contact.ID},
				"channel": int(ch), "senderId": "sandbox", "template": map[string]any{"id": tp.ID, "params": params}},
				http.StatusAccepted, &m)
			deadline := time.Now().Add(20 * time.Second)
			for m.Status != "delivered" && m.Status != "seen" {
				if time.Now().After(deadline) {
					t.Fatalf("%s template message is %s, want delivered", ch, m.Status)
				}
				time.Sleep(50 * time.Millisecond)
				apiGet(t, h.url+"/api/v1/messages/"+m.ID, key, &m)
			}
		}
	})
}

// docExamples returns the first JSON example of each channel in
// docs/constructor.md (fenced as ```json <channel>).
func docExamples(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../docs/constructor.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, block := range strings.Split(string(b), "```json ")[1:] {
		name, rest, _ := strings.Cut(block, "\n")
		body, _, _ := strings.Cut(rest, "```")
		if _, seen := out[name]; !seen {
			out[name] = body
		}
	}
	return out
}
