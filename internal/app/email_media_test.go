package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
)

// TestEmailMediaLibrary attaches a file uploaded to the media library to
// an e-mail, and keeps an inbound e-mail's attachment in the library, where
// the API downloads it; the same inbound e-mail delivered twice (one
// Message-ID) is one message.
func TestEmailMediaLibrary(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		srv, m, base := startEmailMain(t, env)
		ana := addEmailContact(t, m, "+34600111003", "ana@example.com")
		key := apiKey(t, m, "shop", herald.ScopeOmniAPI, herald.ScopeDIDs)

		pdf := []byte("%PDF-1.4\n% Herald invoice 2026-11\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		var up struct {
			ID int64 `json:"id"`
		}
		apiCall(t, "POST", base+"/api/v1/media?filename=invoice.pdf", key, "application/octet-stream", bytes.NewReader(pdf), http.StatusCreated, &up)
		id := sendEmail(t, base, key, "ana@example.com", map[string]any{"subject": "Your invoice", "text": "Attached.",
			"attachments": []map[string]any{{"mediaId": up.ID, "name": "Factura noviembre.pdf"}}})
		waitStatus(t, m, id, herald.StatusSent)
		msgs := srv.Wait(1, 20*time.Second)
		if got := attachments(t, msgs[0].Data); !bytes.Equal(got["Factura noviembre.pdf"], pdf) {
			t.Errorf("attachments of the sent e-mail: %d files, invoice %q", len(got), got["Factura noviembre.pdf"])
		}
		gone := sendEmail(t, base, key, "ana@example.com", map[string]any{"subject": "x", "text": "y",
			"attachments": []map[string]any{{"mediaId": up.ID + 1000}}})
		waitStatus(t, m, gone, herald.StatusFailed) // a file not in the library fails the message, never sends without it

		photo := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
		raw := inboundWithFile("<reply-42@example.com>", "talla.gif", "image/gif", photo)
		for i := range 2 {
			res, err := http.Post(m.InboundMailURL(), "message/rfc822", strings.NewReader(raw))
			if err != nil || res.StatusCode != http.StatusNoContent {
				t.Fatalf("inbound webhook, delivery %d: %v %v", i+1, res, err)
			}
			res.Body.Close()
		}
		mo := waitMO(t, m, 1)
		var p struct {
			MessageID   string `json:"messageId"`
			Attachments []struct {
				Name    string `json:"name"`
				MediaID int64  `json:"mediaId"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal(mo.Payload, &p); err != nil || mo.ContactID != ana.ID || len(p.Attachments) != 1 || p.Attachments[0].MediaID == 0 {
			t.Fatalf("inbound e-mail %+v payload %s (%v)", mo, mo.Payload, err)
		}
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/media/%d/content", base, p.Attachments[0].MediaID), nil)
		res, body := send(t, req, key)
		if res.StatusCode != http.StatusOK || !bytes.Equal(body, photo) || res.Header.Get("Content-Type") != "image/gif" {
			t.Errorf("the inbound attachment from the library: %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		time.Sleep(300 * time.Millisecond) // the second delivery is answered already; give a duplicate time to show
		if n := countMO(t, m); n != 1 {
			t.Errorf("%d inbound e-mails after the same Message-ID twice, want 1", n)
		}
	})
}

// inboundWithFile is an e-mail from Ana with one attachment.
func inboundWithFile(messageID, name, ctype string, data []byte) string {
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "From: Ana <ana@example.com>\r\nTo: news@shop.test\r\nSubject: Re: Your invoice\r\nMessage-ID: %s\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n", messageID, mw.Boundary())
	tw, _ := mw.CreatePart(map[string][]string{"Content-Type": {"text/plain; charset=utf-8"}})
	_, _ = io.WriteString(tw, "¿Tenéis la talla M?")
	fw, _ := mw.CreatePart(map[string][]string{"Content-Type": {ctype}, "Content-Transfer-Encoding": {"base64"},
		"Content-Disposition": {`attachment; filename="` + name + `"`}})
	_, _ = io.WriteString(fw, base64.StdEncoding.EncodeToString(data))
	_ = mw.Close()
	return b.String()
}

// attachments returns the files of an RFC 5322 message by file name.
func attachments(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	var walk func(ctype string, body io.Reader)
	walk = func(ctype string, body io.Reader) {
		mt, params, _ := mime.ParseMediaType(ctype)
		if !strings.HasPrefix(mt, "multipart/") {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				return
			}
			if name := part.FileName(); name != "" {
				data, _ := io.ReadAll(part) // decodes quoted-printable; base64 below
				if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
					data, _ = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data)))
				}
				files[name] = data
				continue
			}
			walk(part.Header.Get("Content-Type"), part)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return files
}

// countMO counts account 1's inbound e-mails.
func countMO(t *testing.T, m *app.Main) int {
	t.Helper()
	page, err := m.Store.ListMessages(context.Background(), 1, herald.ListQuery{Limit: 10,
		Filters: []herald.Filter{{Field: "direction", Op: herald.OpEq, Value: "mo"}, {Field: "channel", Op: herald.OpEq, Value: "email"}}})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}
