package content

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/heraldhq/herald"
)

// TestDocsExamples decodes every example of docs/constructor.md whose code
// fence names its channel ("```json rcs"): the documentation shows
// payloads the server takes.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/constructor.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("(?s)```json ([a-z]+)\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	seen := map[herald.Channel]int{}
	for _, m := range examples {
		ch, err := herald.ParseChannel(m[1])
		if err != nil {
			t.Fatalf("example for %q: %v", m[1], err)
		}
		seen[ch]++
		if _, err := Decode(ch, json.RawMessage(m[2])); err != nil {
			t.Errorf("%s example %d: %v\n%s", m[1], seen[ch], herald.ErrorViolations(err), m[2])
		}
	}
	for _, ch := range []herald.Channel{herald.ChannelSMS, herald.ChannelRCS, herald.ChannelViber, herald.ChannelWhatsApp,
		herald.ChannelEmail, herald.ChannelPush, herald.ChannelTTS, herald.ChannelMobilePush} {
		if seen[ch] == 0 {
			t.Errorf("docs/constructor.md has no %s example", ch.Label())
		}
	}
}
