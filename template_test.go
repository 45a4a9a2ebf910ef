package herald

import (
	"encoding/json"
	"strings"
	"testing"
)

// violationSet returns the "field code" pairs of err's violations.
func violationSet(err error) map[string]bool {
	out := map[string]bool{}
	for _, v := range ErrorViolations(err) {
		out[v.Field+" "+v.Code] = true
	}
	return out
}

func TestTemplateValidate(t *testing.T) {
	payload := json.RawMessage(`{"text":"Hi"}`)
	cases := []struct {
		name string
		t    Template
		want []string // "field code"; none means valid
	}{
		{"valid", Template{Name: " Cakes free ", Channel: ChannelSMS, Payload: payload}, nil},
		{"name at the limit", Template{Name: strings.Repeat("n", MaxTemplateName), Channel: ChannelMobilePush, Payload: payload}, nil},
		{"name one over", Template{Name: strings.Repeat("n", MaxTemplateName+1), Channel: ChannelRCS, Payload: payload}, []string{"name too_long"}},
		{"no name", Template{Name: "  ", Channel: ChannelRCS, Payload: payload}, []string{"name required"}},
		{"no channel", Template{Name: "a", Payload: payload}, []string{"channel required"}},
		{"unknown channel", Template{Name: "a", Channel: 99, Payload: payload}, []string{"channel unknown"}},
		{"channel without templates", Template{Name: "a", Channel: ChannelTelegram, Payload: payload}, []string{"channel unknown"}},
		{"no payload", Template{Name: "a", Channel: ChannelEmail}, []string{"payload required"}},
	}
	for _, c := range cases {
		err := c.t.Validate()
		got := violationSet(err)
		if len(got) != len(c.want) {
			t.Errorf("%s: violations %v, want %v", c.name, got, c.want)
		}
		for _, w := range c.want {
			if !got[w] {
				t.Errorf("%s: violations %v, want %q", c.name, got, w)
			}
		}
	}
	tp := Template{Name: " Cakes free ", Channel: ChannelSMS, Payload: payload}
	_ = tp.Validate()
	if tp.Name != "Cakes free" {
		t.Errorf("Validate kept the name %q, want it trimmed", tp.Name)
	}
	if len(TemplateChannels()) != 8 || IsTemplateChannel(ChannelWeChat) || !IsTemplateChannel(ChannelTTS) {
		t.Errorf("TemplateChannels() = %v, want the eight channels of the constructor", TemplateChannels())
	}
}

func TestConversationTemplateValidate(t *testing.T) {
	many := make([]int64, MaxConversationMedia+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	cases := []struct {
		name string
		t    ConversationTemplate
		want []string
	}{
		{"text", ConversationTemplate{Name: "Welcome", Channel: ChannelRCS, Text: "Hi {{attribute.name}}"}, nil},
		{"files only", ConversationTemplate{Name: "Brochure", Channel: ChannelWhatsApp, MediaIDs: []int64{4}}, nil},
		{"files at the limit", ConversationTemplate{Name: "a", Channel: ChannelViber, Text: "x", MediaIDs: many[:MaxConversationMedia]}, nil},
		{"files one over", ConversationTemplate{Name: "a", Channel: ChannelViber, Text: "x", MediaIDs: many}, []string{"mediaIds too_long"}},
		{"nothing to send", ConversationTemplate{Name: "a", Channel: ChannelSMS, Text: " "}, []string{"text required"}},
		{"bad and repeated IDs", ConversationTemplate{Name: "a", Channel: ChannelSMS, Text: "x", MediaIDs: []int64{3, 0, 3}},
			[]string{"mediaIds[1] unknown", "mediaIds[2] format"}},
		{"no name or channel", ConversationTemplate{Text: "x"}, []string{"name required", "channel required"}},
		{"WeChat", ConversationTemplate{Name: "a", Channel: ChannelWeChat, Text: "x"}, []string{"channel unknown"}},
	}
	for _, c := range cases {
		got := violationSet(c.t.Validate())
		if len(got) != len(c.want) {
			t.Errorf("%s: violations %v, want %v", c.name, got, c.want)
		}
		for _, w := range c.want {
			if !got[w] {
				t.Errorf("%s: violations %v, want %q", c.name, got, w)
			}
		}
	}
	ct := ConversationTemplate{Name: "a", Channel: ChannelSMS, Text: "x"}
	if err := ct.Validate(); err != nil || ct.MediaIDs == nil {
		t.Errorf("Validate() = %v, MediaIDs %v; want valid with an empty list", err, ct.MediaIDs)
	}
}
