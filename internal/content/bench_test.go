package content

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/render"
)

// BenchmarkDecodeSMS decodes the send path's most common payload: a
// one-segment SMS with a placeholder.
func BenchmarkDecodeSMS(b *testing.B) {
	raw := json.RawMessage(`{"text": "Hi {{attribute.name}}, your Herald code is 482913. It expires in 5 minutes."}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(herald.ChannelSMS, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSMSLong decodes a three-segment SMS with escapes.
func BenchmarkDecodeSMSLong(b *testing.B) {
	text := strings.Repeat(`Autumn sale: up to 50% off \"today only\" at €9.99!\n`, 8)
	raw := json.RawMessage(`{"text": "` + text + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(herald.ChannelSMS, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSMSStdlib is the baseline: encoding/json into a struct,
// rejecting unknown fields, with no rule checked.
func BenchmarkDecodeSMSStdlib(b *testing.B) {
	raw := json.RawMessage(`{"text": "Hi {{attribute.name}}, your Herald code is 482913. It expires in 5 minutes."}`)
	b.ReportAllocs()
	for b.Loop() {
		var v struct {
			Text string `json:"text"`
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRCSCard decodes a rich card with four suggestions.
func BenchmarkDecodeRCSCard(b *testing.B) {
	raw := json.RawMessage(`{"card":{"layout":"vertical","media":{"url":"https://cdn.example.com/cake.jpg","height":"medium"},
		"title":"Autumn sale","text":"Up to 50% off on all cakes, {{attribute.name}}!","suggestions":[
		{"type":"url","text":"Open shop","url":"https://shop.example.com/?c={{attribute.id}}"},
		{"type":"dial","text":"Call us","phone":"+34911234567"},
		{"type":"map","text":"Find us","latitude":40.4168,"longitude":-3.7038,"label":"Shop"},
		{"type":"reply","text":"Not now","postback":"stop"}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(herald.ChannelRCS, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderSMS personalizes a decoded SMS for one recipient.
func BenchmarkRenderSMS(b *testing.B) {
	c, err := Decode(herald.ChannelSMS, json.RawMessage(`{"text": "Hi {{attribute.name}}, your code is {{code}}."}`))
	if err != nil {
		b.Fatal(err)
	}
	var cache render.Cache
	r := render.Renderer{Cache: &cache, Attrs: map[string]string{"name": "Ana"}, Params: map[string]string{"code": "482913"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Render(r.Text); err != nil {
			b.Fatal(err)
		}
	}
}
