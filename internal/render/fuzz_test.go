package render

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, agrees with Check, and that a
// parsed template renders without error once every placeholder has a value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "Hi {{attribute.name}}", "{{{{x}}", "{{a {{b}}", "{{ 1 }}{{code}}", "}}{{", "{{attribute.}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tpl, err := Parse(text)
		if (err == nil) != (Check(text) == nil) {
			t.Fatalf("Parse error %v but Check error %v", err, Check(text))
		}
		if err != nil {
			return
		}
		params := map[string]string{}
		for _, v := range tpl.Variables() {
			params[v.String()] = "<" + v.Name + ">"
		}
		got, err := tpl.Render(nil, params)
		if err != nil {
			t.Fatalf("Render with every value: %v", err)
		}
		if !strings.Contains(text, "{{") && got != text {
			t.Fatalf("static text rendered as %q", got)
		}
	})
}
