package emailblocks

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// update rewrites the golden files: go test ./internal/emailblocks -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// document is a golden test's input.
type document struct {
	Options Options `json:"options"`
	Blocks  []Block `json:"blocks"`
}

// load reads testdata/name.json.
func load(t *testing.T, name string) document {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var d document
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	if vs := Check("payload", d.Blocks); len(vs) > 0 {
		t.Fatalf("%s.json breaks rules: %v", name, vs)
	}
	return d
}

// golden compares got with testdata/file, or rewrites it with -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendering; diff it with go test -update and git diff:\n%s", file, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\nwant " + al[i] + "\n got " + bl[i]
		}
	}
	return "lengths differ: want " + strconv.Itoa(len(al)) + " lines, got " + strconv.Itoa(len(bl))
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"newsletter", "minimal"} {
		t.Run(name, func(t *testing.T) {
			d := load(t, name)
			golden(t, name+".html", HTML(d.Blocks, d.Options))
			golden(t, name+".txt", Text(d.Blocks))
		})
	}
}

// TestTextCarriesEverything checks that the plain-text part has every
// text a reader sees and every address a click leads to, in every block of
// the newsletter, however deep.
func TestTextCarriesEverything(t *testing.T) {
	d := load(t, "newsletter")
	text := Text(d.Blocks)
	var want []string
	var walk func([]Block)
	walk = func(blocks []Block) {
		for _, b := range blocks {
			switch b.Type {
			case TypeText:
				tree, prob := parseRich(b.HTML)
				if prob != nil {
					t.Fatal(prob.msg)
				}
				for _, w := range strings.Fields(tree.visibleText()) {
					// A link's address follows its label, before the punctuation.
					want = append(want, strings.TrimRight(w, ".,!?:"))
				}
				for _, a := range tree.links() {
					want = append(want, strings.TrimPrefix(a.href, "mailto:"))
				}
			case TypeImage:
				want = append(want, b.Alt, b.URL)
			case TypeButton:
				want = append(want, b.Text, b.URL)
			case TypeSocial:
				for _, l := range b.Links {
					want = append(want, l.URL)
				}
			}
			walk(b.Blocks)
			for _, c := range b.Columns {
				walk(c.Blocks)
			}
		}
	}
	walk(d.Blocks)
	if len(want) < 40 {
		t.Fatalf("only %d strings to look for: the walk misses blocks", len(want))
	}
	for _, s := range want {
		if s != "" && !strings.Contains(text, s) {
			t.Errorf("the text part lacks %q:\n%s", s, text)
		}
	}
}

// TestHTMLEveryLink checks that every address of the newsletter is a link
// of the HTML part and every text is in it.
func TestHTMLEveryLink(t *testing.T) {
	d := load(t, "newsletter")
	doc := HTML(d.Blocks, d.Options)
	for _, s := range []string{
		`href="https://acme.example.com"`, `href="mailto:help@acme.example.com"`, `href="https://acme.example.com/faq"`,
		`href="https://acme.example.com/sale?u={{attribute.id}}"`, `href="https://acme.example.com/coat"`,
		`href="https://facebook.com/acme"`, `href="mailto:hello@acme.example.com"`, `href="https://acme.example.com/new"`,
		`src="https://cdn.example.com/scarf.jpg"`, `alt="Wool coat"`, ">Shop the sale</a>", "Hello {{attribute.name}}!",
		"Up to 50% off, this week only", "<title>Autumn sale at {{attribute.shop}}</title>",
		`class="h-col"`, "@media only screen and (max-width:619px)", `max-width:600px`,
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("the HTML part lacks %s", s)
		}
	}
}

// TestHTMLSafe checks that values reach the HTML escaped, and that link
// addresses of other schemes and bad colours never do.
func TestHTMLSafe(t *testing.T) {
	blocks := []Block{
		{Type: TypeImage, Src: `https://x.io/a.png" onerror="alert(1)`, Alt: `"><script>alert(1)</script>`, URL: "javascript:alert(1)"},
		{Type: TypeButton, Text: "<b>Go</b>", URL: "JavaScript:alert(1)", Background: "red;background-image:url(x)", Color: "#fff"},
		{Type: TypeText, HTML: `<p>Hi <a href="javascript:alert(1)">there</a> &lt;script&gt;</p>`},
		{Type: TypeSocial, Links: []SocialLink{{Network: "x", URL: "data:text/html,hi"}, {Network: "facebook", URL: "https://fb.com/a"}}},
	}
	doc := HTML(blocks, Options{Title: "</title><script>", Preheader: "<b>"})
	for _, bad := range []string{"<script", "javascript:", "JavaScript:", "onerror=\"", "background-image", "data:text", "<b>Go"} {
		if strings.Contains(doc, bad) {
			t.Errorf("the HTML part has %q:\n%s", bad, doc)
		}
	}
	for _, good := range []string{"&lt;script&gt;", "&lt;b&gt;Go&lt;/b&gt;", `href="https://fb.com/a"`, "Hi there"} {
		if !strings.Contains(doc, good) {
			t.Errorf("the HTML part lacks %q", good)
		}
	}
}

func TestTextRich(t *testing.T) {
	for _, tt := range []struct{ html, want string }{
		{"Hello   <b>world</b>", "Hello world"},
		{"<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"a<br>b<br><br>c", "a\nb\n\nc"},
		{"<ul><li>x</li><li>y <i>z</i></li></ul><ol><li>first</li><li>second</li></ol>", "- x\n- y z\n\n1. first\n2. second"},
		{`<p>See <a href="https://x.io">our site</a>.</p>`, "See our site (https://x.io)."},
		{`<a href="https://x.io">https://x.io</a>`, "https://x.io"},
		{`Write to <a href="mailto:a@x.io">a@x.io</a>`, "Write to a@x.io"},
		{"<h1>Title</h1>Body", "Title\n\nBody"},
		{"x &amp; y &lt;3", "x & y <3"},
	} {
		got := Text([]Block{{Type: TypeText, HTML: tt.html}})
		if got != tt.want+"\n" {
			t.Errorf("Text(%q) = %q, want %q", tt.html, got, tt.want+"\n")
		}
	}
}
