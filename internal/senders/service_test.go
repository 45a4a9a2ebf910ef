package senders_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/senders"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// library is a media library in memory: the Service only reads it.
type library map[int64]*herald.Media

func (l library) Media(_ context.Context, acc, id int64) (*herald.Media, error) {
	if m, ok := l[id]; ok && m.AccountID == acc {
		c := *m
		return &c, nil
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "No such file.")
}

func (l library) ListMedia(_ context.Context, acc int64, _ herald.ListQuery) (herald.Page[herald.Media], error) {
	var out []herald.Media
	for _, m := range l {
		if m.AccountID == acc {
			out = append(out, *m)
		}
	}
	return herald.Page[herald.Media]{Items: out}, nil
}

// router records the sender IDs it is told to forget.
type router struct {
	mu     sync.Mutex
	forgot []string
}

func (r *router) ForgetSender(_ int64, _ herald.Channel, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forgot = append(r.forgot, name)
}

// env is a Service on a real store with one account and an RCS connection.
type env struct {
	svc    *senders.Service
	store  *store.Store
	router *router
	media  library
	acc    *herald.Account
	other  *herald.Account
	conn   *herald.Connection
	ctx    context.Context
}

func newEnv(t *testing.T) *env {
	s := storetest.OpenSQLite(t)
	e := &env{store: s, router: &router{}, media: library{}, ctx: herald.WithActor(context.Background(), herald.Actor{Login: "test"})}
	for _, name := range []string{"acme", "globex"} {
		a := &herald.Account{Name: name}
		must(t, a.Validate())
		must(t, s.CreateAccount(e.ctx, a))
		if e.acc == nil {
			e.acc = a
		} else {
			e.other = a
		}
	}
	e.conn = &herald.Connection{Type: herald.ConnectorSandbox, Channel: herald.ChannelRCS, Name: "rcs", Accounts: []int64{e.acc.ID}}
	must(t, e.conn.Validate())
	must(t, s.CreateConnection(e.ctx, e.conn))
	e.svc = senders.New(s, e.media, e.router)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantViolation fails unless err names field with code.
func wantViolation(t *testing.T, what string, err error, field, code string) {
	t.Helper()
	for _, v := range herald.ErrorViolations(err) {
		if v.Field == field && v.Code == code {
			return
		}
	}
	t.Fatalf("%s: %v; want %s on %s", what, err, code, field)
}

// request is an RCS request of the env's account.
func (e *env) request(logo int64) *herald.SenderID {
	return &herald.SenderID{AccountID: e.acc.ID, Channel: herald.ChannelRCS, DisplayName: "Tansy",
		Name: "sneaky", Agreement: "free", ConnectionID: e.conn.ID, Status: herald.SenderActive,
		SenderProfile: herald.SenderProfile{LogoMediaID: logo}}
}

func TestRequestImages(t *testing.T) {
	e := newEnv(t)
	e.media[1] = &herald.Media{ID: 1, AccountID: e.acc.ID, Name: "logo.jpg", Kind: herald.MediaImage, Format: "jpeg", Width: 240, Height: 240, Size: 1000}
	e.media[2] = &herald.Media{ID: 2, AccountID: e.acc.ID, Name: "wide.jpg", Kind: herald.MediaImage, Format: "jpeg", Width: 480, Height: 240, Size: 1000}
	e.media[3] = &herald.Media{ID: 3, AccountID: e.other.ID, Name: "theirs.jpg", Kind: herald.MediaImage, Format: "jpeg", Width: 240, Height: 240, Size: 1000}
	wantViolation(t, "a logo of the wrong size", e.svc.Request(e.ctx, e.request(2), true), "logoMediaId", herald.VRange)
	wantViolation(t, "another account's logo", e.svc.Request(e.ctx, e.request(3), true), "logoMediaId", herald.VUnknown)
	wantViolation(t, "an unknown logo", e.svc.Request(e.ctx, e.request(99), true), "logoMediaId", herald.VUnknown)
	bg := e.request(1)
	bg.BackgroundMediaID = 1
	wantViolation(t, "a logo as background", e.svc.Request(e.ctx, bg, true), "backgroundMediaId", herald.VRange)
	none := senders.New(e.store, nil, nil)
	wantViolation(t, "no media library", none.Request(e.ctx, e.request(1), true), "logoMediaId", herald.VUnknown)

	sd := e.request(1)
	must(t, e.svc.Request(e.ctx, sd, true))
	if sd.Status != herald.SenderSubmitted || sd.Name != "" || sd.Agreement != "" || sd.ConnectionID != 0 || sd.Routable() {
		t.Errorf("request = %+v; the fields the system owner sets must be cleared", sd)
	}
	images, err := e.svc.Images(e.ctx, e.acc.ID)
	must(t, err)
	if len(images) != 2 {
		t.Errorf("images = %+v; want the account's two", images)
	}
}

func TestEditCancelDelete(t *testing.T) {
	e := newEnv(t)
	draft := e.request(0)
	must(t, e.svc.Request(e.ctx, draft, false))
	if draft.Status != herald.SenderDraft {
		t.Fatalf("draft = %s", draft.Status)
	}
	in := &herald.SenderID{ID: draft.ID, AccountID: e.acc.ID, DisplayName: "Tansy 2", Status: herald.SenderActive, Name: "x"}
	must(t, e.svc.Edit(e.ctx, in, true))
	if in.Status != herald.SenderSubmitted || in.DisplayName != "Tansy 2" || in.Name != "" || in.Channel != herald.ChannelRCS {
		t.Errorf("edited = %+v", in)
	}
	wantViolation(t, "delete a submitted request", e.svc.Delete(e.ctx, e.acc.ID, in.ID), "status", herald.VPolicy)

	rv, err := e.svc.Review(e.ctx, in.ID, herald.SenderReview{Status: herald.SenderInProgress, Name: "tansy@rbm"})
	must(t, err)
	if rv.AccountName != "acme" || rv.Name != "tansy@rbm" {
		t.Errorf("reviewed = %+v", rv)
	}
	wantViolation(t, "edit in progress", e.svc.Edit(e.ctx, &herald.SenderID{ID: in.ID, AccountID: e.acc.ID, DisplayName: "x"}, false), "status", herald.VPolicy)
	_, err = e.svc.Cancel(e.ctx, e.acc.ID, in.ID)
	wantViolation(t, "cancel in progress", err, "status", herald.VPolicy)
	_, err = e.svc.Review(e.ctx, in.ID, herald.SenderReview{Status: herald.SenderActive, Name: "tansy@rbm", ConnectionID: 424242})
	wantViolation(t, "bind to an unknown connection", err, "connectionId", herald.VUnknown)
	active, err := e.svc.Review(e.ctx, in.ID, herald.SenderReview{Status: herald.SenderActive, Name: "tansy@rbm.example", ConnectionID: e.conn.ID})
	must(t, err)
	if !active.Routable() {
		t.Fatalf("activated = %+v", active)
	}

	edit := &herald.SenderID{ID: in.ID, AccountID: e.acc.ID, DisplayName: "Tansy 3",
		SenderProfile: herald.SenderProfile{WebhookURL: "https://hooks.example/rcs"}}
	must(t, e.svc.Edit(e.ctx, edit, false))
	if edit.Status != herald.SenderActive || edit.ConnectionID != e.conn.ID || edit.WebhookURL != "https://hooks.example/rcs" {
		t.Errorf("an edit of an active sender ID = %+v", edit)
	}
	canceled, err := e.svc.Cancel(e.ctx, e.acc.ID, in.ID)
	must(t, err)
	if canceled.Status != herald.SenderCanceled || canceled.Routable() {
		t.Errorf("canceled = %+v", canceled)
	}
	must(t, e.svc.Delete(e.ctx, e.acc.ID, in.ID))
	_, err = e.svc.Sender(e.ctx, e.acc.ID, in.ID)
	if !herald.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
	for _, name := range []string{"tansy@rbm", "tansy@rbm.example"} {
		if !slices.Contains(e.router.forgot, name) {
			t.Errorf("the router was not told about %q: %q", name, e.router.forgot)
		}
	}
}

func TestCreateDirect(t *testing.T) {
	e := newEnv(t)
	sd := &herald.SenderID{AccountID: e.other.ID, Channel: herald.ChannelRCS, Name: "bot", ConnectionID: e.conn.ID}
	wantViolation(t, "a connection of another account", e.svc.Create(e.ctx, sd), "connectionId", herald.VUnknown)
	sd.AccountID = e.acc.ID
	must(t, e.svc.Create(e.ctx, sd))
	if sd.Status != herald.SenderActive || !sd.Routable() {
		t.Errorf("created = %+v", sd)
	}
	pg, err := e.svc.ListAll(e.ctx, herald.ListQuery{})
	must(t, err)
	if len(pg.Items) != 1 || pg.Items[0].AccountName != "acme" {
		t.Errorf("ListAll = %+v", pg.Items)
	}
}
