package templates_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/storetest"
	"github.com/heraldhq/herald/internal/templates"
)

// violations returns the "field code" pairs of err's violations.
func violations(err error) []string {
	var out []string
	for _, v := range herald.ErrorViolations(err) {
		out = append(out, v.Field+" "+v.Code)
	}
	return out
}

// TestPrepare checks one valid and one broken template per channel: the
// payload is checked exactly as a message's, violations name payload.*
// fields, and Variables list the placeholders.
func TestPrepare(t *testing.T) {
	cases := []struct {
		ch      herald.Channel
		payload string
		vars    []string
		want    []string // violations; none means valid
	}{
		{herald.ChannelSMS, `{"text": "Hi {{attribute.name}}, code {{code}}. Bye {{ATTRIBUTE.Name}}"}`, []string{"attribute.name", "code"}, nil},
		{herald.ChannelSMS, `{"text": "` + strings.Repeat("a", 1531) + `"}`, nil, []string{"payload.text too_long"}},
		{herald.ChannelRCS, `{"card": {"title": "{{title}}", "text": "Hello {{attribute.name}}",
			"suggestions": [{"type": "reply", "text": "Yes"}]}}`, []string{"title", "attribute.name"}, nil},
		{herald.ChannelRCS, `{"card": {"title": "` + strings.Repeat("t", 201) + `"}}`, nil, []string{"payload.card.title too_long"}},
		{herald.ChannelViber, `{"text": "Hi"}`, []string{}, nil},
		{herald.ChannelViber, `{"text": "` + strings.Repeat("v", 1001) + `"}`, nil, []string{"payload.text too_long"}},
		{herald.ChannelWhatsApp, `{"text": "{{a}} {{b}} {{a}}"}`, []string{"a", "b"}, nil},
		{herald.ChannelWhatsApp, `{"text": "Hi", "colour": "red"}`, nil, []string{"payload.colour unknown"}},
		{herald.ChannelEmail, `{"subject": "Hi {{attribute.name}}", "html": "<p>{{offer}}</p>"}`, []string{"attribute.name", "offer"}, nil},
		{herald.ChannelEmail, `{"text": "no subject"}`, nil, []string{"payload.subject required"}},
		{herald.ChannelPush, `{"header": "Sale"}`, []string{}, nil},
		{herald.ChannelPush, `{}`, nil, []string{"payload required"}},
		{herald.ChannelTTS, `{"language": "es", "repeat": 3, "text": "Hola {{attribute.name}}"}`, []string{"attribute.name"}, nil},
		{herald.ChannelTTS, `{"language": "fr", "text": "Salut"}`, nil, []string{"payload.language format"}},
		{herald.ChannelMobilePush, `{"header": "H", "body": "B"}`, []string{}, nil},
		{herald.ChannelMobilePush, `{"header": "H", "body": "{{oops"}`, nil, []string{"payload.body format"}},
	}
	for _, c := range cases {
		tp := &herald.Template{Name: "t", Channel: c.ch, Payload: json.RawMessage(c.payload)}
		err := templates.Prepare(tp)
		got := violations(err)
		if c.want == nil && err != nil || c.want != nil && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s: Prepare() = %v (%v), want violations %v", c.ch, c.payload[:min(len(c.payload), 60)], got, err, c.want)
			continue
		}
		if c.want == nil && !reflect.DeepEqual(tp.Variables, c.vars) {
			t.Errorf("%s %s: Variables = %q, want %q", c.ch, c.payload, tp.Variables, c.vars)
		}
	}
	tp := &herald.Template{Name: "", Channel: herald.ChannelSMS, Payload: json.RawMessage(`{"text": 5}`)}
	if got, want := violations(templates.Prepare(tp)), []string{"name required", "payload.text format"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Prepare(no name, bad text) = %v, want %v: every fault at once", got, want)
	}
	tp = &herald.Template{Name: "x", Channel: herald.ChannelSMS, Payload: json.RawMessage("{\n  \"text\" : \"Hi\"\n}")}
	if err := templates.Prepare(tp); err != nil || string(tp.Payload) != `{"text":"Hi"}` {
		t.Errorf("Prepare() = %v, payload %s; want it compacted", err, tp.Payload)
	}
}

// TestConversationText checks the channel's text rules on conversation
// templates: at the limit accepted, one over refused, violations on "text".
func TestConversationText(t *testing.T) {
	cases := []struct {
		ch  herald.Channel
		max int
	}{
		{herald.ChannelSMS, 1530}, // 10 GSM 7-bit parts of 153
		{herald.ChannelRCS, 3072},
		{herald.ChannelViber, 1000},
		{herald.ChannelWhatsApp, 4096},
		{herald.ChannelTTS, 1500},
		{herald.ChannelPush, 4096},
		{herald.ChannelMobilePush, 4096},
	}
	for _, c := range cases {
		if vs := templates.CheckConversationText(c.ch, strings.Repeat("a", c.max)); len(vs) != 0 {
			t.Errorf("%s: %d characters: %v, want accepted", c.ch, c.max, vs)
		}
		vs := templates.CheckConversationText(c.ch, strings.Repeat("a", c.max+1))
		if len(vs) != 1 || vs[0].Field != "text" || vs[0].Code != herald.VTooLong {
			t.Errorf("%s: %d characters: %+v, want one too_long violation of text", c.ch, c.max+1, vs)
		}
	}
	vs := templates.CheckConversationText(herald.ChannelEmail, "Hi {{name")
	if len(vs) != 1 || vs[0].Field != "text" || vs[0].Code != herald.VFormat {
		t.Errorf("malformed placeholder: %+v, want a format violation of text", vs)
	}
}

// library is a media library of fixed files (the real one is another
// store's), with the MediaStore methods templates use.
type library map[int64]herald.Media

func (l library) CreateMedia(context.Context, *herald.Media) error { return nil }
func (l library) Media(_ context.Context, accountID, id int64) (*herald.Media, error) {
	m, ok := l[id]
	if !ok || m.AccountID != accountID {
		return nil, herald.Errorf(herald.ENOTFOUND, "File not found.")
	}
	return &m, nil
}
func (l library) ListMedia(context.Context, int64, herald.ListQuery) (herald.Page[herald.Media], error) {
	return herald.Page[herald.Media]{}, nil
}
func (l library) RenameMedia(context.Context, int64, int64, string) error { return nil }
func (l library) DeleteMedia(context.Context, int64, int64) (*herald.Media, error) {
	return nil, nil
}

func TestService(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	a := &herald.Account{Name: "acme", Status: herald.AccountActive, TimeZone: "UTC"}
	if err := st.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	lib := library{5: {ID: 5, AccountID: a.ID, Name: "welcome.png"}, 6: {ID: 6, AccountID: a.ID + 1, Name: "theirs.png"}}
	svc := templates.New(st, lib)

	tp := &herald.Template{AccountID: a.ID, Name: "Code", Channel: herald.ChannelSMS, Payload: json.RawMessage(`{"text": "Code {{code}}"}`)}
	if err := svc.CreateTemplate(ctx, tp); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Template(ctx, a.ID, tp.ID)
	if err != nil || !reflect.DeepEqual(got.Variables, []string{"code"}) || string(got.Payload) != `{"text":"Code {{code}}"}` {
		t.Fatalf("Template() = %+v, %v; want the compacted payload and its variable", got, err)
	}
	tp.Payload = json.RawMessage(`{"text": ""}`)
	if got := violations(svc.UpdateTemplate(ctx, tp)); !reflect.DeepEqual(got, []string{"payload.text required"}) {
		t.Errorf("UpdateTemplate(empty text) = %v, want payload.text required", got)
	}

	ct := &herald.ConversationTemplate{AccountID: a.ID, Name: "Welcome", Channel: herald.ChannelViber, Text: "Hi {{attribute.name}}", MediaIDs: []int64{5}}
	if err := svc.CreateConversationTemplate(ctx, ct); err != nil {
		t.Fatal(err)
	}
	ct.MediaIDs, ct.Text = []int64{5, 6, 99}, strings.Repeat("x", 1001)
	want := []string{"text too_long", "mediaIds[1] unknown", "mediaIds[2] unknown"}
	if got := violations(svc.UpdateConversationTemplate(ctx, ct)); !reflect.DeepEqual(got, want) {
		t.Errorf("UpdateConversationTemplate(long text, foreign and unknown files) = %v, want %v", got, want)
	}
	bare := templates.New(st, nil)
	ct.MediaIDs, ct.Text = []int64{5}, "Hi"
	if got := violations(bare.UpdateConversationTemplate(ctx, ct)); !reflect.DeepEqual(got, []string{"mediaIds[0] unknown"}) {
		t.Errorf("without a media library: %v, want the file refused", got)
	}
	ct.MediaIDs = nil
	if err := bare.UpdateConversationTemplate(ctx, ct); err != nil {
		t.Errorf("without a media library, no files: %v", err)
	}
}
