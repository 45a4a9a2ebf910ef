package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sms"
)

// signInBrowser signs a new admin in to the portal in b.
func (f *fixture) signInBrowser(b *browser, login string) {
	f.t.Helper()
	f.newUser(f.account.ID, f.roles[herald.RoleAdmin], login, true)
	b.open("/signin")
	b.do("signing in", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), login), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.submit("form[action='/signin'] button[type=submit]")
}

// bound is the selector of the constructor input bound to a payload path.
func bound(path string) string { return `[data-bind="` + path + `"]` }

// choose sets a select of the constructor and lets the script know.
func choose(path, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(function(){var e=document.querySelector(` + jsString(bound(path)) +
		`);e.value=` + jsString(value) + `;e.dispatchEvent(new Event('change',{bubbles:true}));})()`)
}

// waitFor polls a JavaScript condition until it holds.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	// Evaluated from Go, each time within a second: an in-page poll can
	// hang while a frame it reads navigates (the e-mail preview reloads).
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// textOf returns the text of the first element matching sel, read in one
// step (the constructor redraws errors after each check).
func (b *browser) textOf(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(function(){var e=document.querySelector(`+jsString(sel)+`);return e?e.textContent:'';})()`))
	if err != nil {
		b.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// payload returns the constructor's payload as the form would post it.
func (b *browser) payload() string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("[data-payload]")))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// smsTexts are the texts on which the browser's SMS counter must agree
// with internal/sms: both encodings, the extension table, the segment
// limits and characters that may not be split across segments.
func smsTexts() []string {
	r := strings.Repeat
	return []string{
		"", "Hello", r("a", 160), r("a", 161), r("a", 306), r("a", 307),
		r("€", 80), r("€", 81), r("a", 152) + "€" + r("b", 10), "{}[]~^|\\\f", "Curly {braces} and [brackets]",
		"Привет, мир", r("й", 70), r("й", 71), r("й", 66) + "😀" + r("й", 3), "👍🏽 family 👨‍👩‍👧", "Façade ç", "ΔΦΓΛΩΠΨΣΘΞ", "ΑΒΓ",
		"`backtick`", "line\r\nbreak\nand\rcarriage", "tab\there", "£$¥èéùìòÇØøÅåÆæßÉ¡ÄÖÑÜ§¿äöñüà",
		"Hi {{attribute.name}}. Buy a cake and get one free today. Hurry up before we run out of free food! ",
		r("x", 200) + "€" + r("é", 100), "\u00a0nbsp", "\u2019quote\u2019", r("😀", 40),
	}
}

// TestBrowserSMSCounter checks the constructor's SMS counter in
// Chromium against internal/sms: on a table of texts, on every character
// up to U+04FF and a few beyond, and in the form as the user types.
func TestBrowserSMSCounter(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t, f.srv.URL)
	f.signInBrowser(b, "ada")
	b.open("/content-templates/new?channel=sms")
	b.do("waiting for the form", chromedp.WaitVisible(chromedp.CSS(bound("text"))))

	type count struct {
		Encoding   string   `json:"encoding"`
		Extended   bool     `json:"extended"`
		Units      int      `json:"units"`
		Segments   int      `json:"segments"`
		PerSegment int      `json:"perSegment"`
		Remaining  int      `json:"remaining"`
		NonGSM     []string `json:"nonGSM"`
		Label      string   `json:"label"`
	}
	texts := smsTexts()
	for cp := 0; cp <= 0x4FF; cp++ {
		if cp < 0xD800 {
			texts = append(texts, string(rune(cp))+"a")
		}
	}
	texts = append(texts, "\u20ac", "\u2028", "\U0001F600", "\uFFFD", "\u0391")
	in, _ := json.Marshal(texts)
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]count](`(`+string(in)+`).map(function (s) { return Herald.sms.analyze(s); })`))
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		info := sms.Analyze(text)
		want := count{Encoding: string(info.Encoding), Extended: info.Extended, Units: info.Units, Segments: info.Segments,
			PerSegment: info.PerSegment, Remaining: info.Remaining, NonGSM: []string{}, Label: info.Label()}
		for _, r := range info.NonGSM {
			want.NonGSM = append(want.NonGSM, string(r))
		}
		got := out[i]
		if got.NonGSM == nil {
			got.NonGSM = []string{}
		}
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Errorf("text %q (U+%04X...):\nbrowser %s\nserver  %s", text, []rune(text + " ")[0], gb, wb)
		}
	}

	// In the form: the counter follows the text, and the server's count,
	// asked as the user types, agrees.
	sample := texts[23]
	b.do("typing", chromedp.SendKeys(chromedp.CSS(bound("text")), sample))
	want := "7-bit extended (160) 103 characters / 1 SMS"
	if got := b.text("[data-sms-count]"); got != want {
		t.Errorf("counter %q, want %q", got, want)
	}
	b.waitFor("the server's count", `document.querySelector('[data-sms-server]').getAttribute('data-label') === `+jsString(want))
	if got := b.text("[data-sms-server]"); got != "" {
		t.Errorf("the server's count differs: %q", got)
	}
	b.do("typing Cyrillic", chromedp.SendKeys(chromedp.CSS(bound("text")), " Привет"))
	if got := b.text("[data-sms-count]"); got != "Unicode (67) 106 characters / 2 SMS" {
		t.Errorf("counter after Cyrillic %q", got)
	}
	mustContain(t, b.text("[data-sms-unicode]"), "Characters that need Unicode: П р и в е т")
	b.shot("sms-counter")
}

// TestBrowserConstructorServerErrors saves content that breaks the
// server's rules and checks that each error shows beside its field, even
// deep in a carousel, and goes away as the user corrects the field.
func TestBrowserConstructorServerErrors(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t, f.srv.URL)
	f.signInBrowser(b, "ada")
	b.open("/content-templates/new?channel=rcs")
	long := strings.Repeat("x", 201)
	b.do("filling a card with an over-limit title", chromedp.WaitVisible(chromedp.CSS(bound("card.title"))),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Too long"),
		chromedp.SendKeys(chromedp.CSS(bound("card.title")), long),
		chromedp.Click(chromedp.CSS(`[data-add="card.suggestions"]`)),
		chromedp.SendKeys(chromedp.CSS(bound("card.suggestions[0].text")), "Visit"),
		choose("card.suggestions[0].type", "url"),
		chromedp.SendKeys(chromedp.CSS(bound("card.suggestions[0].url")), "ftp://files.example.com"))
	if got := b.text(`[data-path="card.title"] .counter`); got != "201 / 200" {
		t.Errorf("counter %q", got)
	}
	b.submit("[data-save]")
	if loc := b.location(); loc != "/content-templates" {
		t.Fatalf("after a refused save: %s", loc)
	}
	b.waitFor("the errors", `document.querySelectorAll('.c-error').length === 2`)
	if got := b.textOf(`[data-path="card.title"] .c-error`); got != "Title must be at most 200 characters (it has 201)." {
		t.Errorf("beside the title: %q", got)
	}
	if got := b.textOf(`[data-path="card.suggestions[0].url"] .c-error`); got != "URL must be a web address starting with http:// or https://." {
		t.Errorf("beside the suggestion's URL: %q", got)
	}
	if !b.eval(`document.querySelector('[data-path="card.title"]').classList.contains('invalid') && document.querySelector(` +
		jsString(bound("card.title")) + `).value.length === 201`) {
		t.Error("the title is not marked, or not kept as typed")
	}
	mustContain(t, b.text("main .alert-error"), "Please correct the content marked below.")
	b.shot("server-errors")

	// Correcting a field clears its error at the next check.
	b.do("shortening the title", chromedp.SendKeys(chromedp.CSS(bound("card.title")), "\b"))
	b.waitFor("the title's error to go", `!document.querySelector('[data-path="card.title"] .c-error') && document.querySelectorAll('.c-error').length === 1`)

	// A carousel's error lands in its card.
	b.do("making a carousel", chromedp.Click(chromedp.CSS("[data-choice=carousel]")),
		chromedp.SendKeys(chromedp.CSS(bound("carousel.cards[0].title")), "One"),
		chromedp.SendKeys(chromedp.CSS(bound("carousel.cards[1].text")), strings.Repeat("y", 2001)))
	b.submit("[data-save]")
	b.waitFor("the card's error", `!!document.querySelector('[data-path="carousel.cards[1].text"] .c-error')`)
	if got := b.textOf(`[data-path="carousel.cards[1].text"] .c-error`); got != "Text must be at most 2000 characters (it has 2001)." {
		t.Errorf("beside the second card's text: %q", got)
	}
	b.shot("carousel-error")
	if page, _ := f.store.ListTemplates(context.Background(), f.account.ID, herald.ListQuery{}); len(page.Items) != 0 {
		t.Errorf("refused templates were saved: %v", page.Items)
	}
}

// TestBrowserEmailBlockEditor builds an e-mail in the block editor: it
// adds, edits, reorders and removes blocks, inserts an attribute, sees
// the server's rendering in the preview frame and saves the template.
func TestBrowserEmailBlockEditor(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t, f.srv.URL)
	f.signInBrowser(b, "ada")
	b.open("/content-templates/new?channel=email")
	b.do("naming the e-mail", chromedp.WaitVisible(chromedp.CSS(bound("subject"))),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Autumn newsletter"),
		chromedp.SendKeys(chromedp.CSS(bound("subject")), "Autumn sale for "),
		chromedp.Click(chromedp.CSS(`[data-path="subject"] [data-attr-picker]`)),
		chromedp.Click(chromedp.CSS(`.c-menu [data-attribute="Name"]`)))
	if got := b.eval(`document.querySelector(` + jsString(bound("subject")) + `).value === 'Autumn sale for {{attribute.Name}}'`); !got {
		t.Error("the attribute picker did not insert {{attribute.Name}} into the subject")
	}

	// The first block is a text: write in it, in bold, with an attribute.
	b.do("writing the text", chromedp.Evaluate[chromedp.Void](`(function(){var a=document.querySelector('.c-rich');a.focus();
		var r=document.createRange();r.selectNodeContents(a);var s=getSelection();s.removeAllRanges();s.addRange(r);
		document.execCommand('insertText',false,'Hello ');})()`),
		chromedp.Click(chromedp.CSS(`.c-rich-bar [title=Bold]`)),
		chromedp.Evaluate[chromedp.Void](`document.execCommand('insertText',false,'dear')`),
		chromedp.Click(chromedp.CSS(`.c-rich-bar [title=Bold]`)),
		chromedp.Evaluate[chromedp.Void](`document.execCommand('insertText',false,' ')`),
		chromedp.Click(chromedp.CSS(`.c-rich-bar [data-attr-picker]`)),
		chromedp.Click(chromedp.CSS(`.c-menu [data-attribute="Name"]`)))

	// Add an image, a divider and a button; move the divider up; remove
	// the image.
	b.do("adding blocks", chromedp.Click(chromedp.CSS(`.c-blocks > .c-palette [data-add-block=image]`)),
		chromedp.SendKeys(chromedp.CSS(bound("blocks[1].src")), "https://cdn.example.com/logo.png"),
		chromedp.Click(chromedp.CSS(`.c-blocks > .c-palette [data-add-block=button]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(bound("blocks[2].text"))+`).value=''`),
		chromedp.SendKeys(chromedp.CSS(bound("blocks[2].text")), "Shop the sale"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(bound("blocks[2].url"))+`).value=''`),
		chromedp.SendKeys(chromedp.CSS(bound("blocks[2].url")), "https://shop.example.com/sale"),
		chromedp.Click(chromedp.CSS(`.c-blocks > .c-palette [data-add-block=divider]`)),
		chromedp.Click(chromedp.CSS(`[data-path="blocks[3]"] [title="Move up"]`)),
		chromedp.Click(chromedp.CSS(`[data-path="blocks[1]"] [title="Remove block"]`)))
	var doc struct {
		Subject string `json:"subject"`
		Blocks  []struct {
			Type string `json:"type"`
			HTML string `json:"html"`
			Text string `json:"text"`
			URL  string `json:"url"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(b.payload()), &doc); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, bl := range doc.Blocks {
		types = append(types, bl.Type)
	}
	if strings.Join(types, ",") != "text,divider,button" {
		t.Fatalf("blocks %v, want text, divider, button", types)
	}
	if doc.Blocks[0].HTML != "<p>Hello <b>dear</b> {{attribute.Name}}</p>" {
		t.Errorf("rich text %q", doc.Blocks[0].HTML)
	}

	// The preview frame shows the server's rendering.
	b.waitFor("the preview", `(function(){var d=document.querySelector('.c-email-frame').contentDocument;
		return !!d && d.body.innerHTML.indexOf('Shop the sale</a>') > 0 && d.body.innerHTML.indexOf('<strong>dear</strong>') > 0;})()`)
	b.shot("email-editor")

	b.submit("[data-save]")
	if got := b.text("main .alert-ok"); !strings.Contains(got, "Template Autumn newsletter saved") {
		t.Fatalf("after saving: %q", got)
	}
	page, err := f.store.ListTemplates(context.Background(), f.account.ID, herald.ListQuery{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("templates %v %v", page.Items, err)
	}
	tp := page.Items[0]
	if tp.Channel != herald.ChannelEmail || strings.Join(tp.Variables, ",") != "attribute.Name" || !strings.Contains(string(tp.Payload), `"type":"divider"`) {
		t.Errorf("saved %+v %s", tp, tp.Payload)
	}

	// Opened again, the editor shows the blocks as saved.
	b.open(templatePath(tp.ID))
	b.waitFor("the blocks", `document.querySelectorAll('.c-blocks > .c-block').length === 3 && document.querySelector('.c-rich').innerHTML === '<p>Hello <b>dear</b> {{attribute.Name}}</p>'`)
}

// TestBrowserConstructorEveryChannel builds and saves one template per
// channel through the constructor's forms, and checks the payload each
// form wrote: the forms speak the server's content model.
func TestBrowserConstructorEveryChannel(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t, f.srv.URL)
	f.signInBrowser(b, "ada")
	type step = chromedp.Action[chromedp.Void]
	keys := func(path, s string) step { return chromedp.SendKeys(chromedp.CSS(bound(path)), s) }
	click := func(sel string) step { return chromedp.Click(chromedp.CSS(sel)) }
	// Calendar times are typed in the browser's time zone and sent in UTC.
	utc := func(local string) string {
		s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`new Date('`+local+`').toISOString().replace(/\.\d{3}Z$/, 'Z')`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	start, end := utc("2026-12-08T10:00"), utc("2026-12-09T10:00")
	for _, tt := range []struct {
		channel string
		steps   []step
		want    string
	}{
		{"sms", []step{keys("text", "Hi {{attribute.Name}}, 20% off today")}, `{"text":"Hi {{attribute.Name}}, 20% off today"}`},
		{"rcs", []step{click(`[data-choice=horizontal]`), choose("card.imageAlignment", "right"),
			keys("card.media.url", "https://cdn.example.com/a.png"), keys("card.title", "Autumn"),
			click(`[data-add="card.suggestions"]`), keys("card.suggestions[0].text", "Book"), choose("card.suggestions[0].type", "calendar"),
			chromedp.Evaluate[chromedp.Void](`['start','end'].forEach(function(k,i){var e=document.querySelector('[data-bind="card.suggestions[0].'+k+'"]');` +
				`e.value='2026-12-0'+(8+i)+'T10:00';e.dispatchEvent(new Event('input',{bubbles:true}));})`),
			keys("card.suggestions[0].title", "Sale"),
			click(`[data-add="suggestions"]`), keys("suggestions[0].text", "Where?"), choose("suggestions[0].type", "location")},
			`{"type":"card","card":{"layout":"horizontal","imageAlignment":"right","title":"Autumn","media":{"url":"https://cdn.example.com/a.png"},` +
				`"suggestions":[{"type":"calendar","text":"Book","start":"` + start + `","end":"` + end + `","title":"Sale"}]},` +
				`"suggestions":[{"type":"location","text":"Where?"}]}`},
		{"viber", []step{click(`[data-choice=textMediaButton]`), keys("image.url", "https://cdn.example.com/a.jpg"), keys("text", "New arrivals"),
			keys("button.text", "Open"), keys("button.url", "https://shop.example.com")},
			`{"type":"textMediaButton","text":"New arrivals","image":{"url":"https://cdn.example.com/a.jpg"},"button":{"text":"Open","url":"https://shop.example.com"}}`},
		{"whatsapp", []step{click(`[data-choice=list]`), keys("list.body", "Pick a size"), keys("list.button", "Sizes"),
			keys("list.sections[0].rows[0].title", "Small"), click(`[data-add="list.sections[0].rows"]`), keys("list.sections[0].rows[1].title", "Large"),
			keys("list.sections[0].rows[1].description", "XL too")},
			`{"type":"list","list":{"body":"Pick a size","button":"Sizes","sections":[{"rows":[{"title":"Small"},{"title":"Large","description":"XL too"}]}]}}`},
		{"push", []step{keys("picture", "https://cdn.example.com/p.png"), keys("header", "Sale"), keys("body", "Up to 50%")},
			`{"header":"Sale","body":"Up to 50%","picture":"https://cdn.example.com/p.png"}`},
		{"tts", []step{choose("language", "es"), choose("repeat", "2"), keys("text", "Hola {{attribute.Name}}")},
			`{"language":"es","repeat":2,"text":"Hola {{attribute.Name}}"}`},
		{"mobilepush", []step{keys("header", "Order shipped"), keys("body", "It arrives tomorrow")},
			`{"header":"Order shipped","body":"It arrives tomorrow"}`},
	} {
		t.Run(tt.channel, func(t *testing.T) {
			b.open("/content-templates/new?channel=" + tt.channel)
			b.do("naming", chromedp.WaitVisible(chromedp.CSS(".c-root")), chromedp.SendKeys(chromedp.CSS("#f-name"), "Every "+tt.channel))
			b.do("filling the form", tt.steps...)
			b.shot("channel-" + tt.channel)
			b.submit("[data-save]")
			if got := b.text("main"); !strings.Contains(got, "Template Every "+tt.channel+" saved") {
				t.Fatalf("after saving: %s", got)
			}
			page, err := f.store.ListTemplates(context.Background(), f.account.ID, herald.ListQuery{
				Filters: []herald.Filter{{Field: "name", Op: herald.OpEq, Value: "Every " + tt.channel}}})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("saved: %v %v", page.Items, err)
			}
			if got := canonical(t, page.Items[0].Payload); got != canonical(t, []byte(tt.want)) {
				t.Errorf("payload\n got %s\nwant %s", got, canonical(t, []byte(tt.want)))
			}
		})
	}
}

// canonical re-encodes JSON with sorted keys.
func canonical(t *testing.T, raw []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
