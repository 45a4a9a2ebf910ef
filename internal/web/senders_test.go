package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// newConnection creates a sandbox connection on ch, assigned to accounts.
func (f *fixture) newConnection(name string, ch herald.Channel, accounts ...int64) *herald.Connection {
	f.t.Helper()
	c := &herald.Connection{Type: herald.ConnectorSandbox, Channel: ch, Name: name, Accounts: accounts}
	if err := c.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.CreateConnection(sys(f.account.ID), c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// newSender creates the fixture account's sender ID name on ch, on a new
// connection assigned to the account.
func (f *fixture) newSender(name string, ch herald.Channel) *herald.SenderID {
	f.t.Helper()
	c := f.newConnection("conn "+name+" "+ch.String(), ch, f.account.ID)
	sd := &herald.SenderID{AccountID: f.account.ID, Name: name, Channel: ch, ConnectionID: c.ID}
	if err := f.store.CreateSender(sys(f.account.ID), sd); err != nil {
		f.t.Fatal(err)
	}
	return sd
}

func TestSendersPage(t *testing.T) {
	f := newFixture(t)
	sms := f.newConnection("Main SMS", herald.ChannelSMS, f.account.ID)
	rcs := f.newConnection("Main RCS", herald.ChannelRCS, f.account.ID)
	other, _ := f.newAccount("Globex")
	foreign := f.newConnection("Globex SMS", herald.ChannelSMS, other.ID)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleAdmin], "alice")
	mustContain(t, c.get("/").Body, `href="/media"`) // the Assets section opens on Media

	form := c.get("/senders/new").Body
	mustContain(t, form, "Main SMS (SMS)", "Main RCS (RCS)")
	if strings.Contains(form, "Globex SMS") {
		t.Error("the form offers another account's connection")
	}
	post := func(path, name, ch string, conn int64) response {
		return c.post(path, url.Values{"name": {name}, "channel": {ch}, "connectionId": {strconv.FormatInt(conn, 10)}})
	}
	for _, tc := range []struct {
		name, ch string
		conn     int64
		field    string
		msg      string
	}{
		{"", "sms", sms.ID, "name", "Name is required."},
		{"Acme", "rcs", sms.ID, "connectionId", "The connection serves SMS, not RCS."},
		{"Acme", "sms", foreign.ID, "connectionId", "Choose a connection assigned to your account."},
		{"Acme", "sms", 0, "connectionId", "Choose the connection that carries this sender ID."},
	} {
		res := post("/senders", tc.name, tc.ch, tc.conn)
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%+v: status %d, want 422", tc, res.Status)
		}
		wantFieldErrors(t, res.Body, map[string]string{tc.field: tc.msg})
	}
	if res := post("/senders", "Acme", "sms", sms.ID); res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.Status, res.Body)
	}
	if res := post("/senders", "ACME", "sms", sms.ID); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("create a taken name: %d, want 422", res.Status)
	}
	sd, err := f.store.SenderByName(sys(f.account.ID), f.account.ID, herald.ChannelSMS, "acme")
	if err != nil || sd.ConnectionID != sms.ID {
		t.Fatalf("stored sender ID: %+v, %v", sd, err)
	}
	mustContain(t, c.get("/senders").Body, "Acme", "Main SMS", `<a href="/media">Media</a>`)
	list := c.get("/senders?f.channel=rcs").Body
	if strings.Contains(list, ">Acme<") {
		t.Error("the RCS filter lists the SMS sender ID")
	}

	path := fmt.Sprintf("/senders/%d", sd.ID)
	if res := post(path, "Acme", "rcs", rcs.ID); res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	if got, _ := f.store.Sender(sys(f.account.ID), f.account.ID, sd.ID); got.Channel != herald.ChannelRCS || got.ConnectionID != rcs.ID {
		t.Errorf("after update: %+v", got)
	}

	noc, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleNOCEngineer], "nora")
	view := noc.get(path).Body
	mustContain(t, view, "<fieldset disabled>")
	if strings.Contains(view, "Save changes") {
		t.Error("a viewer gets the Save button")
	}

	if res := c.post(path+"/delete", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if _, err := f.store.Sender(sys(f.account.ID), f.account.ID, sd.ID); herald.ErrorCode(err) != herald.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
	if res := c.get(path); res.Status != http.StatusNotFound {
		t.Errorf("GET a deleted sender ID: %d, want 404", res.Status)
	}
}
