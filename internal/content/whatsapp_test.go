package content

import (
	"testing"

	"github.com/heraldhq/herald"
)

// waCard returns a WhatsApp card payload with the given members.
func waCard(members string) string { return `{"card": {` + members + `}}` }

// waList returns a list payload with the given sections.
func waList(sections string) string {
	return `{"list": {"body": "Pick one", "button": "Options", "sections": [` + sections + `]}}`
}

// rows returns n list rows with distinct titles.
func rows(n int) string {
	out := ""
	for i := range n {
		if i > 0 {
			out += ","
		}
		out += f(`{"title": "Option %d"}`, i)
	}
	return out
}

func TestDecodeWhatsAppFree(t *testing.T) {
	runDecode(t, Decoder{}, herald.ChannelWhatsApp, []decodeCase{
		{"text", `{"text": "Hello"}`, nil},
		{"text at limit", f(`{"text": %q}`, a(4096)), nil},
		{"text over limit", f(`{"text": %q}`, a(4097)), []string{"payload.text too_long"}},
		{"no form", `{}`, []string{"payload required"}},
		{"two forms", `{"text": "x", "location": {"latitude": 1, "longitude": 2}}`, []string{"payload.location format"}},
		{"file image", `{"file": {"url": "https://x.io/a.webp"}}`, nil},
		{"file audio", `{"file": {"url": "https://x.io/a", "name": "voice.mp3", "size": 1000}}`, nil},
		{"file document", `{"type": "file", "file": {"url": "https://x.io/deck.pptx"}}`, nil},
		{"file format refused", `{"file": {"url": "https://x.io/a.gif"}}`, []string{"payload.file.url format"}},
		{"file over 100 MB", `{"file": {"url": "https://x.io/a.pdf", "size": 104857601}}`, []string{"payload.file.size too_long"}},
		{"request location", `{"requestLocation": {"text": "Where are you?"}}`, nil},
		{"request location at limit", f(`{"requestLocation": {"text": %q}}`, a(1024)), nil},
		{"request location over limit", f(`{"requestLocation": {"text": %q}}`, a(1025)), []string{"payload.requestLocation.text too_long"}},
		{"request location without text", `{"requestLocation": {}}`, []string{"payload.requestLocation.text required"}},
		{"send location", `{"location": {"latitude": 40.4168, "longitude": -3.7038, "name": "Shop", "address": "Gran Via 1"}}`, nil},
		{"location without coordinates", `{"location": {"name": "Shop"}}`, []string{"payload.location.latitude required", "payload.location.longitude required"}},
		{"location exponent", `{"location": {"latitude": 1E1, "longitude": 2}}`, []string{"payload.location.latitude format"}},
		{"location out of range", `{"location": {"latitude": 100, "longitude": 2}}`, []string{"payload.location.latitude range"}},
		{"location name over limit", f(`{"location": {"latitude": 1, "longitude": 2, "name": %q}}`, a(1001)), []string{"payload.location.name too_long"}},
	})
}

func TestDecodeWhatsAppCard(t *testing.T) {
	btn := `{"title": "Yes"}`
	runDecode(t, Decoder{}, herald.ChannelWhatsApp, []decodeCase{
		{"card", waCard(`"header": "Hi", "body": "Body", "footer": "Foot", "buttons": [{"id": "y", "title": "Yes"}, {"title": "No"}]`), nil},
		{"card with media", waCard(`"media": {"url": "https://x.io/a.jpg"}, "body": "Body", "buttons": [` + btn + `]`), nil},
		{"header at limit", waCard(f(`"header": %q, "body": "b"`, a(20))), nil},
		{"header over limit", waCard(f(`"header": %q, "body": "b"`, a(21))), []string{"payload.card.header too_long"}},
		{"body at limit", waCard(f(`"body": %q`, a(1024))), nil},
		{"body over limit", waCard(f(`"body": %q`, a(1025))), []string{"payload.card.body too_long"}},
		{"body missing", waCard(`"header": "Hi"`), []string{"payload.card.body required"}},
		{"footer at limit", waCard(f(`"body": "b", "footer": %q`, a(60))), nil},
		{"footer over limit", waCard(f(`"body": "b", "footer": %q`, a(61))), []string{"payload.card.footer too_long"}},
		{"three buttons", waCard(`"body": "b", "buttons": [{"title": "A"}, {"title": "B"}, {"title": "C"}]`), nil},
		{"four buttons", waCard(`"body": "b", "buttons": [{"title": "A"}, {"title": "B"}, {"title": "C"}, {"title": "D"}]`), []string{"payload.card.buttons too_long"}},
		{"button title at limit", waCard(f(`"body": "b", "buttons": [{"title": %q}]`, a(20))), nil},
		{"button title over limit", waCard(f(`"body": "b", "buttons": [{"title": %q}]`, a(21))), []string{"payload.card.buttons[0].title too_long"}},
		{"button title missing", waCard(`"body": "b", "buttons": [{"id": "x"}]`), []string{"payload.card.buttons[0].title required"}},
		{"buttons repeat", waCard(`"body": "b", "buttons": [` + btn + `, ` + btn + `]`), []string{"payload.card.buttons[1] taken"}},
		{"media and header", waCard(`"media": {"url": "https://x.io/a.jpg"}, "header": "Hi", "body": "b"`), []string{"payload.card.header unknown"}},
		{"media format", waCard(`"media": {"url": "https://x.io/a.ogg"}, "body": "b"`), []string{"payload.card.media.url format"}},
	})
}

func TestDecodeWhatsAppList(t *testing.T) {
	runDecode(t, Decoder{}, herald.ChannelWhatsApp, []decodeCase{
		{"list", waList(`{"rows": [{"id": "1", "title": "Cake", "description": "Chocolate"}]}`), nil},
		{"ten options in sections", waList(`{"title": "A", "rows": [` + rows(5) + `]}, {"title": "B", "rows": [` + rows(5)[0:0] + `{"title": "X1"},{"title": "X2"},{"title": "X3"},{"title": "X4"},{"title": "X5"}]}`), nil},
		{"eleven options", waList(`{"rows": [` + rows(11) + `]}`), []string{"payload.list.sections too_long"}},
		{"option title at limit", waList(f(`{"rows": [{"title": %q}]}`, a(24))), nil},
		{"option title over limit", waList(f(`{"rows": [{"title": %q}]}`, a(25))), []string{"payload.list.sections[0].rows[0].title too_long"}},
		{"option description over limit", waList(f(`{"rows": [{"title": "x", "description": %q}]}`, a(73))), []string{"payload.list.sections[0].rows[0].description too_long"}},
		{"options repeat", waList(`{"rows": [{"title": "x"}, {"title": "x"}]}`), []string{"payload.list.sections[0].rows[1] taken"}},
		{"no sections", waList(``), []string{"payload.list.sections required"}},
		{"empty section", waList(`{"rows": []}`), []string{"payload.list.sections[0].rows required"}},
		{"sections need titles", waList(`{"rows": [{"title": "a"}]}, {"title": "B", "rows": [{"title": "b"}]}`), []string{"payload.list.sections[0].title required"}},
		{"section title over limit", waList(f(`{"title": %q, "rows": [{"title": "a"}]}`, a(25))), []string{"payload.list.sections[0].title too_long"}},
		{"button missing", `{"list": {"body": "b", "sections": [{"rows": [{"title": "a"}]}]}}`, []string{"payload.list.button required"}},
		{"button over limit", f(`{"list": {"body": "b", "button": %q, "sections": [{"rows": [{"title": "a"}]}]}}`, a(21)), []string{"payload.list.button too_long"}},
		{"body missing", `{"list": {"button": "x", "sections": [{"rows": [{"title": "a"}]}]}}`, []string{"payload.list.body required"}},
		{"row unknown field", waList(`{"rows": [{"title": "a", "price": 5}]}`), []string{"payload.list.sections[0].rows[0].price unknown"}},
	})
}

func TestDecodeWhatsAppTemplate(t *testing.T) {
	// The reference's sample (22.4), its trailing comma removed.
	sample := `{"type": "template", "template": {"namespace": "ns", "language": {"policy": "deterministic", "code": "en"},
		"name": "otp_code", "components": [
		{"type": "body", "parameters": [{"type": "text", "text": "{{code}}"}]},
		{"type": "button", "sub_type": "url", "index": 0, "parameters": [{"type": "text", "text": "{{code}}"}]}]}}`
	runDecode(t, Decoder{}, herald.ChannelWhatsApp, []decodeCase{
		{"reference sample", sample, nil},
		{"header image", `{"template": {"name": "promo", "language": {"code": "pt_BR"}, "components": [{"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x.io/a.jpg"}}]}]}}`, nil},
		{"name with capitals", `{"template": {"name": "OTP", "language": {"code": "en"}}}`, []string{"payload.template.name format"}},
		{"name missing", `{"template": {"language": {"code": "en"}}}`, []string{"payload.template.name required"}},
		{"language missing", `{"template": {"name": "otp"}}`, []string{"payload.template.language.code required"}},
		{"bad policy", `{"template": {"name": "otp", "language": {"code": "en", "policy": "fallback"}}}`, []string{"payload.template.language.policy format"}},
		{"button without index", `{"template": {"name": "otp", "language": {"code": "en"}, "components": [{"type": "button", "sub_type": "url"}]}}`, []string{"payload.template.components[0].index required"}},
		{"button index out of range", `{"template": {"name": "otp", "language": {"code": "en"}, "components": [{"type": "button", "sub_type": "quick_reply", "index": 10, "parameters": [{"type": "payload", "payload": "x"}]}]}}`, []string{"payload.template.components[0].index range"}},
		{"text parameter without text", `{"template": {"name": "otp", "language": {"code": "en"}, "components": [{"type": "body", "parameters": [{"type": "text"}]}]}}`, []string{"payload.template.components[0].parameters[0].text required"}},
		{"parameter of another type", `{"template": {"name": "otp", "language": {"code": "en"}, "components": [{"type": "body", "parameters": [{"type": "text", "text": "a", "payload": "b"}]}]}}`, []string{"payload.template.components[0].parameters[0].payload unknown"}},
		{"unsupported parameter", `{"template": {"name": "otp", "language": {"code": "en"}, "components": [{"type": "body", "parameters": [{"type": "currency"}]}]}}`, []string{"payload.template.components[0].parameters[0].type format"}},
	})
}
