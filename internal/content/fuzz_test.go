package content

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald"
)

// FuzzReader checks that reader accepts exactly the JSON encoding/json
// accepts (up to reader's nesting limit) and decodes strings the same way.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`"a\u00e9\ud83d\ude00\ud800x\"\\\/\b\f\n\r\t"`, `{"a":[1,-0.5e+3,true,false,null,{}]}`,
		`"\xff\xfe"`, `01`, `{"a" 1}`, `[1,]`, `"\u12"`, `-`, `1.e5`, " \t\n\"x\" "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := reader{data: data}
		var got string
		isString := r.ws() == '"'
		if isString {
			got = r.str()
		} else {
			r.skip()
		}
		r.end()
		if r.bad && r.errMsg == "the payload nests too deeply" {
			return
		}
		if valid := json.Valid(data); valid == r.bad {
			t.Fatalf("json.Valid = %v but reader error = %q at %d", valid, r.errMsg, r.errPos)
		}
		if isString && !r.bad {
			var want string
			if err := json.Unmarshal(data, &want); err != nil || got != want {
				t.Fatalf("string = %q, encoding/json = %q (%v)", got, want, err)
			}
		}
	})
}

// FuzzDecode checks that Decode never panics on any channel and that what it
// accepts marshals back to a payload it accepts again.
func FuzzDecode(f *testing.F) {
	seeds := map[herald.Channel]string{
		herald.ChannelSMS:        `{"text": "Hi {{attribute.name}} €"}`,
		herald.ChannelRCS:        `{"card": {"title": "T", "media": {"url": "https://x.io/a.jpg"}, "suggestions": [{"type": "map", "text": "Go", "latitude": 1.5, "longitude": 2}]}}`,
		herald.ChannelViber:      `{"text": "x", "image": {"url": "https://x.io/a.png"}, "button": {"text": "b", "url": "https://x.io"}}`,
		herald.ChannelWhatsApp:   `{"list": {"body": "b", "button": "x", "sections": [{"rows": [{"title": "a"}]}]}}`,
		herald.ChannelEmail:      `{"subject": "s", "html": "<p>x</p>"}`,
		herald.ChannelPush:       `{"picture": "https://x.io/a.png"}`,
		herald.ChannelTTS:        `{"language": "en", "repeat": 2, "text": "x"}`,
		herald.ChannelMobilePush: `{"header": "h", "body": "b"}`,
	}
	for ch, s := range seeds {
		f.Add(uint8(ch), []byte(s))
	}
	f.Fuzz(func(t *testing.T, ch uint8, data []byte) {
		channel := herald.Channel(ch % 13)
		c, err := Decode(channel, data)
		if err != nil {
			if herald.ErrorCode(err) != herald.EINVALID || len(herald.ErrorViolations(err)) == 0 {
				t.Fatalf("error without violations: %v", err)
			}
			return
		}
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(channel, raw); err != nil {
			t.Fatalf("%s decoded, but its marshalled form %s does not: %v", data, raw, err)
		}
		_ = c.Preview()
		_ = c.Text()
		if _, err := c.Render(func(s string) (string, error) { return s, nil }); err != nil && channel != herald.ChannelEmail {
			t.Fatalf("identity Render: %v", err)
		}
	})
}
