package content

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/render"
)

// mustDecode decodes a payload that must be valid.
func mustDecode(t *testing.T, ch herald.Channel, raw string) Content {
	t.Helper()
	c, err := Decode(ch, json.RawMessage(raw))
	if err != nil {
		t.Fatalf("Decode(%s): %v", raw, err)
	}
	return c
}

func TestRenderEveryField(t *testing.T) {
	raw := `{"card": {"media": {"url": "https://x.io/{{attribute.photo}}"}, "title": "Hi {{attribute.name}}",
		"text": "Code {{code}}", "suggestions": [{"type": "url", "text": "Open {{attribute.name}}", "url": "https://x.io/?u={{attribute.id}}"}]},
		"suggestions": [{"type": "dial", "text": "Call", "phone": "{{attribute.phone}}"}]}`
	c := mustDecode(t, herald.ChannelRCS, raw)
	r := render.Renderer{
		Attrs:  map[string]string{"name": "Ana", "photo": "ana.jpg", "id": "42", "phone": "+34600111222"},
		Params: map[string]string{"code": "7"},
	}
	out, err := c.Render(r.Text)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*RCS)
	if got.Card.Title != "Hi Ana" || got.Card.Text != "Code 7" || got.Card.Media.URL != "https://x.io/ana.jpg" ||
		got.Card.Suggestions[0].Text != "Open Ana" || got.Card.Suggestions[0].URL != "https://x.io/?u=42" ||
		got.Suggestions[0].Phone != "+34600111222" {
		t.Errorf("rendered = %+v %+v", got.Card, got.Suggestions)
	}
	// The decoded content is a template for many recipients: it must not change.
	if orig := c.(*RCS); orig.Card.Title != "Hi {{attribute.name}}" || orig.Suggestions[0].Phone != "{{attribute.phone}}" {
		t.Errorf("Render changed its receiver: %+v", orig.Card)
	}
	if err := (Decoder{}).Check(out); err != nil {
		t.Errorf("Check(rendered) = %v", err)
	}
}

func TestRenderErrors(t *testing.T) {
	c := mustDecode(t, herald.ChannelWhatsApp, `{"list": {"body": "Hi", "button": "Pick", "sections": [{"rows": [{"title": "{{code}}"}]}]}}`)
	_, err := c.Render((&render.Renderer{}).Text)
	if err == nil || !strings.Contains(err.Error(), "payload.list.sections[0].rows[0].title") {
		t.Fatalf("error %v does not name the field", err)
	}
	if v := herald.ErrorViolations(err); len(v) != 1 || v[0].Field != "params.code" {
		t.Errorf("violations through the wrapping = %+v", v)
	}
}

func TestRenderSMSRefreshesInfo(t *testing.T) {
	c := mustDecode(t, herald.ChannelSMS, `{"text": "Hi {{attribute.name}}"}`)
	out, err := c.Render((&render.Renderer{Attrs: map[string]string{"name": "Jürgen ç"}}).Text)
	if err != nil {
		t.Fatal(err)
	}
	if s := out.(*SMS); s.Body != "Hi Jürgen ç" || s.Info.Encoding != "UCS-2" || s.Info.Units != 11 {
		t.Errorf("rendered SMS = %q %+v", s.Body, s.Info)
	}
	if c.(*SMS).Info.Encoding != "GSM-7" {
		t.Error("Render changed the original's Info")
	}
}

func TestCheckAfterRender(t *testing.T) {
	c := mustDecode(t, herald.ChannelRCS, `{"text": "x", "suggestions": [{"type": "url", "text": "Open", "url": "{{link}}"}]}`)
	out, err := c.Render((&render.Renderer{Params: map[string]string{"link": "javascript:alert(1)"}}).Text)
	if err != nil {
		t.Fatal(err)
	}
	err = Decoder{}.Check(out)
	if got := violations(err); len(got) != 1 || got[0] != "payload.suggestions[0].url format" {
		t.Errorf("Check = %v", got)
	}
	long := mustDecode(t, herald.ChannelSMS, `{"text": "{{body}}"}`)
	out, _ = long.Render((&render.Renderer{Params: map[string]string{"body": a(400)}}).Text)
	if got := violations(Decoder{MaxSMSSegments: 2}.Check(out)); len(got) != 1 || got[0] != "payload.text too_long" {
		t.Errorf("Check(long SMS) = %v", got)
	}
}

func TestEmailHTMLNeedsEscaping(t *testing.T) {
	c := mustDecode(t, herald.ChannelEmail, `{"subject": "Hi {{attribute.name}}", "html": "<p>Hi {{attribute.name}}</p>", "text": "Hi {{attribute.name}}"}`)
	r := render.Renderer{Attrs: map[string]string{"name": "<b>Ana</b>"}}
	if _, err := c.Render(r.Text); err == nil || !strings.Contains(err.Error(), "payload.html") {
		t.Errorf("Render of HTML with placeholders = %v, want a refusal naming payload.html", err)
	}
	out, err := Personalize(c, r.Text, r.HTML)
	if err != nil {
		t.Fatal(err)
	}
	e := out.(*Email)
	if e.Subject != "Hi <b>Ana</b>" || e.HTML != "<p>Hi &lt;b&gt;Ana&lt;/b&gt;</p>" || e.Body != "Hi <b>Ana</b>" {
		t.Errorf("personalized e-mail = %+v", e)
	}
	plain := mustDecode(t, herald.ChannelEmail, `{"subject": "Hi", "html": "<p>Static</p>"}`)
	if _, err := plain.Render(r.Text); err != nil {
		t.Errorf("Render of static HTML = %v", err)
	}
}

func TestRenderErrorIsWrapped(t *testing.T) {
	boom := errors.New("boom")
	c := mustDecode(t, herald.ChannelTTS, `{"language": "en", "text": "x"}`)
	if _, err := c.Render(func(string) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("Render error = %v, want it to wrap the renderer's", err)
	}
}

func TestTextAndPreview(t *testing.T) {
	tests := []struct {
		ch            herald.Channel
		raw           string
		text, preview string
	}{
		{herald.ChannelSMS, `{"text": "Hello\n  world"}`, "Hello\n  world", "Hello world"},
		{herald.ChannelSMS, f(`{"text": %q}`, a(61)), a(61), a(59) + "…"},
		{herald.ChannelSMS, f(`{"text": %q}`, a(60)), a(60), a(60)},
		{herald.ChannelRCS, `{"card": {"title": "Sale", "text": "50% off"}}`, "Sale\n50% off", "Rich card: Sale"},
		{herald.ChannelRCS, `{"carousel": {"cards": [{"title": "A"}, {"text": "B"}]}}`, "A\nB", "Carousel of 2 cards: A"},
		{herald.ChannelRCS, `{"file": {"url": "https://x.io/a.pdf", "name": "Price list.pdf"}}`, "", "File: Price list.pdf"},
		{herald.ChannelViber, `{"file": {"url": "https://x.io/a.pdf"}}`, "", "File: https://x.io/a.pdf"},
		{herald.ChannelViber, `{"text": "Hi", "button": {"text": "Go", "url": "https://x.io"}}`, "Hi", "Hi"},
		{herald.ChannelWhatsApp, `{"card": {"header": "Hey", "body": "Body", "footer": "Foot"}}`, "Hey\nBody\nFoot", "Card: Hey"},
		{herald.ChannelWhatsApp, `{"list": {"body": "Pick", "button": "b", "sections": [{"rows": [{"title": "x"}]}]}}`, "Pick", "List: Pick"},
		{herald.ChannelWhatsApp, `{"location": {"latitude": 1, "longitude": 2, "name": "Shop"}}`, "Shop", "Location: Shop"},
		{herald.ChannelWhatsApp, `{"requestLocation": {"text": "Where?"}}`, "Where?", "Location request: Where?"},
		{herald.ChannelWhatsApp, `{"template": {"name": "otp", "language": {"code": "en"}}}`, "", "Template: otp"},
		{herald.ChannelEmail, `{"subject": "News", "html": "<style>p{}</style><p>Hello&amp;bye</p><!-- x --><p>Two</p>"}`, "Hello&bye Two", "News"},
		{herald.ChannelPush, `{"picture": "https://x.io/a.png"}`, "", "Picture"},
		{herald.ChannelPush, `{"header": "H", "body": "B"}`, "H\nB", "H"},
		{herald.ChannelMobilePush, `{"header": "H", "body": "B"}`, "H\nB", "H"},
		{herald.ChannelTTS, `{"language": "en", "text": "Code 1 2 3"}`, "Code 1 2 3", "Code 1 2 3"},
		{herald.ChannelTelegram, `{"text": "Hi"}`, "Hi", "Hi"},
	}
	for _, tt := range tests {
		c := mustDecode(t, tt.ch, tt.raw)
		if got := c.Text(); got != tt.text {
			t.Errorf("%s %s: Text() = %q, want %q", tt.ch, tt.raw, got, tt.text)
		}
		if got := c.Preview(); got != tt.preview {
			t.Errorf("%s %s: Preview() = %q, want %q", tt.ch, tt.raw, got, tt.preview)
		}
	}
}

func TestDecodeFillsDefaults(t *testing.T) {
	if c := mustDecode(t, herald.ChannelTTS, `{"language": "en", "text": "x"}`).(*TTS); c.Repeat != 1 {
		t.Errorf("Repeat = %d, want 1", c.Repeat)
	}
	if c := mustDecode(t, herald.ChannelRCS, `{"carousel": {"cards": [{"title": "A"}, {"title": "B"}]}}`).(*RCS); c.Type != "carousel" {
		t.Errorf("RCS Type = %q", c.Type)
	}
	if c := mustDecode(t, herald.ChannelViber, `{"text": "x", "button": {"text": "a", "url": "https://x.io"}}`).(*Viber); c.Type != ViberTextButton {
		t.Errorf("Viber Type = %q", c.Type)
	}
}

func TestMessages(t *testing.T) {
	_, err := Decode(herald.ChannelRCS, json.RawMessage(rcsCard(`"title": "T", "suggestions": [`+repeatJSON(reply, 4)+f(`, {"type": "reply", "text": %q}]`, a(31)))))
	for field, want := range map[string]string{
		"payload.card.suggestions":         "A card can have at most 4 suggestions (it has 5).",
		"payload.card.suggestions[4].text": "CTA text must be at most 25 characters (it has 31).",
	} {
		if got := message(err, field); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	_, err = Decode(herald.ChannelViber, json.RawMessage(`{"file": {"url": "https://x.io/a.mp4", "size": 262668288}}`))
	if got, want := message(err, "payload.file.size"), "File must be at most 200 MB (it has 250.5 MB)."; got != want {
		t.Errorf("size message %q, want %q", got, want)
	}
	_, err = Decode(herald.ChannelSMS, json.RawMessage(`{"text": "x", "fallbackUrl": 1}`))
	if got, want := message(err, "payload.fallbackUrl"), "Fallback URL is not a known field here."; got != want {
		t.Errorf("unknown message %q, want %q", got, want)
	}
}
