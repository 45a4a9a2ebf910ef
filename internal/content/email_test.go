package content

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/render"
)

func TestDecodeEmail(t *testing.T) {
	runDecode(t, Decoder{}, herald.ChannelEmail, []decodeCase{
		{"html", `{"subject": "Hi", "subtitle": "Sale", "html": "<p>Hello</p>"}`, nil},
		{"text", `{"subject": "Hi", "text": "Hello"}`, nil},
		{"both parts", `{"subject": "Hi", "html": "<p>Hello</p>", "text": "Hello"}`, nil},
		{"no part", `{"subject": "Hi"}`, []string{"payload.html required"}},
		{"subject missing", `{"text": "Hello"}`, []string{"payload.subject required"}},
		{"subject at limit", f(`{"subject": %q, "text": "x"}`, a(998)), nil},
		{"subject over limit", f(`{"subject": %q, "text": "x"}`, a(999)), []string{"payload.subject too_long"}},
		{"subject two lines", `{"subject": "Hi\r\nBcc: x@example.com", "text": "x"}`, []string{"payload.subject format"}},
		{"subtitle at limit", f(`{"subject": "s", "subtitle": %q, "text": "x"}`, a(255)), nil},
		{"subtitle over limit", f(`{"subject": "s", "subtitle": %q, "text": "x"}`, a(256)), []string{"payload.subtitle too_long"}},
		{"html placeholder malformed", `{"subject": "s", "html": "<p>{{attribute.name</p>"}`, []string{"payload.html format"}},
		{"attachments", `{"subject": "s", "text": "x", "attachments": [{"mediaId": 3}, {"mediaId": 4, "name": "Invoice.pdf"}]}`, nil},
		{"attachment without media", `{"subject": "s", "text": "x", "attachments": [{"name": "a.pdf"}]}`, []string{"payload.attachments[0].mediaId required"}},
		{"attachment name two lines", `{"subject": "s", "text": "x", "attachments": [{"mediaId": 1, "name": "a\nb"}]}`, []string{"payload.attachments[0].name format"}},
		{"too many attachments", f(`{"subject": "s", "text": "x", "attachments": [%s]}`, strings.Repeat(`{"mediaId": 1},`, 10)+`{"mediaId": 1}`), []string{"payload.attachments too_long"}},
	})
}

func TestDecodeEmailBlocks(t *testing.T) {
	text := `{"type": "text", "html": "<p>Hi {{attribute.name}}</p>"}`
	runDecode(t, Decoder{}, herald.ChannelEmail, []decodeCase{
		{"blocks", `{"subject": "s", "blocks": [` + text + `]}`, nil},
		{"blocks with parts", `{"subject": "s", "html": "<p>old</p>", "text": "old", "blocks": [` + text + `]}`, nil},
		{"empty blocks", `{"subject": "s", "blocks": []}`, []string{"payload.blocks required"}},
		{"blocks null", `{"subject": "s", "blocks": null}`, []string{"payload.html required"}},
		{"blocks not a list", `{"subject": "s", "blocks": {}}`, []string{"payload.blocks format"}},
		{"block not an object", `{"subject": "s", "blocks": [` + text + `, 3]}`, []string{"payload.blocks[1] format", "payload.blocks[1].type required"}},
		{"unknown block field", `{"subject": "s", "blocks": [{"type": "text", "html": "x", "colour": "#fff"}]}`, []string{"payload.blocks[0].colour unknown"}},
		{"number as text", `{"subject": "s", "blocks": [{"type": "text", "html": "x", "fontSize": "12"}]}`, []string{"payload.blocks[0].fontSize format"}},
		{"absurd number", `{"subject": "s", "blocks": [{"type": "spacer", "height": 99999999999}]}`, []string{"payload.blocks[0].height range"}},
		{"nested path", `{"subject": "s", "blocks": [` + text + `, {"type": "columns", "columns": [{"blocks": [{"type": "button", "text": "Go"}]}, {"blocks": []}]}]}`,
			[]string{"payload.blocks[1].columns[0].blocks[0].url required"}},
		{"unknown column field", `{"subject": "s", "blocks": [{"type": "columns", "columns": [{"blocks": [], "width": 50}, {"blocks": []}]}]}`,
			[]string{"payload.blocks[0].columns[0].width unknown"}},
		{"social link field", `{"subject": "s", "blocks": [{"type": "social", "links": [{"network": "x", "url": "https://x.com/a", "icon": "x"}]}]}`,
			[]string{"payload.blocks[0].links[0].icon unknown"}},
		{"placeholder malformed", `{"subject": "s", "blocks": [{"type": "text", "html": "Hi {{attribute.name"}]}`, []string{"payload.blocks[0].html format"}},
		{"placeholder malformed in url", `{"subject": "s", "blocks": [{"type": "wrapper", "blocks": [{"type": "button", "text": "Go", "url": "https://x.io/{{id"}]}]}`,
			[]string{"payload.blocks[0].blocks[0].url format"}},
		{"script", `{"subject": "s", "blocks": [{"type": "text", "html": "<script>x</script>"}]}`, []string{"payload.blocks[0].html format"}},
		{"every type", `{"subject": "s", "subtitle": "p", "blocks": [` + text + `,
			{"type": "image", "src": "https://x.io/a.png", "alt": "A", "url": "https://x.io", "width": 300, "mediaId": 4, "align": "center"},
			{"type": "button", "text": "Go", "url": "https://x.io", "radius": 0, "color": "#fff", "background": "#000"},
			{"type": "social", "links": [{"network": "facebook", "url": "https://facebook.com/a"}]},
			{"type": "divider", "thickness": 2, "color": "#ddd"}, {"type": "spacer", "height": 30},
			{"type": "wrapper", "padding": 24, "background": "#eee", "blocks": [` + text + `]},
			{"type": "columns", "columns": [{"blocks": [` + text + `]}, {"blocks": [` + text + `]}, {"blocks": []}]}]}`, nil},
	})
}

func TestEmailBlocksRendered(t *testing.T) {
	raw := `{"subject": "Sale for {{attribute.name}}", "subtitle": "Up to 50%", "html": "<p>old</p>", "blocks": [
		{"type": "text", "html": "<p>Hi <b>{{attribute.name}}</b></p>"},
		{"type": "button", "text": "Shop {{attribute.name}}", "url": "{{attribute.site}}/sale"}]}`
	c, err := Decode(herald.ChannelEmail, json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	e := c.(*Email)
	if strings.Contains(e.HTML, "<p>old</p>") || !strings.Contains(e.HTML, "<strong>{{attribute.name}}</strong>") || !strings.Contains(e.HTML, "Up to 50%") {
		t.Fatalf("HTML part not made from the blocks:\n%s", e.HTML)
	}
	if e.Body != "Hi {{attribute.name}}\n\nShop {{attribute.name}}: {{attribute.site}}/sale\n" {
		t.Fatalf("text part %q", e.Body)
	}

	var cache render.Cache
	r := render.Renderer{Cache: &cache, Attrs: map[string]string{"name": "<Ana & Bo>", "site": "https://shop.example.com"}}
	out, err := Personalize(c, r.Text, r.HTML)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Decoder{}).Check(out); err != nil {
		t.Fatal(err)
	}
	p := out.(*Email)
	for _, want := range []string{"<strong>&lt;Ana &amp; Bo&gt;</strong>", `href="https://shop.example.com/sale"`, "Shop &lt;Ana &amp; Bo&gt;</a>", "<title>Sale for &lt;Ana &amp; Bo&gt;</title>"} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("personalized HTML part lacks %s:\n%s", want, p.HTML)
		}
	}
	if want := "Hi <Ana & Bo>\n\nShop <Ana & Bo>: https://shop.example.com/sale\n"; p.Body != want {
		t.Errorf("personalized text part %q, want %q", p.Body, want)
	}
	if strings.Contains(e.HTML, "Ana") || e.Blocks[0].HTML != "<p>Hi <b>{{attribute.name}}</b></p>" {
		t.Error("Personalize changed the original")
	}

	// A value that makes a bad address is caught by the check after
	// personalization, at the block's field.
	r = render.Renderer{Cache: &cache, Attrs: map[string]string{"name": "x", "site": "javascript:alert(1)//"}}
	out, err = Personalize(c, r.Text, r.HTML)
	if err != nil {
		t.Fatal(err)
	}
	err = (Decoder{}).Check(out)
	if got := violations(err); !slices.Equal(got, []string{"payload.blocks[1].url format"}) {
		t.Fatalf("check after personalization: %q (%v)", got, err)
	}

	// Render without an HTML renderer refuses rich text with placeholders.
	if _, err := c.Render(r.Text); err == nil || !strings.Contains(err.Error(), "payload.blocks[0].html") {
		t.Fatalf("Render with text only: %v", err)
	}
}

func TestDecodePush(t *testing.T) {
	runDecode(t, Decoder{}, herald.ChannelPush, []decodeCase{
		{"picture only", `{"picture": "https://x.io/a.png"}`, nil},
		{"header only", `{"header": "Sale"}`, nil},
		{"body only", `{"body": "Up to 50%"}`, nil},
		{"all", `{"picture": "https://x.io/a.png", "header": "Sale", "body": "Up to 50%"}`, nil},
		{"nothing", `{}`, []string{"payload required"}},
		{"picture not web", `{"picture": "data:image/png;base64,AAAA"}`, []string{"payload.picture format"}},
		{"at size limit", f(`{"header": %q, "body": %q}`, a(96), a(4000)), nil},
		{"over size limit", f(`{"header": %q, "body": %q}`, a(97), a(4000)), []string{"payload.body too_long"}},
	})
	runDecode(t, Decoder{}, herald.ChannelMobilePush, []decodeCase{
		{"header and body", `{"header": "Sale", "body": "Up to 50%"}`, nil},
		{"header missing", `{"body": "x"}`, []string{"payload.header required"}},
		{"body missing", `{"header": "x"}`, []string{"payload.body required"}},
		{"picture not accepted", `{"header": "x", "body": "y", "picture": "https://x.io/a.png"}`, []string{"payload.picture unknown"}},
		{"over size limit", f(`{"header": %q, "body": %q}`, a(97), a(4000)), []string{"payload.body too_long"}},
	})
}

func TestDecodeTTS(t *testing.T) {
	runDecode(t, Decoder{}, herald.ChannelTTS, []decodeCase{
		{"english", `{"language": "en", "text": "Your code is 1 2 3"}`, nil},
		{"spanish three times", `{"language": "es", "repeat": 3, "text": "Hola"}`, nil},
		{"once", `{"language": "es", "repeat": 1, "text": "Hola"}`, nil},
		{"zero times", `{"language": "es", "repeat": 0, "text": "Hola"}`, []string{"payload.repeat range"}},
		{"four times", `{"language": "es", "repeat": 4, "text": "Hola"}`, []string{"payload.repeat range"}},
		{"fractional", `{"language": "es", "repeat": 1.5, "text": "Hola"}`, []string{"payload.repeat format"}},
		{"repeat as text", `{"language": "es", "repeat": "2", "text": "Hola"}`, []string{"payload.repeat format"}},
		{"french", `{"language": "fr", "text": "Bonjour"}`, []string{"payload.language format"}},
		{"no language", `{"text": "Hi"}`, []string{"payload.language required"}},
		{"text at limit", f(`{"language": "en", "text": %q}`, a(1500)), nil},
		{"text over limit", f(`{"language": "en", "text": %q}`, a(1501)), []string{"payload.text too_long"}},
		{"no text", `{"language": "en"}`, []string{"payload.text required"}},
	})
}
