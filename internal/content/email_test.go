package content

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald"
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
		{"blocks not yet", `{"subject": "s", "text": "x", "blocks": []}`, []string{"payload.blocks unknown"}},
	})
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
