package smtp

import (
	"context"
	"encoding/base64"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
)

// TrackerStore is what the public e-mail endpoints need from the database.
type TrackerStore interface {
	Message(ctx context.Context, accountID int64, id string) (*herald.Message, error)
	herald.EmailEventStore
}

// OptOuts records unsubscribes: part of herald.ContactDirectory.
type OptOuts interface {
	ContactByAddress(ctx context.Context, accountID int64, channel herald.Channel, addr string) (*herald.Contact, error)
	AddOptOut(ctx context.Context, o herald.OptOut) error
}

// Tracker serves the public e-mail endpoints under /email/: the open
// pixel, tracked links, unsubscribe pages with RFC 8058 one-click
// unsubscribe, and the inbound mail webhook. They need no session: every
// URL carries a signature (HMAC under a key derived from the server's
// key), and a URL whose signature does not match is not found.
type Tracker struct {
	signer *Signer
	sink   channel.Sink
	store  TrackerStore
	optout OptOuts
	inbox  *Inbox // nil: no inbound webhook
	log    *slog.Logger
}

// NewTracker returns a Tracker; inbox may be nil.
func NewTracker(signer *Signer, sink channel.Sink, store TrackerStore, optout OptOuts, inbox *Inbox, log *slog.Logger) *Tracker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tracker{signer: signer, sink: sink, store: store, optout: optout, inbox: inbox, log: log}
}

// Handler returns the endpoints' handler, to mount at /email/.
func (t *Tracker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /email/o/{token}", t.open)
	mux.HandleFunc("GET /email/c/{token}", t.click)
	mux.HandleFunc("GET /email/u/{token}", t.unsubscribePage)
	mux.HandleFunc("POST /email/u/{token}", t.unsubscribe)
	mux.HandleFunc("POST /email/inbound/{token}", t.inbound)
	return mux
}

// pixel is a transparent 1x1 GIF.
var pixel, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

// noStore keeps answers out of caches, so every open and click comes back.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store, max-age=0")
}

// open records an open and answers the pixel.
func (t *Tracker) open(w http.ResponseWriter, r *http.Request) {
	acc, msg, ok := t.signer.parseToken(linkOpen, strings.TrimSuffix(r.PathValue("token"), ".gif"), "")
	if !ok {
		http.NotFound(w, r)
		return
	}
	t.seen(r, acc, msg, herald.EmailOpened, "")
	noStore(w)
	w.Header().Set("Content-Type", "image/gif")
	_, _ = w.Write(pixel)
}

// click records a click and redirects to the link's target.
func (t *Tracker) click(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("u")
	acc, msg, ok := t.signer.parseToken(linkClick, r.PathValue("token"), target)
	if !ok || !trackedScheme(target) {
		http.NotFound(w, r)
		return
	}
	t.seen(r, acc, msg, herald.EmailClicked, target)
	noStore(w)
	http.Redirect(w, r, target, http.StatusFound)
}

// seen records an event and reports the message seen: a click proves the
// e-mail was opened even when its images were not loaded.
func (t *Tracker) seen(r *http.Request, acc int64, msg string, kind herald.EmailEventKind, url string) {
	ctx := context.WithoutCancel(r.Context())
	ev := &herald.EmailEvent{AccountID: acc, MessageID: msg, Kind: kind, URL: url, UserAgent: truncate(r.UserAgent(), 256), At: time.Now().UTC()}
	if err := t.store.RecordEmailEvent(ctx, ev); err != nil {
		t.log.Warn("smtp: recording an e-mail event", "message", msg, "kind", kind, "err", err)
	}
	if err := t.sink.Report(ctx, channel.Report{MessageID: msg, Status: herald.StatusSeen, At: ev.At}); err != nil {
		t.log.Warn("smtp: reporting an e-mail seen", "message", msg, "err", err)
	}
}

// unsubscribeData is what the unsubscribe page shows.
type unsubscribeData struct {
	Address, Sender string
	Channel, Done   bool
}

// unsubscribeTmpl is the page of an unsubscribe link.
var unsubscribeTmpl = template.Must(template.New("u").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Unsubscribe</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222">
{{if .Done}}<h1>You are unsubscribed</h1>
<p>{{.Address}} will get no more e-mail {{if .Channel}}from us{{else}}from {{.Sender}}{{end}}.</p>
{{else}}<h1>Unsubscribe</h1>
<p>Stop e-mail to {{.Address}} {{if .Channel}}from us{{else}}from {{.Sender}}{{end}}?</p>
<form method="post"><button type="submit" style="font-size:1rem;padding:.5rem 1rem">Unsubscribe</button></form>{{end}}
</body></html>`))

// unsubscribeTarget checks an unsubscribe URL and loads its message.
func (t *Tracker) unsubscribeTarget(w http.ResponseWriter, r *http.Request) (*herald.Message, string, bool) {
	scope := r.URL.Query().Get("s")
	acc, id, ok := t.signer.parseToken(linkUnsubscribe, r.PathValue("token"), scope)
	if !ok || (scope != ScopeSender && scope != ScopeChannel) {
		http.NotFound(w, r)
		return nil, "", false
	}
	m, err := t.store.Message(r.Context(), acc, id)
	if herald.IsNotFound(err) {
		http.NotFound(w, r)
		return nil, "", false
	} else if err != nil {
		t.log.Error("smtp: loading an unsubscribed message", "message", id, "err", err)
		http.Error(w, "Please try again later.", http.StatusServiceUnavailable)
		return nil, "", false
	}
	return m, scope, true
}

// unsubscribePage asks to confirm; it changes nothing (link scanners
// follow links).
func (t *Tracker) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	m, scope, ok := t.unsubscribeTarget(w, r)
	if !ok {
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = unsubscribeTmpl.Execute(w, unsubscribeData{Address: m.Destination, Sender: m.SenderID, Channel: scope == ScopeChannel})
}

// unsubscribe opts the message's contact out of the sender ID or of
// e-mail: the page's button, or a mail program's one-click POST
// (List-Unsubscribe=One-Click, RFC 8058), which gets a plain 200.
func (t *Tracker) unsubscribe(w http.ResponseWriter, r *http.Request) {
	m, scope, ok := t.unsubscribeTarget(w, r)
	if !ok {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	if err := t.optOut(ctx, m, scope); err != nil {
		t.log.Error("smtp: unsubscribing", "message", m.ID, "err", err)
		http.Error(w, "Please try again later.", http.StatusServiceUnavailable)
		return
	}
	ev := &herald.EmailEvent{AccountID: m.AccountID, MessageID: m.ID, Kind: herald.EmailUnsubscribed, Detail: scope,
		UserAgent: truncate(r.UserAgent(), 256), At: time.Now().UTC()}
	if err := t.store.RecordEmailEvent(ctx, ev); err != nil {
		t.log.Warn("smtp: recording an unsubscribe", "message", m.ID, "err", err)
	}
	noStore(w)
	if r.PostFormValue("List-Unsubscribe") == "One-Click" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "Unsubscribed.\n")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = unsubscribeTmpl.Execute(w, unsubscribeData{Address: m.Destination, Sender: m.SenderID, Channel: scope == ScopeChannel, Done: true})
}

// optOut records the contact's opt-out of the sender ID (scope sender) or
// of e-mail; a message to no contact opts out the contact with its
// address, if there is one.
func (t *Tracker) optOut(ctx context.Context, m *herald.Message, scope string) error {
	contact := m.ContactID
	if contact == 0 {
		c, err := t.optout.ContactByAddress(ctx, m.AccountID, herald.ChannelEmail, m.Destination)
		if herald.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		contact = c.ID
	}
	o := herald.OptOut{AccountID: m.AccountID, ContactID: contact, Channel: herald.ChannelEmail, At: time.Now().UTC(),
		By: herald.OptOutByUnsubscribe}
	if scope == ScopeSender {
		o.SenderID = m.SenderID
	}
	return t.optout.AddOptOut(ctx, o)
}

// maxWebhookMail bounds the inbound webhook's request body.
const maxWebhookMail = maxInboundBytes

// inbound takes one raw RFC 5322 e-mail posted by a mail service (the
// request body, or the form field "email" or "message"). The
// recipients are the query's "to" values, else the mail's headers.
func (t *Tracker) inbound(w http.ResponseWriter, r *http.Request) {
	if t.inbox == nil || !t.signer.checkInbound(r.PathValue("token")) {
		http.NotFound(w, r)
		return
	}
	raw, err := readInbound(w, r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	err = t.inbox.Deliver(r.Context(), r.URL.Query()["to"], raw)
	switch herald.ErrorCode(err) {
	case "":
		w.WriteHeader(http.StatusNoContent)
	case herald.EINVALID:
		http.Error(w, herald.ErrorMessage(err), http.StatusBadRequest)
	case herald.ENOTFOUND:
		http.Error(w, herald.ErrorMessage(err), http.StatusNotFound)
	default:
		t.log.Error("smtp: inbound mail webhook", "err", err)
		http.Error(w, "Please try again later.", http.StatusServiceUnavailable)
	}
}

// readInbound reads the posted e-mail.
func readInbound(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxWebhookMail)
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "multipart/form-data") || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		if err := r.ParseMultipartForm(8 << 20); err != nil && err != http.ErrNotMultipart {
			return nil, err
		}
		for _, k := range []string{"email", "message", "body-mime"} {
			if v := r.FormValue(k); v != "" {
				return []byte(v), nil
			}
		}
	}
	return io.ReadAll(r.Body)
}
