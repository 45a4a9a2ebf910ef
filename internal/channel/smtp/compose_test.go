package smtp

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// TestHTMLPartInOnePass checks that the one-pass HTML part of campaigns
// is the part the step-by-step composition makes, for documents with and
// without <body>, with a subtitle or not, and tracking and unsubscribe
// links on or off.
func TestHTMLPartInOnePass(t *testing.T) {
	docs := []string{
		`<html><head><style>a{}</style></head><body class="x"><p>Hola <b>Ana</b></p><a href="https://shop.test/a?b=1&amp;c=2">A</a>` +
			`<a href='mailto:x@y.z'>m</a><AREA HREF=http://shop.test/map></BODY></html>`,
		`<p>No body tag <a href="https://shop.test/x">x</a></p>`,
		`<body><p>Empty</p></body>`,
		``,
	}
	settings := []string{`{"host": "h"}`, `{"host": "h", "trackClicks": false, "trackOpens": false, "unsubscribe": false}`,
		`{"host": "h", "trackOpens": false}`}
	for _, set := range settings {
		h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
		c, err := h.Open(&herald.Connection{ID: 1, Name: "b", Type: Type, Settings: json.RawMessage(set)})
		if err != nil {
			t.Fatal(err)
		}
		m := email("ana@example.com", simple)
		l := c.links(m)
		unsub := ""
		if c.unsubscribe() {
			unsub = l.unsubscribe(c.settings.UnsubscribeScope)
		}
		for _, doc := range docs {
			for _, sub := range []string{"", "Only this week & more"} {
				if got, want := c.htmlPart(doc, sub, l, unsub), c.htmlSteps(doc, sub, l, unsub); got != want {
					t.Errorf("settings %s, subtitle %q, doc %q:\none pass %q\nsteps    %q", set, sub, doc, got, want)
				}
			}
		}
	}
}

// TestNextField checks that nextField splits as strings.Fields does.
func TestNextField(t *testing.T) {
	for _, s := range []string{"", "  ", "one", " two  words\t", "a\u00a0b\u0085c\u2003d", "\xffbad\xfe utf8 ", "\v\f x \r\n"} {
		var got []string
		for rest := s; ; {
			var f string
			if f, rest = nextField(rest); f == "" {
				break
			}
			got = append(got, f)
		}
		if want := strings.Fields(s); !slices.Equal(got, want) {
			t.Errorf("nextField(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestFromHeaderPerSender checks that the From header follows the sender
// of each message, with its own display name, and that a sender ID that is
// not a bare address is refused, while the last sender's header is kept
// from one message to the next.
func TestFromHeaderPerSender(t *testing.T) {
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
	c, err := h.Open(&herald.Connection{ID: 1, Name: "f", Type: Type, Settings: json.RawMessage(
		`{"host": "h", "fromName": "Shop", "fromNames": {"Offers@Shop.test": "Ofertas Señor"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ sender, want string }{
		{"news@shop.test", `From: "Shop" <news@shop.test>`},
		{"news@shop.test", `From: "Shop" <news@shop.test>`},
		{"offers@shop.test", `From: =?utf-8?q?Ofertas_Se=C3=B1or?= <offers@shop.test>`},
		{"Shop <news@shop.test>", ""},
		{"news@shop.test", `From: "Shop" <news@shop.test>`},
		{"news@", ""},
		{"news@", ""},
	} {
		m := email("ana@example.com", simple)
		m.SenderID = tc.sender
		if tc.want == "" {
			if out, err := c.compose(context.Background(), m); !errors.Is(err, errPayload) {
				t.Errorf("sender %q: composed %v, %v; want errPayload", tc.sender, out, err)
			}
			continue
		}
		if raw := composeRaw(t, c, m); !strings.HasPrefix(raw, tc.want+"\r\n") {
			t.Errorf("sender %s: got %q, want the From header %q", tc.sender, raw[:strings.Index(raw, "\r\n")], tc.want)
		}
	}
}

// TestDotFree checks that a composed message marked free of lines that
// start with a dot has none, for contents with dots at the start of their
// lines, with a display name and DKIM signature or not, and that a plain
// campaign e-mail is marked.
func TestDotFree(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(edKey)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
	var conns []*Connector
	for _, tc := range []struct {
		settings string
		secrets  map[string]string
	}{
		{`{"host": "h", "fromName": ".Shop, Inc. é", "replyTo": "help@shop.test"}`, nil},
		{`{"host": "h", "bounceAddress": "bounces@mail.shop.test", "unsubscribe": false}`, nil},
		{`{"host": "h", "dkimSelector": "hd1"}`, map[string]string{SecretDKIMKey: keyPEM}},
	} {
		c, err := h.Open(&herald.Connection{ID: 1, Name: "d", Type: Type, Settings: json.RawMessage(tc.settings), Secrets: tc.secrets})
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	contents := []map[string]string{
		{"subject": ".Hi", "text": ".\n.leading\r\n..two\n."},
		{"subject": "Hi", "text": "no line break at the end"},
		{"subject": "Hi", "html": "<body>\n.<p>\n.x</p>\n</body>", "subtitle": ".sub"},
		{"subject": "Hi", "text": "a\n.\nb\n", "html": "<p>.</p>\n." + strings.Repeat("x", 74) + ".y"},
		{"subject": "Hi", "html": "<html><body><p>Autumn offers.</p><a href=\"https://shop.test/a.b\">See</a></body></html>"},
	}
	for ci, c := range conns {
		for i, ct := range contents {
			payload, _ := json.Marshal(ct)
			for range 2 { // from the payload, then prepared
				out, err := c.compose(context.Background(), email("ana@example.com", string(payload)))
				if err != nil {
					t.Fatal(err)
				}
				want := dotLine(out.raw) || !bytes.HasSuffix(out.raw, []byte("\r\n"))
				if out.dotFree && dotLine(out.raw) || out.needsDots() != want {
					t.Errorf("settings %d, content %d: dotFree %v, needsDots %v; want %v:\n%s", ci, i, out.dotFree, out.needsDots(), want, out.raw)
				}
				if i == len(contents)-1 && !out.dotFree {
					t.Errorf("settings %d: a campaign's e-mail is not marked free of dot lines:\n%s", ci, out.raw)
				}
				c.done(out)
			}
		}
	}
}
