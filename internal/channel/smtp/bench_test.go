package smtp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel/smtp/smtptest"
	"github.com/heraldhq/herald/internal/content"
)

// BenchmarkSend sends a 4 KB HTML e-mail with tracking through a pool of
// 4 sessions to a discarding server.
func BenchmarkSend(b *testing.B) {
	srv := smtptest.Start(b, smtptest.Options{Discard: true})
	var s map[string]any
	_ = json.Unmarshal([]byte(`{"tls": "none", "poolSize": 4, "bounceAddress": "bounces@mail.shop.test", "fromName": "Shop"}`), &s)
	s["host"], s["port"] = srv.Host(), srv.Port()
	raw, _ := json.Marshal(s)
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
	c, err := h.Open(&herald.Connection{ID: 1, Name: "b", Type: Type, Settings: raw})
	if err != nil {
		b.Fatal(err)
	}
	body := campaignBody()
	payload, _ := json.Marshal(map[string]string{"subject": "Autumn offers for you", "html": "<html><body>" + body + "</body></html>"})
	m := email("ana@example.com", string(payload))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Send(context.Background(), m); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkCompose builds the e-mail of BenchmarkSend without sending it:
// the connector's own work per message of a campaign.
func BenchmarkCompose(b *testing.B) {
	c := composer(b)
	body := campaignBody()
	payload, _ := json.Marshal(map[string]string{"subject": "Autumn offers for you", "html": "<html><body>" + body + "</body></html>"})
	m := email("ana@example.com", string(payload))
	b.ReportAllocs()
	for b.Loop() {
		out, err := c.compose(context.Background(), m)
		if err != nil {
			b.Fatal(err)
		}
		c.done(out)
	}
}

// BenchmarkComposePersonalised is BenchmarkCompose with a payload per
// recipient (a name in the HTML), as campaigns with personalised content
// give the connector: nothing is prepared.
func BenchmarkComposePersonalised(b *testing.B) {
	c := composer(b)
	body := campaignBody()
	msgs := make([]*herald.Message, 1000)
	for i := range msgs {
		payload, _ := json.Marshal(map[string]string{"subject": "Autumn offers for you",
			"html": fmt.Sprintf("<html><body><p>Hello Ana %d,</p>%s</body></html>", i, body)})
		msgs[i] = email("ana@example.com", string(payload))
	}
	composeEach(b, c, msgs)
}

// BenchmarkComposeFilled is BenchmarkComposePersonalised as broadcasts
// hand it over: each recipient's name filled into the step's e-mail,
// prepared once (see fill.go).
func BenchmarkComposeFilled(b *testing.B) {
	c := composer(b)
	tmpl, _ := json.Marshal(map[string]string{"subject": "Autumn offers for you, {{attribute.first name}}",
		"html": "<html><body><p>Hello {{attribute.first name}},</p>" + campaignBody() + "</body></html>"})
	msgs := make([]*herald.Message, 1000)
	var step *content.Email
	for i := range msgs {
		msgs[i] = fillMessage(b, string(tmpl), []string{"first name"}, map[string]string{"first name": fmt.Sprint("Ana ", i)})
		f := msgs[i].Content.(*content.EmailFill)
		if step == nil {
			step = f.Slots
		}
		f.Slots = step // one step, as a broadcast gives it
	}
	composeEach(b, c, msgs)
	if p := c.prep.slots[step]; p == nil {
		b.Fatal("the step was not prepared")
	}
}

// campaignBody is a campaign's HTML body of about 4 KB with tracked links.
func campaignBody() string {
	var body strings.Builder
	for i := 0; body.Len() < 4000; i++ {
		fmt.Fprintf(&body, `<p>Autumn offers, part %d: jackets, boots and scarves for the cold days.</p><a href="https://shop.example.com/c/%d">See</a>`, i, i)
	}
	return body.String()
}

// composer is a connector that composes e-mails without a server.
func composer(b *testing.B) *Connector {
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
	c, err := h.Open(&herald.Connection{ID: 1, Name: "b", Type: Type,
		Settings: json.RawMessage(`{"host": "127.0.0.1", "tls": "none", "bounceAddress": "bounces@mail.shop.test", "fromName": "Shop"}`)})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// composeEach composes msgs in turn, one per iteration of b.
func composeEach(b *testing.B, c *Connector, msgs []*herald.Message) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		out, err := c.compose(context.Background(), msgs[i%len(msgs)])
		if err != nil {
			b.Fatal(err)
		}
		c.done(out)
		i++
	}
}

// BenchmarkQuotedPrintable encodes the HTML of a 4 KB campaign e-mail.
func BenchmarkQuotedPrintable(b *testing.B) {
	html := []byte("<html><body>" + campaignBody() + "</body></html>")
	buf := make([]byte, 0, 2*len(html))
	b.SetBytes(int64(len(html)))
	for b.Loop() {
		buf = appendQP(buf[:0], html)
	}
}
