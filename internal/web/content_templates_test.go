package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sms"
)

// postJSON posts body as JSON to path, as the constructor's script does.
func (c *client) postJSON(path string, body any) response {
	c.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// constructorErrors returns the payload violations a page passes to the
// constructor, as "field code" strings.
func constructorErrors(t *testing.T, body string) []string {
	t.Helper()
	m := regexp.MustCompile(`data-errors="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page has no constructor")
	}
	var vs []herald.Violation
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &vs); err != nil {
		t.Fatalf("data-errors %q: %v", m[1], err)
	}
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Field+" "+v.Code)
	}
	slices.Sort(out)
	return out
}

// templateForm is a posted template form.
func templateForm(name, channel, payload string) url.Values {
	return url.Values{"name": {name}, "channel": {channel}, "payload": {payload}}
}

func TestContentTemplatePages(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")
	ctx := context.Background()

	mustContain(t, c.get("/content-templates").Body, "No content templates yet", `href="/content-templates/new"`)
	mustContain(t, c.get("/content-templates/new?channel=rcs").Body, `data-constructor`, `value="rcs" data-number="2" selected`,
		`name="payload"`, "constructor.", "smscount.")

	res := c.post("/content-templates", templateForm("Cakes free", "sms", `{"text": "Hi {{attribute.Name}}, your code is {{code}}."}`))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.Status, res.Body)
	}
	page, err := f.store.ListTemplates(ctx, f.account.ID, herald.ListQuery{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("templates: %v %v", page.Items, err)
	}
	tp := page.Items[0]
	if tp.Channel != herald.ChannelSMS || !slices.Equal(tp.Variables, []string{"attribute.Name", "code"}) {
		t.Errorf("saved template %+v", tp)
	}
	mustContain(t, c.get(res.Location).Body, "Template Cakes free saved with ID "+fmt.Sprint(tp.ID), "Cakes free", "SMS")

	edit := c.get(templatePath(tp.ID))
	mustContain(t, edit.Body, "Hi {{attribute.Name}}, your code is {{code}}.", `value="Cakes free"`, `"template": {"id": `+fmt.Sprint(tp.ID))
	res = c.post(templatePath(tp.ID), templateForm("Cakes free", "tts", `{"language": "es", "repeat": 2, "text": "Hola {{attribute.Name}}"}`))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	got, err := f.store.Template(ctx, f.account.ID, tp.ID)
	if err != nil || got.Channel != herald.ChannelTTS || !slices.Equal(got.Variables, []string{"attribute.Name"}) {
		t.Fatalf("updated template %+v %v", got, err)
	}

	// The table filters and sorts; another account's template is not found.
	res = c.post("/content-templates", templateForm("Card", "rcs", `{"text": "Hello"}`))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d", res.Status)
	}
	list := c.get("/content-templates?f.channel=eq:rcs&sort=name").Body
	mustContain(t, list, ">Card<", `aria-current="page" class="current">Content templates`)
	if strings.Contains(list, "Cakes free") {
		t.Error("the RCS filter shows the TTS template")
	}
	acc2, roles2 := f.newAccount("Globex")
	other, _ := f.signedInClient(acc2.ID, roles2[herald.RoleAdmin], "gina")
	for _, path := range []string{templatePath(tp.ID), templatePath(tp.ID) + "/delete"} {
		if res := other.get(path); res.Status != http.StatusNotFound {
			t.Errorf("another account's GET %s: %d", path, res.Status)
		}
	}
	if res := other.post(templatePath(tp.ID), templateForm("Stolen", "sms", `{"text": "x"}`)); res.Status != http.StatusNotFound {
		t.Errorf("another account's update: %d", res.Status)
	}
	if strings.Contains(other.get("/content-templates").Body, "Cakes free") {
		t.Error("another account lists the template")
	}

	mustContain(t, c.get(templatePath(tp.ID)+"/delete").Body, "Delete the template Cakes free (TTS)?")
	if res := c.post(templatePath(tp.ID)+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if _, err := f.store.Template(ctx, f.account.ID, tp.ID); !herald.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
	if res := c.get(templatePath(tp.ID)); res.Status != http.StatusNotFound {
		t.Errorf("deleted template's page: %d", res.Status)
	}
}

// TestContentTemplateErrors checks that a refused save shows the name's
// error beside the name and passes the payload's violations, by path, to
// the constructor, with the content kept as typed.
func TestContentTemplateErrors(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "ada")
	long := strings.Repeat("x", 201)
	for _, tt := range []struct {
		name, tname, channel, payload string
		nameErr                       string
		want                          []string
	}{
		{"no name", "", "sms", `{"text": "Hi"}`, "Name is required.", []string{}},
		{"name too long", strings.Repeat("n", 101), "sms", `{"text": "Hi"}`, "Name must be at most 100 characters (it has 101).", []string{}},
		{"card title over limit", "Card", "rcs", `{"card": {"title": "` + long + `"}}`, "", []string{"payload.card.title too_long"}},
		{"carousel suggestion", "Carousel", "rcs", `{"carousel": {"cards": [{"title": "a"}, {"title": "b", "suggestions": [{"type": "url", "text": "Go", "url": "ftp://x"}]}]}}`,
			"", []string{"payload.carousel.cards[1].suggestions[0].url format"}},
		{"email block", "Mail", "email", `{"subject": "s", "blocks": [{"type": "button", "text": "Go"}]}`, "", []string{"payload.blocks[0].url required"}},
		{"empty payload", "Empty", "push", `{}`, "", []string{"payload required"}},
		{"no payload", "None", "sms", ``, "", []string{"payload required"}},
		{"bad JSON", "Bad", "sms", `{"text": `, "", []string{"payload format"}},
		{"no name and bad text", "", "whatsapp", `{"text": "` + strings.Repeat("w", 4097) + `"}`, "Name is required.", []string{"payload.text too_long"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := c.post("/content-templates", templateForm(tt.tname, tt.channel, tt.payload))
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", res.Status, res.Body)
			}
			if got := fieldError(res.Body, "name"); got != tt.nameErr {
				t.Errorf("name error %q, want %q", got, tt.nameErr)
			}
			if got := constructorErrors(t, res.Body); !slices.Equal(got, tt.want) {
				t.Errorf("payload errors %q, want %q", got, tt.want)
			}
			mustContain(t, res.Body, html.EscapeString(tt.payload), `value="`+tt.channel+`" data-number`)
			if len(tt.want) > 0 && tt.nameErr == "" {
				mustContain(t, res.Body, "Please correct the content marked below.")
			}
		})
	}
	if page, _ := f.store.ListTemplates(context.Background(), f.account.ID, herald.ListQuery{}); len(page.Items) != 0 {
		t.Errorf("refused templates were saved: %v", page.Items)
	}
}

// TestConstructorCheck covers the constructor's live check: the server's
// violations by path and the SMS counter of internal/sms.
func TestConstructorCheck(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleNOCEngineer], "nora")
	// The reference portal's sample, as internal/sms counts it (with the
	// trailing space that makes its 103).
	sample := "Hi {{attribute.name}}. Buy a cake and get one free today. Hurry up before we run out of free food! "
	for _, tt := range []struct {
		name    string
		channel herald.Channel
		payload string
		want    []string
		preview string
		label   string
	}{
		{"sms sample", herald.ChannelSMS, `{"text": ` + jsonString(sample) + `}`, nil, "Hi {{attribute.name}}. Buy a cake and get one free today. H…",
			"7-bit extended (160) 103 characters / 1 SMS"},
		{"sms unicode", herald.ChannelSMS, `{"text": "Привет"}`, nil, "Привет", "Unicode (70) 6 characters / 1 SMS"},
		{"sms empty", herald.ChannelSMS, `{}`, []string{"payload.text required"}, "", "7-bit (160) 0 characters / 0 SMS"},
		{"viber over limit", herald.ChannelViber, `{"text": "` + strings.Repeat("v", 1001) + `"}`, []string{"payload.text too_long"}, "", ""},
		{"rcs card", herald.ChannelRCS, `{"card": {"title": "Autumn sale", "suggestions": [{"type": "reply", "text": "Yes"}]}}`, nil, "Rich card: Autumn sale", ""},
		{"whatsapp list", herald.ChannelWhatsApp, `{"list": {"body": "Pick", "button": "Options", "sections": [{"rows": [{"title": "` + strings.Repeat("r", 25) + `"}]}]}}`,
			[]string{"payload.list.sections[0].rows[0].title too_long"}, "", ""},
		{"unknown channel", herald.Channel(99), `{"text": "x"}`, []string{"channel unknown"}, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := c.postJSON("/constructor/check", map[string]any{"channel": tt.channel, "payload": json.RawMessage(tt.payload)})
			if res.Status != http.StatusOK {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			var out struct {
				Violations []herald.Violation `json:"violations"`
				Preview    string             `json:"preview"`
				SMS        *smsCount          `json:"sms"`
			}
			if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, v := range out.Violations {
				got = append(got, v.Field+" "+v.Code)
			}
			if want := append([]string{}, tt.want...); !slices.Equal(got, want) {
				t.Errorf("violations %q, want %q", got, want)
			}
			if out.Preview != tt.preview {
				t.Errorf("preview %q, want %q", out.Preview, tt.preview)
			}
			if tt.label != "" && (out.SMS == nil || out.SMS.Label != tt.label) {
				t.Errorf("sms counter %+v, want %q", out.SMS, tt.label)
			}
		})
	}
	if info := sms.Analyze(sample); info.Label() != "7-bit extended (160) 103 characters / 1 SMS" {
		t.Errorf("the reference's sample counts %s", info.Label())
	}
	if res := c.postJSON("/constructor/check", "not an object"); res.Status != http.StatusBadRequest {
		t.Errorf("a bad body: %d", res.Status)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestEmailPreview checks the e-mail preview frame: the blocks rendered
// by the server, even while some break a rule, under a policy that runs no
// script and lets only the portal frame it.
func TestEmailPreview(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")
	payload := `{"subject": "Autumn", "subtitle": "Sale", "blocks": [{"type": "text", "html": "<p>Hello <b>{{attribute.Name}}</b><script>x()</script></p>"},
		{"type": "button", "text": "Shop"}, {"type": "image", "src": "javascript:alert(1)", "alt": "Logo"}]}`
	res := c.post("/constructor/email-preview", url.Values{"payload": {payload}})
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	mustContain(t, res.Body, "<title>Autumn</title>", "Sale</div>", ">Shop</a>", `alt="Logo"`, "max-width:600px")
	if strings.Contains(res.Body, "<script") || strings.Contains(res.Body, "javascript:") {
		t.Errorf("the preview lets script through:\n%s", res.Body)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'self'") || strings.Contains(csp, "script-src") {
		t.Errorf("preview policy %q", csp)
	}
	if res.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("X-Frame-Options %q", res.Header.Get("X-Frame-Options"))
	}
	res = c.post("/constructor/email-preview", url.Values{"payload": {`{"subject": "s", "text": "Plain <b>text</b>"}`}})
	mustContain(t, res.Body, "Plain &lt;b&gt;text&lt;/b&gt;")
	mustContain(t, c.post("/constructor/email-preview", url.Values{}).Body, "Add blocks to see the e-mail.")
	if res := f.newClient().post("/constructor/email-preview", url.Values{"payload": {payload}}); res.Status != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", res.Status)
	}
	if res := c.get("/constructor/media"); res.Status != http.StatusNotFound {
		t.Errorf("media picker without a media library: %d, want 404", res.Status)
	}
}
