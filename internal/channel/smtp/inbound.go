package smtp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
)

// InboxStore is what inbound mail needs from the database.
type InboxStore interface {
	// Connections returns every connection (the SMTP ones are used).
	Connections(ctx context.Context) ([]herald.Connection, error)
	// SenderOnConnection returns the sender ID name on a connection (any
	// account), or ENOTFOUND.
	SenderOnConnection(ctx context.Context, connectionID int64, name string) (*herald.SenderID, error)
	// InboundEmailReceived reports whether the account has an inbound
	// e-mail with that Message-ID to that sender ID on the connection.
	InboundEmailReceived(ctx context.Context, accountID, connectionID int64, senderID, messageID string) (bool, error)
}

// Inbox takes the e-mail that arrives at Herald, over its SMTP listener or
// its inbound mail webhook: delivery status notifications become
// undelivered statuses of the messages they name, and mail to an e-mail
// sender ID becomes an inbound (MO) message in the contact's thread, with
// its subject and attachments. Its methods are safe for concurrent use.
type Inbox struct {
	sink   channel.Sink
	store  InboxStore
	signer *Signer
	media  MediaSource
	log    *slog.Logger

	mu      sync.Mutex
	conns   []smtpConn // the SMTP connections, cached
	expires time.Time

	// receiving serialises the check for an e-mail received already and
	// its receipt, so that the same e-mail delivered twice at once by two
	// sessions of this process makes one inbound message.
	receiving sync.Mutex
}

// smtpConn is an SMTP connection's ID and bounce address.
type smtpConn struct {
	id     int64
	bounce string // lower case; "" for none
}

// NewInbox returns an Inbox that reports to sink; media (optional) keeps
// attachments in the media library.
func NewInbox(sink channel.Sink, store InboxStore, signer *Signer, media MediaSource, log *slog.Logger) *Inbox {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Inbox{sink: sink, store: store, signer: signer, media: media, log: log}
}

// connTTL is how long the list of SMTP connections is cached.
const connTTL = 10 * time.Second

// connections returns the SMTP connections, cached for a while.
func (ib *Inbox) connections(ctx context.Context) ([]smtpConn, error) {
	ib.mu.Lock()
	if time.Now().Before(ib.expires) {
		defer ib.mu.Unlock()
		return ib.conns, nil
	}
	ib.mu.Unlock()
	all, err := ib.store.Connections(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing connections: %w", err)
	}
	var out []smtpConn
	for _, c := range all {
		if c.Type != Type {
			continue
		}
		sc := smtpConn{id: c.ID}
		if s, err := ParseSettings(c.Settings); err == nil {
			sc.bounce = strings.ToLower(s.BounceAddress)
		}
		out = append(out, sc)
	}
	ib.mu.Lock()
	ib.conns, ib.expires = out, time.Now().Add(connTTL)
	ib.mu.Unlock()
	return out, nil
}

// sender finds the e-mail sender ID addr on an SMTP connection.
func (ib *Inbox) sender(ctx context.Context, addr string) (*herald.SenderID, error) {
	conns, err := ib.connections(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		s, err := ib.store.SenderOnConnection(ctx, c.id, addr)
		if err == nil && s.Channel == herald.ChannelEmail {
			return s, nil
		} else if err != nil && !herald.IsNotFound(err) {
			return nil, err
		}
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "No e-mail sender ID %q.", addr)
}

// isBounceAddress reports whether addr takes bounces: a VERP address that
// Herald signed, or the bounce address of an SMTP connection.
func (ib *Inbox) isBounceAddress(ctx context.Context, addr string) bool {
	if _, ok := ib.signer.ParseVERP(addr); ok {
		return true
	}
	conns, err := ib.connections(ctx)
	if err != nil {
		return false
	}
	addr = strings.ToLower(addr)
	for _, c := range conns {
		if c.bounce != "" && c.bounce == addr {
			return true
		}
	}
	return false
}

// Accepts reports whether mail to addr is Herald's: a bounce address or
// an e-mail sender ID. The SMTP listener refuses other recipients.
func (ib *Inbox) Accepts(ctx context.Context, addr string) (bool, error) {
	if ib.isBounceAddress(ctx, addr) {
		return true, nil
	}
	_, err := ib.sender(ctx, addr)
	if herald.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// ErrNotOurs answers mail none of whose recipients is Herald's.
var ErrNotOurs = herald.Errorf(herald.ENOTFOUND, "No recipient of this e-mail is a sender ID or bounce address of Herald.")

// Deliver takes one e-mail (raw RFC 5322) for the envelope recipients
// rcpts (from its To, Cc and Delivered-To headers when rcpts is empty). It
// returns once what it produced is committed.
func (ib *Inbox) Deliver(ctx context.Context, rcpts []string, raw []byte) error {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return herald.Errorf(herald.EINVALID, "The e-mail cannot be read: %s.", err.Error())
	}
	if len(rcpts) == 0 {
		rcpts = headerRecipients(msg.Header)
	}
	var bounceTo string
	for _, r := range rcpts {
		if ib.isBounceAddress(ctx, r) {
			bounceTo = r
			break
		}
	}
	if d, ok := parseDSN(msg.Header, msg.Body); ok || bounceTo != "" {
		return ib.bounce(ctx, bounceTo, d, ok)
	}
	return ib.receive(ctx, rcpts, msg)
}

// headerRecipients returns the addresses of the recipient headers.
func headerRecipients(h mail.Header) []string {
	var out []string
	for _, k := range []string{"Delivered-To", "X-Original-To", "To", "Cc"} {
		list, err := h.AddressList(k)
		if err != nil {
			continue
		}
		for _, a := range list {
			out = append(out, a.Address)
		}
	}
	return out
}

// DetailBounced is the detail of a message that a delivery status
// notification reported undeliverable.
var DetailBounced = herald.StatusDetail{Code: 4001, Name: "bounced",
	Description: "The recipient's mail server did not accept the e-mail.", Permanent: true}

// bounce turns a delivery status notification into the undelivered status
// of the message its VERP address or its returned Message-ID names. A
// report without a failed recipient (a delay warning) changes nothing.
func (ib *Inbox) bounce(ctx context.Context, to string, d dsn, isDSN bool) error {
	id, ok := ib.signer.ParseVERP(to)
	if !ok {
		id, ok = ib.signer.ParseMessageID(d.OriginalMessageID)
	}
	if !ok {
		ib.log.Warn("smtp: a bounce names no message of Herald", "to", to, "original_message_id", d.OriginalMessageID)
		return nil
	}
	if !isDSN {
		ib.log.Info("smtp: mail to a bounce address is no delivery status notification; ignored", "message", id)
		return nil
	}
	for _, r := range d.Recipients {
		if !r.Failed() {
			continue
		}
		rep := channel.Report{MessageID: id, Status: herald.StatusUndelivered, Detail: DetailBounced,
			ProviderCode: r.Status, Error: r.Reason(), At: time.Now()}
		if err := ib.sink.Report(ctx, rep); err != nil {
			return fmt.Errorf("reporting a bounce: %w", err)
		}
		return nil
	}
	return nil
}

// inboundPayload is the payload of an inbound e-mail.
type inboundPayload struct {
	Subject     string              `json:"subject"`
	Text        string              `json:"text,omitempty"`
	HTML        string              `json:"html,omitempty"`
	From        string              `json:"from,omitempty"` // with the display name
	MessageID   string              `json:"messageId,omitempty"`
	InReplyTo   string              `json:"inReplyTo,omitempty"`
	Attachments []inboundAttachment `json:"attachments,omitempty"`
}

// inboundAttachment describes an attachment; MediaID is set when it was
// saved in the media library.
type inboundAttachment struct {
	MediaID  int64  `json:"mediaId,omitempty"`
	Name     string `json:"name"`
	MIMEType string `json:"mimeType"`
	Size     int    `json:"size"`
}

// receive stores the e-mail as an inbound message to each recipient that
// is an e-mail sender ID.
func (ib *Inbox) receive(ctx context.Context, rcpts []string, msg *mail.Message) error {
	in, err := readMail(msg)
	if err != nil {
		return herald.Errorf(herald.EINVALID, "The e-mail cannot be read: %s.", err.Error())
	}
	if in.From == nil {
		return herald.Errorf(herald.EINVALID, "The e-mail has no From address.")
	}
	found := false
	for _, rcpt := range rcpts {
		s, err := ib.sender(ctx, rcpt)
		if herald.IsNotFound(err) {
			continue
		} else if err != nil {
			return err
		}
		found = true
		if err := ib.receiveOne(ctx, s, in); err != nil {
			return err
		}
	}
	if !found {
		return ErrNotOurs
	}
	return nil
}

// receiveOne stores the e-mail as an inbound message to sender s, unless
// an e-mail with its Message-ID reached s already (mail servers deliver
// again when they miss the end of a transaction, and forwarders repeat).
// The check here spares a repeat's attachments from the media library; the
// engine's Receive is what makes the message once across processes.
func (ib *Inbox) receiveOne(ctx context.Context, s *herald.SenderID, in *inboundMail) error {
	if in.MessageID != "" {
		ib.receiving.Lock()
		defer ib.receiving.Unlock()
		dup, err := ib.store.InboundEmailReceived(ctx, s.AccountID, s.ConnectionID, s.Name, in.MessageID)
		if err != nil {
			return err
		}
		if dup {
			ib.log.Info("smtp: an e-mail received again is dropped", "message_id", in.MessageID, "to", s.Name)
			return nil
		}
	}
	p := inboundPayload{Subject: in.Subject, Text: in.Text, HTML: in.HTML, From: in.From.String(),
		MessageID: in.MessageID, InReplyTo: in.InReplyTo}
	for _, f := range in.Files {
		a := inboundAttachment{Name: f.Name, MIMEType: f.Type, Size: len(f.Data)}
		if id, err := ib.media.save(ctx, s.AccountID, f); err == nil {
			a.MediaID = id
		} else if !errors.Is(err, errNoMedia) {
			ib.log.Warn("smtp: saving an inbound attachment", "name", f.Name, "err", err)
		}
		p.Attachments = append(p.Attachments, a)
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encoding an inbound e-mail: %w", err)
	}
	text := in.Text
	if text == "" {
		text = in.Subject
	}
	_, err = ib.sink.Receive(ctx, channel.Inbound{ConnectionID: s.ConnectionID, AccountID: s.AccountID, Channel: herald.ChannelEmail,
		From: in.From.Address, To: s.Name, Payload: payload, Text: strings.TrimSpace(text), ProviderID: in.MessageID, At: time.Now()})
	if err != nil {
		return fmt.Errorf("receiving an e-mail: %w", err)
	}
	return nil
}

// errNoMedia says the process has no media library.
var errNoMedia = errors.New("smtp: no media library")

// save keeps an inbound attachment in the account's media library.
func (m MediaSource) save(ctx context.Context, account int64, f inboundFile) (int64, error) {
	if m.Store == nil || m.Blobs == nil {
		return 0, errNoMedia
	}
	key := fmt.Sprintf("email/%d/%s", account, uuid.Must(uuid.NewV7()).String())
	n, err := m.Blobs.Put(ctx, key, bytes.NewReader(f.Data), herald.MaxMediaSize)
	if err != nil {
		return 0, fmt.Errorf("storing the attachment: %w", err)
	}
	md := &herald.Media{AccountID: account, Name: f.Name, Kind: mediaKind(f.Type), Format: mediaFormat(f.Type),
		MIME: f.Type, Size: n, Key: key}
	if err := m.Store.CreateMedia(ctx, md); err != nil {
		_ = m.Blobs.Delete(ctx, key)
		return 0, fmt.Errorf("recording the attachment: %w", err)
	}
	return md.ID, nil
}

// mediaKind is the broad kind of a MIME type.
func mediaKind(mt string) herald.MediaKind {
	switch top, sub, _ := strings.Cut(mt, "/"); {
	case top == "image":
		return herald.MediaImage
	case top == "video":
		return herald.MediaVideo
	case top == "audio":
		return herald.MediaAudio
	case top == "text", sub == "pdf", strings.Contains(sub, "document"), strings.Contains(sub, "sheet"), strings.Contains(sub, "msword"):
		return herald.MediaDocument
	}
	return herald.MediaOther
}

// mediaFormat is the format named by a MIME type's subtype.
func mediaFormat(mt string) string {
	_, sub, _ := strings.Cut(mt, "/")
	if i := strings.LastIndexAny(sub, ".+"); i >= 0 {
		sub = sub[i+1:]
	}
	return strings.ToLower(sub)
}
