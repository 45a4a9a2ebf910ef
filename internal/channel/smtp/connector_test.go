package smtp

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	gosmtp "github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/channel/smtp/smtptest"
	"github.com/heraldhq/herald/internal/media"
	"github.com/heraldhq/herald/internal/storetest"
)

// testKey is the signer key of the tests.
var testKey = bytes.Repeat([]byte{7}, 32)

// open builds and starts a connector with settings (a JSON object with the
// server's host and port added) and secrets.
func open(t *testing.T, srv *smtptest.Server, settings string, secrets map[string]string, media MediaSource) *Connector {
	t.Helper()
	return openAt(t, srv.Host(), srv.Port(), settings, secrets, media)
}

// openAt is open for a server at host and port.
func openAt(t *testing.T, host string, port int, settings string, secrets map[string]string, media MediaSource) *Connector {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(settings), &s); err != nil {
		t.Fatal(err)
	}
	s["host"], s["port"] = host, port
	raw, _ := json.Marshal(s)
	h := NewHub(HubConfig{Signer: NewSigner(testKey), BaseURL: "https://herald.test/", Media: media})
	c, err := h.Open(&herald.Connection{ID: 1, Name: "mail", Type: Type, Channel: herald.ChannelEmail, Settings: raw, Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// email returns a message to to with payload.
func email(to, payload string) *herald.Message {
	return &herald.Message{ID: uuid.Must(uuid.NewV7()).String(), AccountID: 3, Channel: herald.ChannelEmail,
		SenderID: "news@shop.test", Destination: to, Payload: json.RawMessage(payload)}
}

const simple = `{"subject": "Hello", "text": "Hi there"}`

func TestSendThroughPool(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{STARTTLS: true, Users: map[string]string{"shop": "s3cret"}})
	c := open(t, srv, `{"tls": "starttls", "tlsInsecure": true, "auth": "plain", "username": "shop", "poolSize": 2}`,
		map[string]string{SecretPassword: "s3cret"}, MediaSource{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			res, err := c.Send(context.Background(), email(fmt.Sprintf("user%d@example.com", i), simple))
			if err != nil || res.Status != herald.StatusSent || res.ProviderCode != "250" {
				t.Errorf("Send = %+v, %v", res, err)
			}
		})
	}
	wg.Wait()
	if n := len(srv.Wait(20, 5*time.Second)); n != 20 {
		t.Fatalf("server got %d messages, want 20", n)
	}
	if n := srv.Sessions(); n > 2 {
		t.Errorf("20 messages took %d connections; the pool has 2", n)
	}
}

// parsed is a received e-mail split into its parts.
type parsed struct {
	hdr   mail.Header
	raw   string
	parts map[string]string // by media type: decoded bodies
	files map[string]string // attachments by file name
}

// parse reads a received message and its MIME parts.
func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{hdr: m.Header, raw: string(data), parts: map[string]string{}, files: map[string]string{}}
	walk(t, &p, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
	return p
}

func walk(t *testing.T, p *parsed, ctype, cte, disp string, body io.Reader) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		p.parts[mt] = "yes"
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return
			} else if err != nil {
				t.Fatal(err)
			}
			walk(t, p, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part.Header.Get("Content-Disposition"), part)
		}
	}
	b := decodeBody(t, cte, body)
	if _, dp, err := mime.ParseMediaType(disp); err == nil && dp["filename"] != "" {
		name, _ := new(mime.WordDecoder).DecodeHeader(dp["filename"])
		p.files[name] = b
		return
	}
	p.parts[mt] = b
}

func TestMessageStructure(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	c := open(t, srv, `{"tls": "none", "bounceAddress": "bounces@mail.shop.test", "fromName": "Tienda Óptima",
		"replyTo": "help@shop.test"}`, nil, MediaSource{})
	html := `<html><body><p>Grüße, Ana!</p><a href="https://shop.test/sale?a=1&amp;b=2">Sale</a> <a href="mailto:x@shop.test">mail</a>` +
		`<link href="https://shop.test/style.css"></body></html>`
	payload, _ := json.Marshal(map[string]string{"subject": "Grüße aus Köln — 50 % Rabatt", "subtitle": "Nur heute", "html": html})
	m := email("ana@example.com", string(payload))
	res, err := c.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatal("no message arrived")
	}
	sig := NewSigner(testKey)
	if id, ok := sig.ParseVERP(got[0].From); !ok || id != m.ID {
		t.Errorf("envelope sender %q does not name message %s", got[0].From, m.ID)
	}
	p := parse(t, got[0].Data)
	if id, ok := sig.ParseMessageID(p.hdr.Get("Message-Id")); !ok || id != m.ID || p.hdr.Get("Message-Id") != res.ProviderID {
		t.Errorf("Message-ID %q (provider ID %q) does not name message %s", p.hdr.Get("Message-Id"), res.ProviderID, m.ID)
	}
	checkHeaders(t, p)
	if p.parts["multipart/alternative"] == "" || !strings.Contains(p.parts["text/plain"], "Grüße, Ana!") {
		t.Errorf("parts %v: want multipart/alternative with the text", keys(p.parts))
	}
	h := p.parts["text/html"]
	for _, want := range []string{"https://herald.test/email/o/", "https://herald.test/email/c/", "https://herald.test/email/u/", "Nur heute",
		`href="mailto:x@shop.test"`, `<link href="https://shop.test/style.css">`, "Grüße, Ana!"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, `href="https://shop.test/sale`) {
		t.Error("the sale link is not tracked")
	}
	if !strings.Contains(p.parts["text/plain"], "Unsubscribe: https://herald.test/email/u/") {
		t.Errorf("text part lacks the unsubscribe link:\n%s", p.parts["text/plain"])
	}
}

// checkHeaders checks the encoded headers of TestMessageStructure.
func checkHeaders(t *testing.T, p parsed) {
	t.Helper()
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(p.hdr.Get("Subject"))
	if err != nil || subj != "Grüße aus Köln — 50 % Rabatt" {
		t.Errorf("Subject decodes to %q, %v", subj, err)
	}
	if !strings.Contains(p.raw, "Subject: =?UTF-8?") {
		t.Errorf("the subject is not RFC 2047 encoded:\n%s", p.raw[:min(len(p.raw), 800)])
	}
	from, err := (&mail.AddressParser{WordDecoder: dec}).Parse(p.hdr.Get("From"))
	if err != nil || from.Name != "Tienda Óptima" || from.Address != "news@shop.test" {
		t.Errorf("From = %+v, %v", from, err)
	}
	for _, line := range strings.Split(p.raw[:strings.Index(p.raw, "\r\n\r\n")], "\r\n") {
		for i := 0; i < len(line); i++ {
			if line[i] >= 0x80 {
				t.Fatalf("header line with 8-bit bytes: %q", line)
			}
		}
	}
	if p.hdr.Get("Reply-To") != "<help@shop.test>" {
		t.Errorf("Reply-To = %q", p.hdr.Get("Reply-To"))
	}
	lu := p.hdr.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<https://herald.test/email/u/") || !strings.HasSuffix(lu, "?s=sender>") ||
		p.hdr.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q, -Post %q", lu, p.hdr.Get("List-Unsubscribe-Post"))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func decodeBody(t *testing.T, cte string, r io.Reader) string {
	var b []byte
	var err error
	switch strings.ToLower(cte) {
	case "quoted-printable":
		b, err = io.ReadAll(quotedprintable.NewReader(r))
	case "base64":
		b, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, r))
	default:
		b, err = io.ReadAll(r)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAttachments attaches a file of the media library (the real store and
// blob directory): it travels under the name the message gives, and a file
// of another account or none at all fails the message for good.
func TestAttachments(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	shop, other := &herald.Account{Name: "shop"}, &herald.Account{Name: "other"}
	for _, a := range []*herald.Account{shop, other} {
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	blobs, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	lib := media.New(st, blobs, bytes.Repeat([]byte{1}, 32), "https://herald.test/")
	pdf := []byte("%PDF-1.4\n% invoice bytes \x00\x01\x02\n%%EOF\n")
	md, err := lib.Upload(ctx, shop.ID, "invoice.pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t, smtptest.Options{})
	c := open(t, srv, `{"tls": "none"}`, nil, MediaSource{Store: st, Blobs: blobs})
	m := email("ana@example.com", fmt.Sprintf(`{"subject": "Invoice", "text": "Attached.", "attachments": [{"mediaId": %d, "name": "Rechnung März.pdf"}]}`, md.ID))
	m.AccountID = shop.ID
	if _, err := c.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	p := parse(t, srv.Wait(1, 5*time.Second)[0].Data)
	if p.parts["multipart/mixed"] == "" || p.files["Rechnung März.pdf"] != string(pdf) || p.parts["text/plain"] == "" {
		t.Errorf("parts %v files %v", keys(p.parts), keys(p.files))
	}
	for _, tc := range []struct {
		account int64
		media   int64
	}{{other.ID, md.ID}, {shop.ID, md.ID + 100}} {
		m := email("ana@example.com", fmt.Sprintf(`{"subject": "x", "text": "y", "attachments": [{"mediaId": %d}]}`, tc.media))
		m.AccountID = tc.account
		_, err := c.Send(ctx, m)
		if ce := channel.Classify(err); err == nil || ce.Class != channel.ClassPermanent {
			t.Errorf("account %d, media %d: %v, want a permanent error", tc.account, tc.media, err)
		}
	}
}

func TestDKIM(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	edPub, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		name, algo string
		key        any
		pub        any
	}{{"rsa", "rsa", rsaKey, &rsaKey.PublicKey}, {"ed25519", "ed25519", edKey, edPub}} {
		t.Run(tc.name, func(t *testing.T) {
			der, _ := x509.MarshalPKCS8PrivateKey(tc.key)
			keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
			srv := smtptest.Start(t, smtptest.Options{})
			c := open(t, srv, `{"tls": "none", "dkimSelector": "hd1"}`, map[string]string{SecretDKIMKey: keyPEM}, MediaSource{})
			if _, err := c.Send(context.Background(), email("ana@example.com", `{"subject": "Größe", "html": "<p>Señor</p>", "text": "Señor"}`)); err != nil {
				t.Fatal(err)
			}
			data := srv.Wait(1, 5*time.Second)[0].Data
			pubDER, _ := x509.MarshalPKIXPublicKey(tc.pub)
			if tc.algo == "ed25519" {
				pubDER = tc.pub.(ed25519.PublicKey)
			}
			record := "v=DKIM1; k=" + tc.algo + "; p=" + base64.StdEncoding.EncodeToString(pubDER)
			vs, err := dkim.VerifyWithOptions(bytes.NewReader(data), &dkim.VerifyOptions{LookupTXT: func(name string) ([]string, error) {
				if name != "hd1._domainkey.shop.test" {
					return nil, fmt.Errorf("no TXT record for %s", name)
				}
				return []string{record}, nil
			}})
			if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "shop.test" {
				t.Fatalf("DKIM verification: %+v, %v\n%s", vs, err, data)
			}
			// A changed body breaks the signature.
			bad := bytes.Replace(data, []byte("Se"), []byte("Sx"), 1)
			vs, _ = dkim.VerifyWithOptions(bytes.NewReader(bad), &dkim.VerifyOptions{LookupTXT: func(string) ([]string, error) { return []string{record}, nil }})
			if len(vs) != 1 || vs[0].Err == nil {
				t.Error("a tampered message still verifies")
			}
		})
	}
}

func TestAuthMechanisms(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{STARTTLS: true, Users: map[string]string{"shop": "s3cret"}})
	for _, mech := range []string{"plain", "login", "cram-md5"} {
		c := open(t, srv, `{"tlsInsecure": true, "username": "shop", "auth": "`+mech+`"}`, map[string]string{SecretPassword: "s3cret"}, MediaSource{})
		if _, err := c.Send(context.Background(), email("ana@example.com", simple)); err != nil {
			t.Errorf("%s: %v", mech, err)
		}
	}
	if n := len(srv.Wait(3, 5*time.Second)); n != 3 {
		t.Errorf("server got %d messages, want 3", n)
	}
}

// TestRefusedAuthOrTLS: a server that refuses the credentials or TLS makes
// the connection unhealthy with the reason, and its messages fail as a
// misconfiguration at once rather than one dial each.
func TestRefusedAuthOrTLS(t *testing.T) {
	auth := smtptest.Start(t, smtptest.Options{STARTTLS: true, Users: map[string]string{"shop": "s3cret"}})
	plain := smtptest.Start(t, smtptest.Options{})
	cases := []struct {
		name     string
		srv      *smtptest.Server
		settings string
		pass     string
		want     string
	}{
		{"wrong password", auth, `{"tlsInsecure": true, "username": "shop", "auth": "plain"}`, "wrong", "535"},
		{"no STARTTLS", plain, `{"tls": "starttls"}`, "", "STARTTLS"},
		{"no implicit TLS", plain, `{"tls": "tls"}`, "", "TLS"},
		{"untrusted certificate", auth, `{"tls": "starttls", "username": "shop"}`, "s3cret", "certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, tc.srv, tc.settings, map[string]string{SecretPassword: tc.pass}, MediaSource{})
			for i := range 2 {
				_, err := c.Send(context.Background(), email("ana@example.com", simple))
				ce := channel.Classify(err)
				if err == nil || ce.Class != channel.ClassMisconfigured || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("send %d: %v, want a misconfiguration naming %q", i, err, tc.want)
				}
			}
			h, ok := c.hub.Health(1)
			if !ok || h.OK || !strings.Contains(h.Error, tc.want) {
				t.Errorf("health = %+v, %v", h, ok)
			}
		})
	}
}

func TestReplies(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{MaxSize: 4000, Reply: func(rcpt string) *gosmtp.SMTPError {
		switch {
		case strings.HasPrefix(rcpt, "busy@"):
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		case strings.HasPrefix(rcpt, "nobody@"):
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
		}
		return nil
	}})
	c := open(t, srv, `{"tls": "none", "poolSize": 1}`, nil, MediaSource{})
	big, _ := json.Marshal(map[string]string{"subject": "big", "text": strings.Repeat("lorem ipsum ", 1000)})
	cases := []struct {
		to, payload string
		class       channel.Class
		code, text  string
	}{
		{"busy@example.com", simple, channel.ClassRetryable, "451", "Try again later"},
		{"nobody@example.com", simple, channel.ClassPermanent, "550", "5.1.1 No such user"},
		{"ana@example.com", string(big), channel.ClassPermanent, "552", "essage size exceeded"}, // "Max" after BDAT, "Maximum" after DATA
		{"ana@example.com", simple, 0, "", ""},
	}
	for _, tc := range cases {
		_, err := c.Send(context.Background(), email(tc.to, tc.payload))
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s after refusals: %v", tc.to, err)
			}
			continue
		}
		ce := channel.Classify(err)
		if err == nil || ce.Class != tc.class || ce.ProviderCode != tc.code || !strings.Contains(ce.Message(), tc.text) {
			t.Errorf("%s: %v (class %v, code %q), want %v %s %q", tc.to, err, ce.Class, ce.ProviderCode, tc.class, tc.code, tc.text)
		}
	}
	if srv.Sessions() != 1 {
		t.Errorf("refusals took %d connections; the session should go on after RSET", srv.Sessions())
	}
}

func TestBadContent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	c := open(t, srv, `{"tls": "none"}`, nil, MediaSource{})
	for _, m := range []*herald.Message{email("not an address", simple), email("a@example.com", `[1]`)} {
		if _, err := c.Send(context.Background(), m); channel.Classify(err).Class != channel.ClassPermanent {
			t.Errorf("%s %s: %v, want a permanent error", m.Destination, m.Payload, err)
		}
	}
}
