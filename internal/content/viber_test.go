package content

import (
	"testing"

	"github.com/heraldhq/herald"
)

func TestDecodeViber(t *testing.T) {
	button := `"button": {"text": "Open", "url": "https://shop.example.com"}`
	image := `"image": {"url": "https://cdn.example.com/a.png"}`
	runDecode(t, Decoder{}, herald.ChannelViber, []decodeCase{
		{"text", `{"text": "Hello"}`, nil},
		{"text at limit", f(`{"text": %q}`, a(1000)), nil},
		{"text over limit", f(`{"text": %q}`, a(1001)), []string{"payload.text too_long"}},
		{"empty", `{}`, []string{"payload.text required"}},
		{"file", `{"file": {"url": "https://cdn.example.com/r", "name": "report.PDF", "size": 209715200}}`, nil},
		{"file format from url", `{"file": {"url": "https://cdn.example.com/files/price.xlsx?v=2"}}`, nil},
		{"every file format", `{"type": "file", "file": {"url": "https://x.io/a.pdax"}}`, nil},
		{"file format refused", `{"file": {"url": "https://x.io/a", "name": "setup.exe"}}`, []string{"payload.file.name format"}},
		{"file without extension", `{"file": {"url": "https://x.io/download"}}`, []string{"payload.file.url format"}},
		{"file over 200 MB", `{"file": {"url": "https://x.io/a.mp4", "size": 209715201}}`, []string{"payload.file.size too_long"}},
		{"file with text", `{"file": {"url": "https://x.io/a.pdf"}, "text": "x"}`, []string{"payload.text unknown"}},
		{"file with button", `{"file": {"url": "https://x.io/a.pdf"}, ` + button + `}`, []string{"payload.button unknown"}},
		{"text and button", `{"text": "Sale", ` + button + `}`, nil},
		{"button text at limit", f(`{"text": "Sale", "button": {"text": %q, "url": "https://x.io"}}`, a(30)), nil},
		{"button text over limit", f(`{"text": "Sale", "button": {"text": %q, "url": "https://x.io"}}`, a(31)), []string{"payload.button.text too_long"}},
		{"button url not web", `{"text": "Sale", "button": {"text": "Open", "url": "viber://chat"}}`, []string{"payload.button.url format"}},
		{"button incomplete", `{"text": "Sale", "button": {}}`, []string{"payload.button.text required", "payload.button.url required"}},
		{"button without text", `{` + button + `}`, []string{"payload.text required"}},
		{"text, media and button", `{"text": "Sale", ` + image + `, ` + button + `}`, nil},
		{"image format refused", `{"text": "Sale", "image": {"url": "https://x.io/a.gif"}, ` + button + `}`, []string{"payload.image.url format"}},
		{"image without button", `{"text": "Sale", ` + image + `}`, []string{"payload.button required"}},
		{"declared type without button", `{"type": "textButton", "text": "Sale"}`, []string{"payload.button required"}},
		{"declared text with button", `{"type": "text", "text": "Sale", ` + button + `}`, []string{"payload.button unknown"}},
		{"unknown type", `{"type": "video", "text": "x"}`, []string{"payload.type format"}},
		{"button unknown field", `{"text": "Sale", "button": {"text": "a", "url": "https://x.io", "color": "red"}}`, []string{"payload.button.color unknown"}},
	})
}
