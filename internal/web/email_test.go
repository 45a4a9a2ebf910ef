package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/secret"
)

// healthStub reports one unhealthy connection.
type healthStub struct{ id int64 }

func (h healthStub) ConnectionHealth(id int64) (bool, string, bool) {
	return false, "smtp: the server refused the connection: 535 5.7.8 Authentication failed", id == h.id
}
func (h healthStub) InboundMailURL() string { return "https://herald.test/email/inbound/tok" }

// TestSMTPConnectionForm creates an e-mail connection with the typed SMTP
// inputs: errors land beside them, the password and the DKIM key are
// sealed and never shown, the edit page shows the settings back with the
// connection's health and the inbound mail URL.
func TestSMTPConnectionForm(t *testing.T) {
	f := newFixture(t)
	box, _ := secret.NewBox(bytes.Repeat([]byte{3}, secret.KeySize))
	f.portal.box = box
	c := f.ownerClient()
	mustContain(t, c.get("/connections/new").Body, `name="settings.host"`, `data-type-show="smtp"`)

	form := url.Values{"type": {"smtp"}, "channel": {"6"}, "name": {"Mail"}, "settings": {"{}"}, "tps": {"100"},
		"settings.host": {""}, "settings.port": {"70000"}, "settings.tls": {"starttls"}, "settings.bounceAddress": {"not an address"},
		"secrets.password": {"hunter22"}}
	res := c.post("/connections", form)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid SMTP connection: %d\n%s", res.Status, res.Body)
	}
	wantFieldErrors(t, res.Body, map[string]string{
		"settings.host":          "The SMTP server&#39;s host is required.",
		"settings.port":          "The port is from 1 to 65535.",
		"settings.bounceAddress": "&#34;not an address&#34; is not an e-mail address.",
	})
	if strings.Contains(res.Body, "hunter22") {
		t.Error("the form sends the password back")
	}

	_, key, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	form.Set("settings.host", "smtp.example.com")
	form.Set("settings.port", "587")
	form.Set("settings.bounceAddress", "bounces@mail.example.com")
	form.Set("settings.auth", "login")
	form.Set("settings.username", "shop")
	form.Set("settings.fromNames", "news@shop.test=Shop News")
	form.Set("settings.dkimSelector", "hd1")
	form.Set("settings.trackOpens", "on")
	form.Set("secrets.dkimKey", pemKey)
	res = c.post("/connections", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.Status, res.Body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(res.Location, "/connections/"), 10, 64)
	conn, err := f.store.Connection(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	_ = json.Unmarshal(conn.Settings, &s)
	if s["host"] != "smtp.example.com" || s["port"] != 587.0 || s["auth"] != "login" || s["trackOpens"] != true || s["trackClicks"] != false ||
		s["fromNames"].(map[string]any)["news@shop.test"] != "Shop News" {
		t.Errorf("settings %s", conn.Settings)
	}
	secrets, err := box.OpenJSON(conn.SealedSecrets)
	if err != nil || secrets["password"] != "hunter22" || !strings.Contains(secrets["dkimKey"], "PRIVATE KEY") {
		t.Errorf("secrets %v %v", secrets, err)
	}
	f.portal.health = healthStub{id: id}
	page := c.get(res.Location).Body
	mustContain(t, page, `value="smtp.example.com"`, "news@shop.test=Shop News", "535 5.7.8 Authentication failed",
		"https://herald.test/email/inbound/tok", "password", "dkimKey")
	if strings.Contains(page, "hunter22") || strings.Contains(page, "BEGIN PRIVATE KEY-----\n") {
		t.Error("the edit page shows a secret")
	}

	// Saving again without the secrets keeps them.
	form.Del("secrets.password")
	form.Del("secrets.dkimKey")
	if res := c.post(res.Location, form); res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	conn, _ = f.store.Connection(context.Background(), id)
	if got, _ := box.OpenJSON(conn.SealedSecrets); got["password"] != "hunter22" || got["dkimKey"] == "" {
		t.Errorf("secrets after update: %v", got)
	}
}

func TestMessagePreview(t *testing.T) {
	cases := []struct {
		ch      herald.Channel
		payload string
		want    string
	}{
		{herald.ChannelEmail, `{"subject": "Autumn offers", "html": "<p>x</p>"}`, "Autumn offers"},
		{herald.ChannelEmail, `{"subject": "", "text": "x"}`, "Email (no subject)"},
		{herald.ChannelEmail, `{"text": "x"}`, "Email (no subject)"},
		{herald.ChannelSMS, `{"text": "Hello\nthere"}`, "Hello there"},
		{herald.ChannelSMS, `{"text": "` + strings.Repeat("a", 70) + `"}`, strings.Repeat("a", 59) + "…"},
		{herald.ChannelPush, `{"header": "h", "body": "Body text"}`, "Body text"},
	}
	for _, c := range cases {
		if got := messagePreview(&herald.Message{Channel: c.ch, Payload: json.RawMessage(c.payload)}); got != c.want {
			t.Errorf("preview of %s %s = %q, want %q", c.ch, c.payload, got, c.want)
		}
	}
}

// TestEmailMessagePages sends e-mails to the sandbox: the messages log
// shows their subjects (or "Email (no subject)" for an inbound one
// without), and an e-mail's page its subject, text and opens.
func TestEmailMessagePages(t *testing.T) {
	f := newFixture(t)
	e := f.withMessaging()
	ctx := context.Background()
	m, err := e.Send(ctx, &herald.SendRequest{AccountID: f.account.ID, Contact: herald.ContactRef{Email: "ana@example.com"},
		Origin: herald.OriginAPI, Traffic: herald.TrafficAPI, Steps: []herald.SendStep{{Channel: herald.ChannelEmail,
			SenderID: herald.SandboxSender, Payload: json.RawMessage(`{"subject": "Ofertas de otoño", "text": "Hola Ana"}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.RecordEmailEvent(ctx, &herald.EmailEvent{AccountID: f.account.ID, MessageID: m.ID, Kind: herald.EmailClicked,
		URL: "https://shop.test/sale"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Receive(ctx, channel.Inbound{AccountID: f.account.ID, ConnectionID: m.ConnectionID, Channel: herald.ChannelEmail,
		From: "ana@example.com", To: herald.SandboxSender, Payload: json.RawMessage(`{"subject": "", "text": "Gracias"}`), Text: "Gracias"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "ann")
	mustContain(t, c.get("/messages").Body, "Ofertas de otoño", "Email (no subject)")
	mustContain(t, c.get("/messages/"+m.ID).Body, `data-subject>Ofertas de otoño`, "Hola Ana", "Opens and clicks", "https://shop.test/sale")
}
