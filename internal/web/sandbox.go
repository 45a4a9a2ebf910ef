package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald"
)

// sandboxInboxSize is how many messages a device's inbox shows.
const sandboxInboxSize = 50

// sandboxData is the data of the Sandbox page.
type sandboxData struct {
	Devices  []herald.SandboxDevice
	Device   string // the device shown, "" for every device
	Inbox    []sandboxItem
	Senders  []herald.SenderID
	Channels []herald.Channel
	Form     *form // the "send a test message" form
	CanSend  bool
	Engine   bool // the engine runs in this process
}

// sandboxItem is a message a device received, with its text.
type sandboxItem struct {
	herald.SandboxMessage
	Text string
}

// sandboxPage shows the simulated devices, the chosen device's inbox and
// the test message form.
func (p *Portal) sandboxPage(w http.ResponseWriter, r *http.Request) {
	f := newForm("channel", "senderId", "destination", "text")
	f.set("channel", herald.ChannelSMS.String())
	f.set("senderId", herald.SandboxSender)
	p.renderSandbox(w, r, f, http.StatusOK)
}

// renderSandbox draws the Sandbox page with the test message form f.
func (p *Portal) renderSandbox(w http.ResponseWriter, r *http.Request, f *form, status int) {
	ms, err := p.messageStore()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	st := state(r)
	ctx := r.Context()
	d := sandboxData{Device: r.URL.Query().Get("device"), Channels: herald.AllChannels(), Form: f,
		CanSend: st.User.Can(herald.PermMessagesSend), Engine: p.messaging != nil}
	if d.Devices, err = ms.SandboxDevices(ctx, st.User.AccountID); err != nil {
		p.fail(w, r, err)
		return
	}
	if d.Senders, err = ms.Senders(ctx, st.User.AccountID); err != nil {
		p.fail(w, r, err)
		return
	}
	if p.messaging != nil {
		inbox, err := p.messaging.SandboxInbox(ctx, st.User.AccountID, d.Device, sandboxInboxSize)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, m := range inbox {
			text, _ := contentText(m.Payload)
			d.Inbox = append(d.Inbox, sandboxItem{SandboxMessage: m, Text: text})
		}
	}
	pg := p.newPage(r, "Sandbox")
	pg.Active = "sandbox"
	pg.Data = d
	p.renderStatus(w, r, status, "sandbox", pg)
}

// sandboxSend sends the test message of the Sandbox page through the
// engine, as the API would but with origin "portal".
func (p *Portal) sandboxSend(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, "channel", "senderId", "destination", "text")
	req, err := testRequest(state(r).User.AccountID, f)
	if err == nil && p.messaging == nil {
		err = errNoMessaging
	}
	if err == nil {
		var m *herald.Message
		if m, err = p.messaging.Send(r.Context(), req); err == nil {
			back := "/sandbox?" + url.Values{"device": {m.Destination}}.Encode()
			p.redirect(w, r, back, "Test message "+m.ID+" sent to "+m.Destination+".")
			return
		}
	}
	p.formError(w, r, f, err, func(status int) { p.renderSandbox(w, r, f, status) })
}

// testRequest builds the send request of the test message form.
func testRequest(accountID int64, f *form) (*herald.SendRequest, error) {
	var vs herald.Violations
	ch, err := herald.ParseChannel(f.Get("channel"))
	if err != nil {
		vs.Add("channel", herald.VUnknown, "Choose a channel.")
	}
	dest := strings.TrimSpace(f.Get("destination"))
	vs.CheckLen("destination", dest, true, 320)
	vs.CheckLen("text", f.Get("text"), true, 4096)
	if strings.TrimSpace(f.Get("senderId")) == "" {
		vs.Add("senderId", herald.VRequired, "Choose a sender ID.")
	}
	if err := vs.Err(); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(map[string]string{"text": f.Get("text")})
	if err != nil {
		return nil, err
	}
	return &herald.SendRequest{AccountID: accountID, Contact: contactRef(ch, dest), CreateRecipient: true,
		Steps:  []herald.SendStep{{Channel: ch, SenderID: strings.TrimSpace(f.Get("senderId")), Payload: payload}},
		Origin: herald.OriginPortal, Traffic: herald.TrafficAPI}, nil
}

// contactRef addresses dest the way the channel does: a phone number,
// an e-mail address or a channel address (push token, chat ID ...).
func contactRef(ch herald.Channel, dest string) herald.ContactRef {
	switch ch.Address() {
	case herald.AddressPhone:
		return herald.ContactRef{Phone: dest}
	case herald.AddressEmail:
		return herald.ContactRef{Email: dest}
	}
	return herald.ContactRef{Address: dest}
}

// sandboxReply answers a message a device received, as its contact: an
// inbound message from the device.
func (p *Portal) sandboxReply(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	back := "/sandbox?" + url.Values{"device": {r.PostForm.Get("device")}}.Encode()
	if p.messaging == nil {
		p.actionFailed(w, r, back, errNoMessaging)
		return
	}
	m, err := p.messaging.SandboxReply(r.Context(), state(r).User.AccountID, r.PostForm.Get("messageId"), r.PostForm.Get("text"))
	if err != nil {
		p.actionFailed(w, r, back, err)
		return
	}
	p.redirect(w, r, back, "Reply received as inbound message "+m.ID+".")
}
