package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
)

// chrome drives headless Chromium against a running Herald.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newChrome starts Chromium (Debian's /usr/bin/chromium); browser tests
// fail without it, as the portal's do.
func newChrome(t *testing.T, base string) *chrome {
	t.Helper()
	const path = "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("browser tests need %s: install the chromium package", path)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 900))
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return &chrome{t: t, ctx: ctx, base: base}
}

// do runs actions.
func (c *chrome) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, actions...); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

// submit clicks sel and waits for the page it loads.
func (c *chrome) submit(sel string) {
	c.t.Helper()
	if _, err := chromedp.Run(c.ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		c.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// text returns the text of sel.
func (c *chrome) text(sel string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		c.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// shot saves a screenshot where HERALD_TEST_SCREENSHOTS says.
func (c *chrome) shot(name string) {
	dir := os.Getenv("HERALD_TEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	if buf, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "app-"+name+".png"), buf, 0o644)
	}
}

// input is the selector of the constructor's input bound to a payload path.
func input(path string) string { return `[data-bind="` + path + `"]` }

// pick sets a select of the constructor and lets its script know.
func pick(path, value string) chromedp.Action[chromedp.Void] {
	sel, _ := json.Marshal(input(path))
	v, _ := json.Marshal(value)
	return chromedp.Evaluate[chromedp.Void](`(function(){var e=document.querySelector(` + string(sel) + `);e.value=` + string(v) +
		`;e.dispatchEvent(new Event('change',{bubbles:true}));})()`)
}

var savedID = regexp.MustCompile(`saved with ID (\d+)`)

// TestBrowserCarouselTemplate is the constructor's promise end to end: in
// Chromium, a user builds an RCS carousel of three cards with suggestions
// in the portal's constructor and saves it as a content template; the
// template is sent by its ID through the API to the sandbox, personalised
// with the request's params, and the device receives the carousel.
func TestBrowserCarouselTemplate(t *testing.T) {
	const password = "First-admin-pass-1"
	env := map[string]string{"HERALD_DATA_DIR": filepath.Join(t.TempDir(), "data"), "HERALD_ADMIN_PASSWORD": password}
	h := start(t, env)
	c := newChrome(t, h.url)

	c.do("signing in", chromedp.Navigate(h.url+"/signin"), chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "admin"), chromedp.SendKeys(chromedp.CSS("#f-password"), password))
	c.submit("form[action='/signin'] button[type=submit]")
	c.do("changing the first password", chromedp.WaitVisible(chromedp.CSS("#f-currentPassword")),
		chromedp.SendKeys(chromedp.CSS("#f-currentPassword"), password),
		chromedp.SendKeys(chromedp.CSS("#f-newPassword"), "Chosen-pass-1"), chromedp.SendKeys(chromedp.CSS("#f-confirmPassword"), "Chosen-pass-1"))
	c.submit("form[action='/password'] button[type=submit]")

	// Assets > Content templates > New Template: an RCS carousel.
	c.do("opening the constructor", chromedp.Navigate(h.url+"/content-templates/new"), chromedp.WaitVisible(chromedp.CSS("#f-channel")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Autumn carousel"),
		chromedp.SetValue(chromedp.CSS("#f-channel"), "rcs"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-channel').dispatchEvent(new Event('change',{bubbles:true}))`),
		chromedp.WaitVisible(chromedp.CSS("[data-choice=carousel]")),
		chromedp.Click(chromedp.CSS("[data-choice=carousel]")),
		chromedp.Click(chromedp.CSS(`[data-add="carousel.cards"]`)))
	products := []string{"Coats", "Boots", "Scarves"}
	for i, p := range products {
		card := fmt.Sprintf("carousel.cards[%d]", i)
		c.do("filling card "+p, chromedp.SendKeys(chromedp.CSS(input(card+".title")), p+" for {{attribute.name}}"),
			chromedp.SendKeys(chromedp.CSS(input(card+".text")), "Up to 50% off "+strings.ToLower(p)),
			chromedp.SendKeys(chromedp.CSS(input(card+".media.url")), "https://cdn.example.com/"+strings.ToLower(p)+".jpg"),
			chromedp.Click(chromedp.CSS(`[data-add="`+card+`.suggestions"]`)),
			chromedp.SendKeys(chromedp.CSS(input(card+".suggestions[0].text")), "Shop "+strings.ToLower(p)),
			pick(card+".suggestions[0].type", "url"),
			chromedp.SendKeys(chromedp.CSS(input(card+".suggestions[0].url")), "https://shop.example.com/"+strings.ToLower(p)))
	}
	c.do("adding suggestions below the carousel",
		chromedp.Click(chromedp.CSS(`[data-add="suggestions"]`)),
		chromedp.SendKeys(chromedp.CSS(input("suggestions[0].text")), "Call us"),
		pick("suggestions[0].type", "dial"),
		chromedp.SendKeys(chromedp.CSS(input("suggestions[0].phone")), "+34911234567"),
		chromedp.Click(chromedp.CSS(`[data-add="suggestions"]`)),
		chromedp.SendKeys(chromedp.CSS(input("suggestions[1].text")), "Nearest shop"),
		pick("suggestions[1].type", "map"),
		chromedp.Click(chromedp.CSS(`[data-path="suggestions[1]"] [data-choice=query]`)),
		chromedp.SendKeys(chromedp.CSS(input("suggestions[1].query")), "Acme shop"),
		chromedp.Click(chromedp.CSS(`[data-add="suggestions"]`)),
		chromedp.SendKeys(chromedp.CSS(input("suggestions[2].text")), "Not now"))
	// The preview redraws after the last keystroke: look again for a while.
	var cards int
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cards, err = chromedp.Run(c.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-preview-carousel] .c-card').length`)); err == nil && cards == 3 {
			break
		}
	}
	if err != nil || cards != 3 {
		t.Errorf("the preview shows %d cards (%v), want 3", cards, err)
	}
	c.shot("carousel")
	c.submit("[data-save]")
	m := savedID.FindStringSubmatch(c.text("main"))
	if m == nil {
		t.Fatalf("the template was not saved: %s", c.text("main"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)

	// Send it by ID through the API (reference 001 section 12.3.2).
	code, out, errOut := runCLI(t, env, "apikey", "create", "--name", "shop", "--scopes", "omni-api")
	if code != 0 {
		t.Fatalf("apikey create: %d %s", code, errOut)
	}
	key := strings.TrimSpace(out)
	const phone = "+34600125555"
	var sent sentMessage
	apiPost(t, h.url+"/api/v1/messages", key, map[string]any{"contact": phone, "channel": 2, "senderId": "sandbox",
		"template": map[string]any{"id": id, "params": map[string]string{"attribute.name": "Ana"}}}, http.StatusAccepted, &sent)
	deadline := time.Now().Add(30 * time.Second)
	var msg struct {
		Status  string          `json:"status"`
		Payload json.RawMessage `json:"payload"`
	}
	for apiGet(t, h.url+"/api/v1/messages/"+sent.ID, key, &msg); msg.Status != "delivered"; apiGet(t, h.url+"/api/v1/messages/"+sent.ID, key, &msg) {
		if time.Now().After(deadline) {
			t.Fatalf("message %s is %s, not delivered", sent.ID, msg.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The device received the carousel, personalised.
	var inbox struct {
		Items []herald.SandboxMessage `json:"items"`
	}
	apiGet(t, h.url+"/api/v1/sandbox/inbox?destination="+strings.ReplaceAll(phone, "+", "%2B"), key, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].MessageID != sent.ID {
		t.Fatalf("the device's inbox: %+v", inbox.Items)
	}
	var got struct {
		Type     string `json:"type"`
		Carousel struct {
			Cards []struct {
				Title       string               `json:"title"`
				Text        string               `json:"text"`
				Media       struct{ URL string } `json:"media"`
				Suggestions []struct {
					Type, Text, URL string
				} `json:"suggestions"`
			} `json:"cards"`
		} `json:"carousel"`
		Suggestions []struct {
			Type, Text, Phone, Query string
		} `json:"suggestions"`
	}
	if err := json.Unmarshal(inbox.Items[0].Payload, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != "carousel" || len(got.Carousel.Cards) != 3 {
		t.Fatalf("received %s", inbox.Items[0].Payload)
	}
	for i, p := range products {
		cd := got.Carousel.Cards[i]
		lower := strings.ToLower(p)
		if cd.Title != p+" for Ana" || cd.Text != "Up to 50% off "+lower || cd.Media.URL != "https://cdn.example.com/"+lower+".jpg" ||
			len(cd.Suggestions) != 1 || cd.Suggestions[0].Type != "url" || cd.Suggestions[0].URL != "https://shop.example.com/"+lower {
			t.Errorf("card %d received as %+v", i+1, cd)
		}
	}
	s := got.Suggestions
	if len(s) != 3 || s[0].Type != "dial" || s[0].Phone != "+34911234567" || s[1].Type != "map" || s[1].Query != "Acme shop" ||
		s[2].Type != "reply" || s[2].Text != "Not now" {
		t.Errorf("suggestions received as %+v", s)
	}
	if string(msg.Payload) != string(inbox.Items[0].Payload) {
		t.Errorf("the stored message %s differs from what the device received %s", msg.Payload, inbox.Items[0].Payload)
	}
}
