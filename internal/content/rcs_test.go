package content

import (
	"testing"

	"github.com/heraldhq/herald"
)

// rcsCard returns an RCS payload with one card holding the given JSON members.
func rcsCard(members string) string { return `{"card": {` + members + `}}` }

// rcsSuggestion returns an RCS payload whose card has one suggestion.
func rcsSuggestion(s string) string { return rcsCard(`"title": "T", "suggestions": [` + s + `]`) }

const reply = `{"type": "reply", "text": "OK"}`

func TestDecodeRCSForms(t *testing.T) {
	runDecode(t, Decoder{}, herald.ChannelRCS, []decodeCase{
		{"text", `{"text": "Hello", "suggestions": [` + reply + `]}`, nil},
		{"text with type", `{"type": "text", "text": "Hello"}`, nil},
		{"text at limit", f(`{"text": %q}`, a(3072)), nil},
		{"text over limit", f(`{"text": %q}`, a(3073)), []string{"payload.text too_long"}},
		{"no form", `{"suggestions": []}`, []string{"payload required"}},
		{"two forms", `{"text": "x", "card": {"title": "T"}}`, []string{"payload.card format"}},
		{"two forms, both checked", f(`{"text": "x", "card": {"title": %q}}`, a(201)), []string{"payload.card format", "payload.card.title too_long"}},
		{"type disagrees", `{"type": "card", "text": "x"}`, []string{"payload.type format"}},
		{"unknown type", `{"type": "video", "text": "x"}`, []string{"payload.type format"}},
		{"type without its key", `{"type": "carousel"}`, []string{"payload.carousel required"}},
		{"file", `{"file": {"url": "https://cdn.example.com/a.pdf", "name": "a.pdf", "size": 104857600}}`, nil},
		{"file over 100 MB", `{"file": {"url": "https://cdn.example.com/a.pdf", "size": 104857601}}`, []string{"payload.file.size too_long"}},
		{"file without url", `{"file": {"name": "a.pdf"}}`, []string{"payload.file.url required"}},
		{"file size not a number", `{"file": {"url": "https://x.io/a", "size": "big"}}`, []string{"payload.file.size format"}},
		{"message suggestions at limit", `{"text": "x", "suggestions": [` + repeatJSON(reply, 11) + `]}`, nil},
		{"message suggestions over limit", `{"text": "x", "suggestions": [` + repeatJSON(reply, 12) + `]}`, []string{"payload.suggestions too_long"}},
		{"suggestions not a list", `{"text": "x", "suggestions": {}}`, []string{"payload.suggestions format"}},
	})
}

func TestDecodeRCSCard(t *testing.T) {
	media := `"media": {"url": "https://cdn.example.com/cake.jpg"}`
	runDecode(t, Decoder{}, herald.ChannelRCS, []decodeCase{
		{"full card", rcsCard(media + `, "layout": "vertical", "title": "Sale", "text": "Up to 50%", "suggestions": [` + reply + `]`), nil},
		{"media only", rcsCard(media), nil},
		{"title at limit", rcsCard(f(`"title": %q`, a(200))), nil},
		{"title over limit", rcsCard(f(`"title": %q`, a(201))), []string{"payload.card.title too_long"}},
		{"text at limit", rcsCard(f(`"text": %q`, a(2000))), nil},
		{"text over limit", rcsCard(f(`"text": %q`, a(2001))), []string{"payload.card.text too_long"}},
		{"empty card", rcsCard(`"layout": "vertical"`), []string{"payload.card required"}},
		{"card suggestions at limit", rcsCard(`"title": "T", "suggestions": [` + repeatJSON(reply, 4) + `]`), nil},
		{"card suggestions over limit", rcsCard(`"title": "T", "suggestions": [` + repeatJSON(reply, 5) + `]`), []string{"payload.card.suggestions too_long"}},
		{"unknown layout", rcsCard(media + `, "layout": "diagonal"`), []string{"payload.card.layout format"}},
		{"horizontal", rcsCard(media + `, "layout": "horizontal", "imageAlignment": "right"`), nil},
		{"horizontal without media", rcsCard(`"layout": "horizontal", "title": "T"`), []string{"payload.card.media required"}},
		{"alignment on vertical", rcsCard(media + `, "imageAlignment": "left"`), []string{"payload.card.imageAlignment unknown"}},
		{"bad alignment", rcsCard(media + `, "layout": "horizontal", "imageAlignment": "top"`), []string{"payload.card.imageAlignment format"}},
		{"media height", rcsCard(`"media": {"url": "https://x.io/a.jpg", "height": "tall"}`), nil},
		{"bad media height", rcsCard(`"media": {"url": "https://x.io/a.jpg", "height": "huge"}`), []string{"payload.card.media.height format"}},
		{"height on horizontal", rcsCard(`"layout": "horizontal", "media": {"url": "https://x.io/a.jpg", "height": "tall"}`), []string{"payload.card.media.height unknown"}},
		{"media not http", rcsCard(`"media": {"url": "file:///etc/passwd"}`), []string{"payload.card.media.url format"}},
		{"media unknown field", rcsCard(`"media": {"url": "https://x.io/a.jpg", "alt": "x"}`), []string{"payload.card.media.alt unknown"}},
		{"personalized media", rcsCard(`"media": {"url": "{{attribute.photo}}"}`), nil},
	})
}

func TestDecodeRCSSuggestions(t *testing.T) {
	runDecode(t, Decoder{}, herald.ChannelRCS, []decodeCase{
		{"CTA at limit", rcsSuggestion(f(`{"type": "reply", "text": %q}`, a(25))), nil},
		{"CTA over limit", rcsSuggestion(f(`{"type": "reply", "text": %q}`, a(26))), []string{"payload.card.suggestions[0].text too_long"}},
		{"CTA missing", rcsSuggestion(`{"type": "reply"}`), []string{"payload.card.suggestions[0].text required"}},
		{"type missing", rcsSuggestion(`{"text": "Go"}`), []string{"payload.card.suggestions[0].type required"}},
		{"type unknown", rcsSuggestion(`{"type": "share", "text": "Go"}`), []string{"payload.card.suggestions[0].type format"}},
		{"postback at limit", rcsSuggestion(f(`{"type": "reply", "text": "Go", "postback": %q}`, a(2048))), nil},
		{"postback over limit", rcsSuggestion(f(`{"type": "reply", "text": "Go", "postback": %q}`, a(2049))), []string{"payload.card.suggestions[0].postback too_long"}},
		{"url https", rcsSuggestion(`{"type": "url", "text": "Open", "url": "https://shop.example.com/a?b=c"}`), nil},
		{"url http", rcsSuggestion(`{"type": "url", "text": "Open", "url": "HTTP://shop.example.com"}`), nil},
		{"url ftp", rcsSuggestion(`{"type": "url", "text": "Open", "url": "ftp://shop.example.com"}`), []string{"payload.card.suggestions[0].url format"}},
		{"url without scheme", rcsSuggestion(`{"type": "url", "text": "Open", "url": "shop.example.com"}`), []string{"payload.card.suggestions[0].url format"}},
		{"url without host", rcsSuggestion(`{"type": "url", "text": "Open", "url": "https://"}`), []string{"payload.card.suggestions[0].url format"}},
		{"url missing", rcsSuggestion(`{"type": "url", "text": "Open"}`), []string{"payload.card.suggestions[0].url required"}},
		{"url personalized", rcsSuggestion(`{"type": "url", "text": "Open", "url": "https://x.io/?id={{attribute.id}}"}`), nil},
		{"url personalized whole", rcsSuggestion(`{"type": "url", "text": "Open", "url": "{{link}}"}`), nil},
		{"url personalized bad scheme", rcsSuggestion(`{"type": "url", "text": "Open", "url": "ftp://{{host}}"}`), []string{"payload.card.suggestions[0].url format"}},
		{"url at limit", rcsSuggestion(f(`{"type": "url", "text": "Open", "url": "https://x.io/%s"}`, a(2048-13))), nil},
		{"url over limit", rcsSuggestion(f(`{"type": "url", "text": "Open", "url": "https://x.io/%s"}`, a(2048-12))), []string{"payload.card.suggestions[0].url too_long"}},
		{"dial", rcsSuggestion(`{"type": "dial", "text": "Call", "phone": "+1234567", "call": "video", "fallbackUrl": "anotherapp.com"}`), nil},
		{"dial bad phone", rcsSuggestion(`{"type": "dial", "text": "Call", "phone": "12-34"}`), []string{"payload.card.suggestions[0].phone format"}},
		{"dial missing phone", rcsSuggestion(`{"type": "dial", "text": "Call"}`), []string{"payload.card.suggestions[0].phone required"}},
		{"dial bad call type", rcsSuggestion(`{"type": "dial", "text": "Call", "phone": "123", "call": "fax"}`), []string{"payload.card.suggestions[0].call format"}},
		{"dial fallback with space", rcsSuggestion(`{"type": "dial", "text": "Call", "phone": "123", "fallbackUrl": "another app"}`), []string{"payload.card.suggestions[0].fallbackUrl format"}},
		{"map by coordinates", rcsSuggestion(`{"type": "map", "text": "Find us", "latitude": 40.4168, "longitude": -3.7038, "label": "Shop"}`), nil},
		{"map coordinates at range", rcsSuggestion(`{"type": "map", "text": "Go", "latitude": -90, "longitude": 180}`), nil},
		{"map latitude out of range", rcsSuggestion(`{"type": "map", "text": "Go", "latitude": 90.5, "longitude": 0}`), []string{"payload.card.suggestions[0].latitude range"}},
		{"map longitude out of range", rcsSuggestion(`{"type": "map", "text": "Go", "latitude": 0, "longitude": -180.1}`), []string{"payload.card.suggestions[0].longitude range"}},
		{"map exponent", rcsSuggestion(`{"type": "map", "text": "Go", "latitude": 4.04168e1, "longitude": 0}`), []string{"payload.card.suggestions[0].latitude format"}},
		{"map coordinate as text", rcsSuggestion(`{"type": "map", "text": "Go", "latitude": "40.4", "longitude": 0}`), []string{"payload.card.suggestions[0].latitude format"}},
		{"map latitude only", rcsSuggestion(`{"type": "map", "text": "Go", "latitude": 40.4}`), []string{"payload.card.suggestions[0].longitude required"}},
		{"map by query", rcsSuggestion(`{"type": "map", "text": "Nearest shop", "query": "Herald shop"}`), nil},
		{"map both", rcsSuggestion(`{"type": "map", "text": "Go", "query": "x", "latitude": 1, "longitude": 2}`), []string{"payload.card.suggestions[0].query format"}},
		{"map neither", rcsSuggestion(`{"type": "map", "text": "Go"}`), []string{"payload.card.suggestions[0] required"}},
		{"map title over limit", rcsSuggestion(f(`{"type": "map", "text": "Go", "query": "x", "label": %q}`, a(101))), []string{"payload.card.suggestions[0].label too_long"}},
		{"location push", rcsSuggestion(`{"type": "location", "text": "Share location"}`), nil},
		{"calendar", rcsSuggestion(`{"type": "calendar", "text": "Save", "start": "2024-12-08T00:00:00Z", "end": "2024-12-10T00:00:00+01:00", "title": "Discounts up to 50%", "description": "Sale"}`), nil},
		{"calendar end before start", rcsSuggestion(`{"type": "calendar", "text": "Save", "start": "2024-12-10T00:00:00Z", "end": "2024-12-08T00:00:00Z", "title": "T"}`), []string{"payload.card.suggestions[0].end range"}},
		{"calendar bad time", rcsSuggestion(`{"type": "calendar", "text": "Save", "start": "08.12.2024", "end": "2024-12-10T00:00:00Z", "title": "T"}`), []string{"payload.card.suggestions[0].start format"}},
		{"calendar missing", rcsSuggestion(`{"type": "calendar", "text": "Save"}`), []string{"payload.card.suggestions[0].start required", "payload.card.suggestions[0].end required", "payload.card.suggestions[0].title required"}},
		{"calendar title at limit", rcsSuggestion(f(`{"type": "calendar", "text": "S", "start": "2024-12-08T00:00:00Z", "end": "2024-12-08T01:00:00Z", "title": %q}`, a(100))), nil},
		{"calendar title over limit", rcsSuggestion(f(`{"type": "calendar", "text": "S", "start": "2024-12-08T00:00:00Z", "end": "2024-12-08T01:00:00Z", "title": %q}`, a(101))), []string{"payload.card.suggestions[0].title too_long"}},
		{"calendar description over limit", rcsSuggestion(f(`{"type": "calendar", "text": "S", "start": "2024-12-08T00:00:00Z", "end": "2024-12-08T01:00:00Z", "title": "T", "description": %q}`, a(501))), []string{"payload.card.suggestions[0].description too_long"}},
		{"field of another type", rcsSuggestion(`{"type": "url", "text": "Open", "url": "https://x.io", "phone": "123"}`), []string{"payload.card.suggestions[0].phone unknown"}},
		{"unknown field", rcsSuggestion(`{"type": "reply", "text": "OK", "color": "red"}`), []string{"payload.card.suggestions[0].color unknown"}},
		{"fifth suggestion CTA", rcsCard(`"title": "T", "suggestions": [` + repeatJSON(reply, 4) + f(`, {"type": "reply", "text": %q}]`, a(31))),
			[]string{"payload.card.suggestions too_long", "payload.card.suggestions[4].text too_long"}},
	})
}

func TestDecodeRCSCarousel(t *testing.T) {
	card := `{"title": "T", "media": {"url": "https://x.io/a.jpg"}}`
	runDecode(t, Decoder{}, herald.ChannelRCS, []decodeCase{
		{"two cards", `{"carousel": {"width": "small", "cards": [` + repeatJSON(card, 2) + `]}}`, nil},
		{"twelve cards", `{"carousel": {"cards": [` + repeatJSON(card, 12) + `]}}`, nil},
		{"thirteen cards", `{"carousel": {"cards": [` + repeatJSON(card, 13) + `]}}`, []string{"payload.carousel.cards too_long"}},
		{"one card", `{"carousel": {"cards": [` + card + `]}}`, []string{"payload.carousel.cards too_short"}},
		{"no cards", `{"carousel": {}}`, []string{"payload.carousel.cards too_short"}},
		{"bad width", `{"carousel": {"width": "wide", "cards": [` + repeatJSON(card, 2) + `]}}`, []string{"payload.carousel.width format"}},
		{"horizontal card", `{"carousel": {"cards": [` + card + `, {"layout": "horizontal", "title": "T", "media": {"url": "https://x.io/a.jpg"}}]}}`, []string{"payload.carousel.cards[1].layout format"}},
		{"card rule with path", `{"carousel": {"cards": [` + card + f(`, {"title": "T", "suggestions": [{"type": "reply", "text": %q}]}]}}`, a(26)), []string{"payload.carousel.cards[1].suggestions[0].text too_long"}},
		{"card not an object", `{"carousel": {"cards": [` + card + `, 7]}}`, []string{"payload.carousel.cards[1] format"}},
		{"message suggestions", `{"carousel": {"cards": [` + repeatJSON(card, 2) + `]}, "suggestions": [` + reply + `]}`, nil},
	})
}
