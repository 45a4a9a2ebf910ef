package content

import "github.com/heraldhq/herald"

// maxTTSText bounds the text a voice call reads: the reference is silent;
// 1500 characters is the smaller of the common TTS providers' limits
// (Vonage's talk action), so the text fits whichever voice connector sends it.
const maxTTSText = 1500

// TTS languages (reference 7.4.7: English or Spanish).
const (
	LanguageEnglish = "en"
	LanguageSpanish = "es"
)

// TTS is a text read to the recipient in a voice call (reference 7.4.7).
type TTS struct {
	Language string `json:"language"` // LanguageEnglish or LanguageSpanish; write Body in it
	Repeat   int    `json:"repeat"`   // 1 to 3 times; Decode sets 1 when absent
	Body     string `json:"text"`
}

// Channel implements Content.
func (c *TTS) Channel() herald.Channel { return herald.ChannelTTS }

// Text implements Content.
func (c *TTS) Text() string { return c.Body }

// Preview implements Content.
func (c *TTS) Preview() string { return preview(c.Body) }

// Render implements Content.
func (c *TTS) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *TTS) read(r *reader) {
	repeat := false
	r.object(func(key []byte) bool {
		switch string(key) {
		case "language":
			c.Language = r.str()
		case "repeat":
			n, ok := r.integer()
			if ok {
				c.Repeat, repeat = int(max(min(n, 1<<20), -1)), true
			}
		case "text":
			c.Body = r.str()
		default:
			return false
		}
		return true
	})
	if !repeat {
		c.Repeat = 1
	}
}

func (c *TTS) check(k *checker) {
	k.oneOf("language", c.Language, true, "Language", LanguageEnglish, LanguageSpanish)
	if c.Repeat < 1 || c.Repeat > 3 {
		k.addAt("repeat", herald.VRange, "Repeat must be 1, 2 or 3 times (it is %d).", c.Repeat)
	}
	k.text("text", c.Body, true, maxTTSText, "Text")
}

func (c *TTS) texts(v *visitor) { v.visit("text", &c.Body, false) }

func (c *TTS) clone() Content { out := *c; return &out }
