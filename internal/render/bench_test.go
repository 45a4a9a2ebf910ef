package render

import (
	"fmt"
	"testing"
)

// benchAttrs is a contact with a typical number of attributes.
func benchAttrs() map[string]string {
	m := map[string]string{"name": "Ana", "Fecha de nacimiento": "1990-05-01"}
	for i := range 20 {
		m[fmt.Sprintf("attr%d", i)] = "value"
	}
	return m
}

const benchText = "Hi {{attribute.name}}, your code is {{code}}. Happy birthday on {{attribute.Fecha de nacimiento}}! Reply STOP to opt out."

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchText); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	tpl, _ := Parse(benchText)
	attrs, params := benchAttrs(), map[string]string{"code": "482913"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(attrs, params); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderFoldedName looks up an attribute written in another case
// than the contact's key, which takes the case-insensitive scan.
func BenchmarkRenderFoldedName(b *testing.B) {
	tpl, _ := Parse("Hi {{attribute.NAME}} from {{attribute.fecha de nacimiento}}")
	attrs := benchAttrs()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(attrs, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderStatic(b *testing.B) {
	tpl, _ := Parse("Your parcel has shipped. Reply STOP to opt out.")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRendererCached(b *testing.B) {
	var cache Cache
	r := Renderer{Cache: &cache, Attrs: benchAttrs(), Params: map[string]string{"code": "482913"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Text(benchText); err != nil {
			b.Fatal(err)
		}
	}
}
