package emailblocks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// checkCase is a body and the violations it must produce as "field code".
type checkCase struct {
	name string
	json string
	want []string
}

func runCheck(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var blocks []Block
			if err := json.Unmarshal([]byte(tt.json), &blocks); err != nil {
				t.Fatalf("test body: %v", err)
			}
			var got []string
			for _, v := range Check("payload", blocks) {
				got = append(got, v.Field+" "+v.Code)
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("violations:\n got %q\nwant %q\n%v", got, want, Check("payload", blocks))
			}
		})
	}
}

// j formats a body.
func j(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// q quotes s as JSON.
func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestCheckStructure(t *testing.T) {
	text := `{"type": "text", "html": "Hi"}`
	runCheck(t, []checkCase{
		{"empty body", `[]`, []string{"payload.blocks required"}},
		{"one text", `[` + text + `]`, nil},
		{"no type", `[{"html": "Hi"}]`, []string{"payload.blocks[0].type required"}},
		{"unknown type", `[{"type": "video"}]`, []string{"payload.blocks[0].type format"}},
		{"field of another type", `[{"type": "text", "html": "Hi", "url": "https://x.io"}]`, []string{"payload.blocks[0].url unknown"}},
		{"at block limit", `[` + strings.Repeat(text+",", MaxBlocks-1) + text + `]`, nil},
		{"over block limit", `[` + strings.Repeat(text+",", MaxBlocks) + text + `]`, []string{"payload.blocks too_long"}},
		{"wrapper", `[{"type": "wrapper", "padding": 24, "background": "#eee", "blocks": [` + text + `]}]`, nil},
		{"empty wrapper", `[{"type": "wrapper"}]`, []string{"payload.blocks[0].blocks required"}},
		{"wrapper in wrapper", `[{"type": "wrapper", "blocks": [{"type": "wrapper", "blocks": [` + text + `]}]}]`, []string{"payload.blocks[0].blocks[0].type format"}},
		{"columns in wrapper", `[{"type": "wrapper", "blocks": [{"type": "columns", "columns": [{"blocks": [` + text + `]}, {"blocks": []}]}]}]`, nil},
		{"padding at limit", `[{"type": "wrapper", "padding": 64, "blocks": [` + text + `]}]`, nil},
		{"padding over limit", `[{"type": "wrapper", "padding": 65, "blocks": [` + text + `]}]`, []string{"payload.blocks[0].padding range"}},
		{"two columns", `[{"type": "columns", "columns": [{"blocks": [` + text + `]}, {"blocks": [` + text + `]}]}]`, nil},
		{"three columns", `[{"type": "columns", "columns": [{"blocks": []}, {"blocks": []}, {"blocks": [` + text + `]}]}]`, nil},
		{"one column", `[{"type": "columns", "columns": [{"blocks": [` + text + `]}]}]`, []string{"payload.blocks[0].columns range"}},
		{"four columns", `[{"type": "columns", "columns": [{"blocks": []}, {"blocks": []}, {"blocks": []}, {"blocks": []}]}]`, []string{"payload.blocks[0].columns range"}},
		{"columns in a column", `[{"type": "columns", "columns": [{"blocks": [{"type": "columns", "columns": []}]}, {"blocks": []}]}]`, []string{"payload.blocks[0].columns[0].blocks[0].type format"}},
		{"wrapper in a column", `[{"type": "columns", "columns": [{"blocks": []}, {"blocks": [{"type": "wrapper", "blocks": []}]}]}]`, []string{"payload.blocks[0].columns[1].blocks[0].type format"}},
		{"deep path", `[` + text + `, {"type": "wrapper", "blocks": [{"type": "columns", "columns": [{"blocks": []}, {"blocks": [{"type": "button", "text": "Go"}]}]}]}]`,
			[]string{"payload.blocks[1].blocks[0].columns[1].blocks[0].url required"}},
	})
}

func TestCheckText(t *testing.T) {
	runCheck(t, []checkCase{
		{"rich", `[{"type": "text", "html": "<h1>Hi</h1><p>A <b>b</b> <strong>c</strong> <i>d</i> <em>e</em> <u>f</u> <s>g</s><br>h</p><ul><li>x</li></ul><ol><li>y</li></ol><h2>z</h2><h3>w</h3>"}]`, nil},
		{"placeholder", `[{"type": "text", "html": "Hi {{attribute.name}}"}]`, nil},
		{"link", `[{"type": "text", "html": "<a href=\"https://x.io\" target=\"_blank\" rel=\"noopener\">x</a> <a href=\"mailto:a@x.io\">m</a> <a href=\"tel:+34911\">t</a>"}]`, nil},
		{"templated link", `[{"type": "text", "html": "<a href=\"{{attribute.site}}\">x</a> <a href=\"https://x.io/{{attribute.id}}\">y</a>"}]`, nil},
		{"templated link without scheme", `[{"type": "text", "html": "<a href=\"x.io/{{attribute.id}}\">y</a>"}]`, []string{"payload.blocks[0].html format"}},
		{"script", `[{"type": "text", "html": "<script>alert(1)</script>"}]`, []string{"payload.blocks[0].html format"}},
		{"div", `[{"type": "text", "html": "<div>Hi</div>"}]`, []string{"payload.blocks[0].html format"}},
		{"style attribute", `[{"type": "text", "html": "<p style=\"color:red\">Hi</p>"}]`, []string{"payload.blocks[0].html format"}},
		{"event attribute", `[{"type": "text", "html": "<b onclick=\"x()\">Hi</b>"}]`, []string{"payload.blocks[0].html format"}},
		{"javascript link", `[{"type": "text", "html": "<a href=\"javascript:alert(1)\">x</a>"}]`, []string{"payload.blocks[0].html format"}},
		{"link without href", `[{"type": "text", "html": "<a>x</a>"}]`, []string{"payload.blocks[0].html format"}},
		{"empty", `[{"type": "text", "html": "<p> </p><br>"}]`, []string{"payload.blocks[0].html required"}},
		{"missing", `[{"type": "text"}]`, []string{"payload.blocks[0].html required"}},
		{"at length limit", j(`[{"type": "text", "html": %q}]`, strings.Repeat("a", MaxRichText)), nil},
		{"over length limit", j(`[{"type": "text", "html": %q}]`, strings.Repeat("a", MaxRichText+1)), []string{"payload.blocks[0].html too_long"}},
		{"style", `[{"type": "text", "html": "x", "color": "#1a2B3c", "fontSize": 48, "align": "justify"}]`, nil},
		{"short colour", `[{"type": "text", "html": "x", "color": "#abc"}]`, nil},
		{"named colour", `[{"type": "text", "html": "x", "color": "red"}]`, []string{"payload.blocks[0].color format"}},
		{"colour injection", `[{"type": "text", "html": "x", "color": "#fff;background:url(x)"}]`, []string{"payload.blocks[0].color format"}},
		{"font too small", `[{"type": "text", "html": "x", "fontSize": 9}]`, []string{"payload.blocks[0].fontSize range"}},
		{"font too large", `[{"type": "text", "html": "x", "fontSize": 49}]`, []string{"payload.blocks[0].fontSize range"}},
		{"bad align", `[{"type": "text", "html": "x", "align": "middle"}]`, []string{"payload.blocks[0].align format"}},
	})
}

func TestCheckImageButton(t *testing.T) {
	runCheck(t, []checkCase{
		{"image", `[{"type": "image", "src": "https://x.io/a.png", "alt": "A", "url": "https://x.io", "width": 600, "align": "center", "mediaId": 7}]`, nil},
		{"image without src", `[{"type": "image", "alt": "A"}]`, []string{"payload.blocks[0].src required"}},
		{"image data src", `[{"type": "image", "src": "data:image/png;base64,AAAA"}]`, []string{"payload.blocks[0].src format"}},
		{"image mailto src", `[{"type": "image", "src": "mailto:a@x.io"}]`, []string{"payload.blocks[0].src format"}},
		{"image templated src", `[{"type": "image", "src": "{{attribute.photo}}"}]`, nil},
		{"image link mailto", `[{"type": "image", "src": "https://x.io/a.png", "url": "mailto:a@x.io"}]`, nil},
		{"image width at limits", `[{"type": "image", "src": "https://x.io/a.png", "width": 16}]`, nil},
		{"image too narrow", `[{"type": "image", "src": "https://x.io/a.png", "width": 15}]`, []string{"payload.blocks[0].width range"}},
		{"image too wide", `[{"type": "image", "src": "https://x.io/a.png", "width": 601}]`, []string{"payload.blocks[0].width range"}},
		{"alt at limit", j(`[{"type": "image", "src": "https://x.io/a.png", "alt": %q}]`, strings.Repeat("a", MaxAlt)), nil},
		{"alt over limit", j(`[{"type": "image", "src": "https://x.io/a.png", "alt": %q}]`, strings.Repeat("a", MaxAlt+1)), []string{"payload.blocks[0].alt too_long"}},
		{"src over limit", j(`[{"type": "image", "src": %q}]`, "https://x.io/"+strings.Repeat("a", MaxURL)), []string{"payload.blocks[0].src too_long"}},
		{"button", `[{"type": "button", "text": "Go", "url": "https://x.io", "color": "#fff", "background": "#000000", "radius": 0, "align": "right"}]`, nil},
		{"button tel", `[{"type": "button", "text": "Call", "url": "tel:+34911234567"}]`, nil},
		{"button without text", `[{"type": "button", "url": "https://x.io"}]`, []string{"payload.blocks[0].text required"}},
		{"button text at limit", j(`[{"type": "button", "text": %q, "url": "https://x.io"}]`, strings.Repeat("a", MaxButtonText)), nil},
		{"button text over limit", j(`[{"type": "button", "text": %q, "url": "https://x.io"}]`, strings.Repeat("a", MaxButtonText+1)), []string{"payload.blocks[0].text too_long"}},
		{"button ftp", `[{"type": "button", "text": "Go", "url": "ftp://x.io"}]`, []string{"payload.blocks[0].url format"}},
		{"button spaces", `[{"type": "button", "text": "Go", "url": "https://x.io/a b"}]`, []string{"payload.blocks[0].url format"}},
		{"button radius over", `[{"type": "button", "text": "Go", "url": "https://x.io", "radius": 41}]`, []string{"payload.blocks[0].radius range"}},
		{"button bad colour", `[{"type": "button", "text": "Go", "url": "https://x.io", "background": "blue"}]`, []string{"payload.blocks[0].background format"}},
	})
}

func TestCheckSocialDividerSpacer(t *testing.T) {
	link := `{"network": "facebook", "url": "https://facebook.com/acme"}`
	runCheck(t, []checkCase{
		{"social", `[{"type": "social", "links": [` + link + `, {"network": "email", "url": "mailto:a@x.io"}], "align": "left"}]`, nil},
		{"social every network", `[{"type": "social", "links": [` + everyNetwork() + `]}]`, nil},
		{"social empty", `[{"type": "social", "links": []}]`, []string{"payload.blocks[0].links required"}},
		{"social at limit", `[{"type": "social", "links": [` + strings.Repeat(link+",", MaxSocialLinks-1) + link + `]}]`, nil},
		{"social over limit", `[{"type": "social", "links": [` + strings.Repeat(link+",", MaxSocialLinks) + link + `]}]`, []string{"payload.blocks[0].links too_long"}},
		{"social unknown network", `[{"type": "social", "links": [{"network": "myspace", "url": "https://x.io"}]}]`, []string{"payload.blocks[0].links[0].network format"}},
		{"social no network", `[{"type": "social", "links": [{"url": "https://x.io"}]}]`, []string{"payload.blocks[0].links[0].network required"}},
		{"social no url", `[{"type": "social", "links": [` + link + `, {"network": "x"}]}]`, []string{"payload.blocks[0].links[1].url required"}},
		{"social email without mailto", `[{"type": "social", "links": [{"network": "email", "url": "a@x.io"}]}]`, []string{"payload.blocks[0].links[0].url format"}},
		{"social mailto for a network", `[{"type": "social", "links": [{"network": "x", "url": "mailto:a@x.io"}]}]`, []string{"payload.blocks[0].links[0].url format"}},
		{"divider", `[{"type": "divider", "color": "#ddd", "thickness": 10}]`, nil},
		{"divider default", `[{"type": "divider"}]`, nil},
		{"divider too thick", `[{"type": "divider", "thickness": 11}]`, []string{"payload.blocks[0].thickness range"}},
		{"spacer", `[{"type": "spacer", "height": 200}]`, nil},
		{"spacer default", `[{"type": "spacer"}]`, nil},
		{"spacer too high", `[{"type": "spacer", "height": 201}]`, []string{"payload.blocks[0].height range"}},
		{"spacer negative", `[{"type": "spacer", "height": -1}]`, []string{"payload.blocks[0].height range"}},
	})
}

// everyNetwork lists one link per network.
func everyNetwork() string {
	var links []string
	for _, n := range Networks() {
		u := "https://example.com/" + n
		if n == "email" {
			u = "mailto:a@example.com"
		}
		links = append(links, j(`{"network": %s, "url": %s}`, q(n), q(u)))
	}
	return strings.Join(links, ",")
}

func TestFieldsAndClone(t *testing.T) {
	d := []Block{
		{Type: TypeText, HTML: "<p>Hi {{attribute.name}}</p>"},
		{Type: TypeWrapper, Blocks: []Block{{Type: TypeColumns, Columns: []Column{
			{Blocks: []Block{{Type: TypeButton, Text: "Go", URL: "https://x.io"}}},
			{Blocks: []Block{{Type: TypeSocial, Links: []SocialLink{{Network: "x", URL: "https://x.com/a"}}}}},
		}}}},
	}
	c := Clone(d)
	var paths []string
	Fields(c, func(path, key string, v *string, rich bool) {
		paths = append(paths, fmt.Sprintf("%s %s %v", path, key, rich))
		*v = "changed"
	})
	want := []string{
		"blocks[0].html html true",
		"blocks[1].blocks[0].columns[0].blocks[0].text text false",
		"blocks[1].blocks[0].columns[0].blocks[0].url url false",
		"blocks[1].blocks[0].columns[1].blocks[0].links[0].url url false",
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("Fields paths:\n got %q\nwant %q", paths, want)
	}
	if d[0].HTML != "<p>Hi {{attribute.name}}</p>" || d[1].Blocks[0].Columns[1].Blocks[0].Links[0].URL != "https://x.com/a" {
		t.Fatal("changing the clone changed the original")
	}
}
