package smtp

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
)

// varying matches what differs between two compositions of one message:
// the multipart boundaries and the Date header.
var varying = regexp.MustCompile(`=_herald_[0-9a-f]{32}|\r\nDate: [^\r]*`)

// composeRaw composes m and returns its bytes with the boundaries and date
// blanked.
func composeRaw(t *testing.T, c *Connector, m *herald.Message) string {
	t.Helper()
	out, err := c.compose(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	defer c.done(out)
	return varying.ReplaceAllString(string(out.raw), "")
}

// TestPreparedPayloadSameBytes checks that an e-mail composed from a
// prepared payload (a campaign's second and later recipients) has the
// bytes of one composed from scratch, for HTML with tracked links, a
// subtitle, an unsubscribe tag, no <body>, a text part (with the tag or
// </body>), invalid UTF-8, and
// personalised payloads, with tracking and unsubscribe links on or off.
func TestPreparedPayloadSameBytes(t *testing.T) {
	docs := []map[string]string{
		{"subject": "Autumn", "html": `<html><head><style>a{}</style></head><body class="x"><p>Hola <b>Ana</b></p>` +
			`<a href="https://shop.test/a?b=1&amp;c=2">A</a> <a href='mailto:x@y.z'>m</a><AREA HREF=http://shop.test/map>` +
			"\n. dotted line   \n" + `<a title="x" href="https://shop.test/ü?q=a b">ü</a></BODY></html>`},
		{"subject": "Sub", "subtitle": "Only this week & more", "html": `<body><p>Offers <a href="https://shop.test/o">here</a></p></body>`},
		{"subject": "No body", "html": `<p>No body tag <a href="https://shop.test/x">x</a></p>`},
		{"subject": "Tag", "html": `<body><a href="*|UNSUB|*">Leave</a> <a href="https://shop.test/t">t</a></body>`},
		{"subject": "Text and HTML", "text": "Hi there,\nsee https://shop.test\n", "html": `<body><a href="https://shop.test/y">y</a></body>`},
		{"subject": "Text with tag", "text": "Hi,\nleave here: *|UNSUB|*\nBye", "html": `<body><a href="https://shop.test/y">y</a></body>`},
		{"subject": "Text with body end", "text": "<body>Hi, a text that ends like HTML</BODY> and more"},
		{"subject": "Text only", "text": "Plain text, a long line that goes on and on past the seventy-six characters of a line."},
		{"subject": "Bad UTF-8", "html": "<body><p>\xff\xfe <a href=\"https://shop.test/z\">z</a>\xc3</p></body>"},
		{"subject": "NUL", "html": "<body><p>a\x00b <a href=\"https://shop.test/n\">n</a></p></body>"},
	}
	settings := []string{`{"host": "h", "bounceAddress": "bounces@mail.shop.test", "fromName": "Shop"}`,
		`{"host": "h", "trackClicks": false, "trackOpens": false, "unsubscribe": false}`,
		`{"host": "h", "trackOpens": false, "replyTo": "help@shop.test"}`}
	for _, set := range settings {
		for _, doc := range docs {
			payload, _ := json.Marshal(doc)
			h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
			conn := &herald.Connection{ID: 1, Name: "b", Type: Type, Settings: json.RawMessage(set)}
			warm, err := h.Open(conn)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second time prepares the payload
				composeRaw(t, warm, email("eva@example.com", string(payload)))
			}
			if n, _ := warm.prep.len(); n != 1 {
				t.Fatalf("%s: %d prepared payloads, want 1", doc["subject"], n)
			}
			m := email("ana@example.com", string(payload))
			cold, err := h.Open(conn)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := composeRaw(t, warm, m), composeRaw(t, cold, m); got != want {
				t.Errorf("settings %s, %s:\nprepared %q\nscratch  %q", set, doc["subject"], got, want)
			}
		}
	}

	// Personalised: a payload per recipient is never prepared, and each
	// e-mail is its own.
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
	c, err := h.Open(&herald.Connection{ID: 1, Name: "b", Type: Type, Settings: json.RawMessage(`{"host": "h"}`)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		payload := fmt.Sprintf(`{"subject": "For you", "html": "<body><p>Hello %d</p><a href=\"https://shop.test/%d\">go</a></body>"}`, i, i)
		m := email(fmt.Sprintf("r%d@example.com", i), payload)
		scratch, err := h.Open(&herald.Connection{ID: 2, Name: "s", Type: Type, Settings: json.RawMessage(`{"host": "h"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := composeRaw(t, c, m), composeRaw(t, scratch, m); got != want {
			t.Errorf("personalised %d:\ngot  %q\nwant %q", i, got, want)
		}
	}
	if n, seen := c.prep.len(); n != 0 || seen != 3 {
		t.Errorf("personalised payloads: %d prepared, %d seen; want 0 and 3", n, seen)
	}
}

// TestPreparedPayloadFollowsBaseURL checks that a payload prepared under
// one public base URL is prepared again when the URL changes.
func TestPreparedPayloadFollowsBaseURL(t *testing.T) {
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
	c, err := h.Open(&herald.Connection{ID: 1, Name: "b", Type: Type, Settings: json.RawMessage(`{"host": "h"}`)})
	if err != nil {
		t.Fatal(err)
	}
	payload := `{"subject": "S", "html": "<body><a href=\"https://shop.test/a\">a</a></body>"}`
	for range 2 {
		composeRaw(t, c, email("eva@example.com", payload))
	}
	h.SetBaseURL("https://mail.herald.test")
	m := email("ana@example.com", payload)
	scratch, err := h.Open(&herald.Connection{ID: 2, Name: "s", Type: Type, Settings: json.RawMessage(`{"host": "h"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := composeRaw(t, c, m), composeRaw(t, scratch, m); got != want {
		t.Errorf("after a new base URL:\ngot  %q\nwant %q", got, want)
	}
}

// TestPreparedCacheBounded checks that a connector keeps at most
// preparedMax prepared payloads and remembers at most seenMax others.
func TestPreparedCacheBounded(t *testing.T) {
	var pc preparedCache
	calls := 0
	prepare := func(payload []byte, base string) *prepared {
		calls++
		return &prepared{payload: string(payload), base: base}
	}
	for i := range 3 * preparedMax {
		p := []byte(fmt.Sprintf(`{"subject": "%d"}`, i))
		if pc.get(p, "", prepare) != nil {
			t.Fatalf("payload %d prepared the first time it was seen", i)
		}
		if got := pc.get(p, "", prepare); got == nil || got.payload != string(p) {
			t.Fatalf("payload %d: not prepared the second time", i)
		}
		if got := pc.get(p, "", prepare); got == nil || got.payload != string(p) {
			t.Fatalf("payload %d: not kept", i)
		}
		if n, _ := pc.len(); n > preparedMax {
			t.Fatalf("%d prepared payloads, more than %d", n, preparedMax)
		}
	}
	if calls != 3*preparedMax {
		t.Errorf("prepared %d times, want %d", calls, 3*preparedMax)
	}
	for i := range seenMax + 10 {
		pc.get([]byte(fmt.Sprintf(`{"subject": "once %d"}`, i)), "", prepare)
		if _, seen := pc.len(); seen > seenMax {
			t.Fatalf("%d payloads remembered, more than %d", seen, seenMax)
		}
	}
}

// TestAppendToken checks that appendToken appends what token returns.
func TestAppendToken(t *testing.T) {
	s := NewSigner(testKey)
	for _, extra := range []string{"", "https://shop.test/a?b=1", "https://shop.test/" + string(make([]byte, 300))} {
		prefix := []byte("https://herald.test/email/c/")
		got := string(s.appendToken(prefix, linkClick, 123456, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", extra))
		if want := string(prefix) + s.token(linkClick, 123456, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", extra); got != want {
			t.Errorf("extra %q: got %q, want %q", extra, got, want)
		}
		// The signature is the one parseToken computes on its own (mac).
		if acc, msg, ok := s.parseToken(linkClick, got[len(prefix):], extra); !ok || acc != 123456 || msg != "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" {
			t.Errorf("extra %q: parseToken(%q) = %d, %q, %v", extra, got[len(prefix):], acc, msg, ok)
		}
	}
}

// TestDecodedContentSameBytes checks that an e-mail composed from the
// content a broadcast hands over decoded (Message.Content) has the bytes
// of one composed from its payload.
func TestDecodedContentSameBytes(t *testing.T) {
	payloads := []string{
		`{"subject": "Hola Ana & co", "subtitle": "<Solo> hoy", "html": "<body><p>Hola Ana</p><a href=\"https://shop.test/a?b=1&amp;c=2\">A</a></body>"}`,
		`{"subject": "Text", "text": "Hi,\nleave here: *|UNSUB|*", "html": "<p>No body <a href=\"https://shop.test/x\">x</a></p>"}`,
		`{"subject": "Ünï", "html": "<body><a href=\"*|UNSUB|*\">Leave</a> ü</body>"}`,
	}
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test"})
	for i, payload := range payloads {
		c, err := h.Open(&herald.Connection{ID: int64(i + 1), Name: "d", Type: Type, Settings: json.RawMessage(`{"host": "h"}`)})
		if err != nil {
			t.Fatal(err)
		}
		scratch, err := h.Open(&herald.Connection{ID: int64(i + 10), Name: "s", Type: Type, Settings: json.RawMessage(`{"host": "h"}`)})
		if err != nil {
			t.Fatal(err)
		}
		m := email("ana@example.com", payload)
		e := new(content.Email)
		if err := json.Unmarshal(m.Payload, e); err != nil {
			t.Fatal(err)
		}
		withContent := *m
		withContent.Content = e
		if got, want := composeRaw(t, c, &withContent), composeRaw(t, scratch, m); got != want {
			t.Errorf("payload %d:\ndecoded %q\npayload %q", i, got, want)
		}
	}
}

// TestShort checks that short is the first 40 bits of mac in base32.
func TestShort(t *testing.T) {
	s := NewSigner(testKey)
	for _, id := range []string{"", "0190a1b2c3d47e5f8a9b0c1d2e3f4a5b", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"} {
		if got, want := s.short("verp", id), lower32.EncodeToString(s.mac("verp", id)[:5]); got != want {
			t.Errorf("short(%q) = %q, want %q", id, got, want)
		}
	}
}
