package render

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func TestRender(t *testing.T) {
	attrs := map[string]string{
		"name":                "Ana",
		"Fecha de nacimiento": "1990-05-01",
		"Город":               "Москва",
		"City":                "Madrid",
	}
	params := map[string]string{"code": "4821", "1": "first", "Code": "upper"}
	tests := []struct {
		name, text, want string
	}{
		{"no placeholders", "Hello there", "Hello there"},
		{"empty", "", ""},
		{"attribute", "Hi {{attribute.name}}!", "Hi Ana!"},
		{"attribute with spaces", "Born {{attribute.Fecha de nacimiento}}", "Born 1990-05-01"},
		{"attribute any case", "{{ATTRIBUTE.NAME}} {{Attribute.fecha DE nacimiento}}", "Ana 1990-05-01"},
		{"attribute cyrillic any case", "{{attribute.город}}", "Москва"},
		{"attribute key folded in map", "{{attribute.CITY}}", "Madrid"},
		{"trimmed", "{{ attribute.name }}/{{  code  }}/{{attribute. name}}", "Ana/4821/Ana"},
		{"param", "Code {{code}}", "Code 4821"},
		{"param case-sensitive", "{{Code}} {{code}}", "upper 4821"},
		{"numbered param", "{{1}}", "first"},
		{"repeated", "{{code}}{{code}}{{attribute.name}}", "48214821Ana"},
		{"escape", "literal {{{{code}} and {{code}}", "literal {{code}} and 4821"},
		{"escape then placeholder", "{{{{{{code}}", "{{4821"},
		{"lone braces", "a { b } c }} d {x}", "a { b } c }} d {x}"},
		{"placeholder at both ends", "{{code}} mid {{attribute.name}}", "4821 mid Ana"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse(tt.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := tpl.Render(attrs, params)
			if err != nil || got != tt.want {
				t.Errorf("Render = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		text   string
		offset int
		column int
		msg    string
	}{
		{"Hi {{attribute.name", 3, 4, "not closed"},
		{"Привет {{name", 13, 8, "not closed"},
		{"{{a {{b}}", 0, 1, "not closed"},
		{"ok {{}}", 3, 4, "no name"},
		{"ok {{   }}", 3, 4, "no name"},
		{"{{attribute. }}", 0, 1, "no attribute name"},
		{"{{{name}}}", 0, 1, "braces"},
		{"x {{na\nme}}", 2, 3, "control"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.text)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error = %v, want *SyntaxError", tt.text, err)
			continue
		}
		if se.Offset != tt.offset || se.Column != tt.column || !strings.Contains(se.Error(), tt.msg) {
			t.Errorf("Parse(%q) = offset %d column %d %q; want %d %d containing %q", tt.text, se.Offset, se.Column, se.Error(), tt.offset, tt.column, tt.msg)
		}
	}
}

func TestMissing(t *testing.T) {
	tpl, err := Parse("{{attribute.name}} {{code}} {{attribute.City}} {{code}} {{attribute.NAME}}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Render(nil, nil)
	want := []herald.Violation{
		{Field: "attribute.name", Code: herald.VRequired, Message: `Attribute "name" has no value for this contact.`},
		{Field: "params.code", Code: herald.VRequired, Message: `Parameter "code" is missing.`},
		{Field: "attribute.City", Code: herald.VRequired, Message: `Attribute "City" has no value for this contact.`},
	}
	if got := herald.ErrorViolations(err); !reflect.DeepEqual(got, want) || herald.ErrorCode(err) != herald.EINVALID {
		t.Errorf("violations = %+v, want %+v", got, want)
	}

	// Attributes may be excused; parameters never are.
	got, err := tpl.Execute(Options{EmptyMissingAttributes: true}, nil, map[string]string{"code": "7"})
	if err != nil || got != " 7  7 " {
		t.Errorf("Execute(EmptyMissingAttributes) = %q, %v", got, err)
	}
	_, err = tpl.Execute(Options{EmptyMissingAttributes: true}, nil, nil)
	if v := herald.ErrorViolations(err); len(v) != 1 || v[0].Field != "params.code" {
		t.Errorf("missing parameter with EmptyMissingAttributes = %v, want params.code", v)
	}
}

func TestExplicitAttributeInParams(t *testing.T) {
	tpl, _ := Parse("{{attribute.name}} {{attribute.phoneNumber}}")
	attrs := map[string]string{"name": "Stored", "phoneNumber": "111"}
	params := map[string]string{"attribute.name": "Explicit", "ATTRIBUTE.PHONENUMBER": "112332"}
	got, err := tpl.Render(attrs, params)
	if err != nil || got != "Explicit 112332" {
		t.Errorf("Render = %q, %v; want params' attribute values to win", got, err)
	}
}

func TestRenderHTML(t *testing.T) {
	tpl, _ := Parse(`<p class="x">Hi {{attribute.name}} & {{code}}</p>`)
	attrs := map[string]string{"name": `<script>alert("x")</script>`}
	got, err := tpl.RenderHTML(attrs, map[string]string{"code": "a&b"})
	want := `<p class="x">Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; & a&amp;b</p>`
	if err != nil || got != want {
		t.Errorf("RenderHTML = %q, %v; want %q", got, err, want)
	}
	plain, _ := tpl.Render(attrs, map[string]string{"code": "a&b"})
	if !strings.Contains(plain, "<script>") {
		t.Errorf("Render escaped values: %q", plain)
	}
}

func TestVariables(t *testing.T) {
	tpl, _ := Parse("{{code}} {{attribute.Name}} {{ code }} {{1}} {{attribute.Name}} {{attribute.name}}")
	want := []Var{{Name: "code"}, {Name: "Name", Attribute: true}, {Name: "1"}}
	if got := tpl.Variables(); !reflect.DeepEqual(got, want) {
		t.Errorf("Variables = %+v, want %+v", got, want)
	}
	if s := want[1].String(); s != "attribute.Name" {
		t.Errorf("Var.String = %q", s)
	}
	if tpl.Static() {
		t.Error("Static = true")
	}
	tpl.Variables()[0].Name = "changed"
	if tpl.Variables()[0].Name != "code" {
		t.Error("Variables shares the template's slice")
	}
	if st, _ := Parse("a {{{{ b"); !st.Static() || st.Text() != "a {{{{ b" {
		t.Errorf("Parse(escape only): Static=%v Text=%q", st.Static(), st.Text())
	}
}

func TestManyPlaceholders(t *testing.T) {
	var b strings.Builder
	params := map[string]string{}
	want := ""
	for i := range 40 {
		k := strings.Repeat("k", i+1)
		params[k] = k
		b.WriteString("{{" + k + "}},")
		want += k + ","
	}
	tpl, err := Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tpl.Render(nil, params); err != nil || got != want {
		t.Errorf("Render of 40 placeholders = %q, %v", got, err)
	}
}

func TestRenderer(t *testing.T) {
	var cache Cache
	r := Renderer{Cache: &cache, Attrs: map[string]string{"name": "<b>"}, Params: map[string]string{"code": "1"}}
	if got, err := r.Text("Hi {{attribute.name}} {{code}}"); err != nil || got != "Hi <b> 1" {
		t.Errorf("Text = %q, %v", got, err)
	}
	if got, err := r.HTML("Hi {{attribute.name}}"); err != nil || got != "Hi &lt;b&gt;" {
		t.Errorf("HTML = %q, %v", got, err)
	}
	if got, err := r.Text("no placeholder {x}"); err != nil || got != "no placeholder {x}" {
		t.Errorf("Text(static) = %q, %v", got, err)
	}
	if _, err := r.Text("{{oops"); err == nil {
		t.Error("Text({{oops) succeeded")
	}
	if len(cache.m) != 2 {
		t.Errorf("cache holds %d templates, want 2", len(cache.m))
	}
	r.Options.EmptyMissingAttributes = true
	if got, err := r.Text("[{{attribute.none}}]"); err != nil || got != "[]" {
		t.Errorf("Text(missing, empty) = %q, %v", got, err)
	}
	if !r.Personalized {
		t.Error("Personalized is unset after texts with placeholders")
	}
	plain := Renderer{}
	if _, err := plain.Text("a { b } }}"); err != nil || plain.Personalized {
		t.Errorf("Personalized = %v after a text without placeholders (%v)", plain.Personalized, err)
	}
	if _, err := plain.HTML("<p>{{{{</p>"); err != nil || !plain.Personalized {
		t.Errorf("Personalized = %v after an escaped brace (%v)", plain.Personalized, err)
	}
}

func TestCheck(t *testing.T) {
	for text, ok := range map[string]bool{"": true, "a {{b}} {{{{": true, "{{attribute.x}}": true, "{{x": false, "{{}}": false} {
		if err := Check(text); (err == nil) != ok {
			t.Errorf("Check(%q) = %v, want ok=%v", text, err, ok)
		}
	}
}
