package content

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sms"
)

func TestDecodeSMS(t *testing.T) {
	runDecode(t, Decoder{}, herald.ChannelSMS, []decodeCase{
		{"text", `{"text": "Hello"}`, nil},
		{"placeholders", `{"text": "Hi {{attribute.Fecha de nacimiento}}, code {{code}} {{{{x"}`, nil},
		{"10 GSM segments", f(`{"text": %q}`, a(10*153)), nil},
		{"11 GSM segments", f(`{"text": %q}`, a(10*153+1)), []string{"payload.text too_long"}},
		{"10 UCS-2 segments", f(`{"text": %s}`, q(strings.Repeat("ж", 10*67))), nil},
		{"11 UCS-2 segments", f(`{"text": %s}`, q(strings.Repeat("ж", 10*67+1))), []string{"payload.text too_long"}},
		{"missing text", `{}`, []string{"payload.text required"}},
		{"blank text", `{"text": "  \n "}`, []string{"payload.text required"}},
		{"null text", `{"text": null}`, []string{"payload.text required"}},
		{"text not a string", `{"text": 5}`, []string{"payload.text format"}},
		{"unknown fields", `{"text": "x", "foo": 1, "bar baz": {"a": [1]}}`, []string{"payload.foo unknown", `payload["bar baz"] unknown`}},
		{"field name case matters", `{"Text": "x"}`, []string{"payload.Text unknown", "payload.text required"}},
		{"repeated field", `{"text": "x", "text": "y"}`, []string{"payload.text format"}},
		{"malformed placeholder", `{"text": "Hi {{attribute.name"}`, []string{"payload.text format"}},
		{"null payload", `null`, []string{"payload required"}},
		{"empty payload", ``, []string{"payload required"}},
		{"not an object", `["text"]`, []string{"payload format"}},
		{"invalid JSON", `{"text": "x",}`, []string{"payload format"}},
		{"trailing data", `{"text": "x"} {}`, []string{"payload format"}},
	})
	runDecode(t, Decoder{MaxSMSSegments: 1}, herald.ChannelSMS, []decodeCase{
		{"160 with limit 1", f(`{"text": %q}`, a(160)), nil},
		{"161 with limit 1", f(`{"text": %q}`, a(161)), []string{"payload.text too_long"}},
	})
}

func TestDecodeSMSReportsInfo(t *testing.T) {
	c, err := Decode(herald.ChannelSMS, json.RawMessage(`{"text": "Price: \u20ac5 [today]"}`))
	if err != nil {
		t.Fatal(err)
	}
	s := c.(*SMS)
	if s.Body != "Price: €5 [today]" || s.Info.Encoding != sms.GSM7 || !s.Info.Extended || s.Info.Units != 20 || s.Info.Segments != 1 {
		t.Errorf("SMS = %q %+v", s.Body, s.Info)
	}
	_, err = Decoder{MaxSMSSegments: 2}.Decode(herald.ChannelSMS, json.RawMessage(f(`{"text": %q}`, a(307))))
	if got, want := message(err, "payload.text"), "Text must fit in at most 2 SMS (it takes 3: 307 GSM-7 units)."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	_, err = Decode(herald.ChannelSMS, json.RawMessage(`{"text": "Hi {{name"}`))
	if got, want := message(err, "payload.text"), "Text has a malformed placeholder at character 4: placeholder {{ is not closed with }} (write {{{{ for a literal {{)."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestDecodeUnknownChannel(t *testing.T) {
	_, err := Decode(herald.Channel(99), json.RawMessage(`{"text": "x"}`))
	if got := violations(err); len(got) != 1 || got[0] != "channel unknown" {
		t.Errorf("violations = %v", got)
	}
}

func TestDecodeChat(t *testing.T) {
	for _, tc := range []struct {
		ch  herald.Channel
		max int
	}{{herald.ChannelWeChat, 2048}, {herald.ChannelTelegram, 4096}, {herald.ChannelWebChat, 4096}} {
		t.Run(tc.ch.String(), func(t *testing.T) {
			runDecode(t, Decoder{}, tc.ch, []decodeCase{
				{"at limit", f(`{"text": %q}`, a(tc.max)), nil},
				{"over limit", f(`{"text": %q}`, a(tc.max+1)), []string{"payload.text too_long"}},
				{"missing", `{}`, []string{"payload.text required"}},
				{"unknown", `{"text": "x", "file": {}}`, []string{"payload.file unknown"}},
			})
		})
	}
}
