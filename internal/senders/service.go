// Package senders runs the registration of sender IDs (reference 001
// section 12.2): an account requests an SMS or RCS sender ID, edits and
// cancels its requests as their status allows, and the system owner
// reviews them, assigns the Sender ID, activates, rejects or blocks them
// and binds them to a connection. The portal and the API both go through
// the Service, so the rules hold the same way for both.
//
// Every change is saved by the store with its audit entry in the same
// transaction; a status change is saved only if nobody changed the status
// meanwhile. After a change that affects routing, the running engine is
// told to look the sender ID up again.
package senders

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// Media is what the Service reads of the media library: the images of an
// RCS profile.
type Media interface {
	Media(ctx context.Context, accountID, id int64) (*herald.Media, error)
	ListMedia(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Media], error)
}

// Router is the messaging engine's sender ID cache. It is safe for
// concurrent use.
type Router interface {
	ForgetSender(accountID int64, ch herald.Channel, name string)
}

// Service is the sender ID registration workflow. It is safe for
// concurrent use.
type Service struct {
	store  herald.SenderStore
	media  Media
	router Router
}

// New returns a Service on store. Without media, requests cannot name
// images; without router, routing changes take effect when the engine's
// cache expires.
func New(store herald.SenderStore, media Media, router Router) *Service {
	return &Service{store: store, media: media, router: router}
}

// Request saves an account's registration request for sd.Channel (SMS or
// RCS): a draft, or submitted for review when submit is set. The fields
// the system owner sets are cleared. EINVALID names each bad field.
func (s *Service) Request(ctx context.Context, sd *herald.SenderID, submit bool) error {
	sd.ID, sd.Name, sd.Reason, sd.Agreement, sd.ConnectionID = 0, "", "", "", 0
	sd.Status = herald.SenderDraft
	if submit {
		sd.Status = herald.SenderSubmitted
	}
	if err := s.check(ctx, sd); err != nil {
		return err
	}
	return s.store.CreateSender(ctx, sd)
}

// Edit saves the account's changes to a request: in's DisplayName and
// SenderProfile go onto the stored sender ID in.ID of in.AccountID, if its
// status allows editing (SenderStatus.Editable); submit sends a draft for
// review. On success in is the sender ID as saved. ENOTFOUND; EINVALID
// (status) when the status does not allow editing; ECONFLICT when the
// status changed meanwhile.
func (s *Service) Edit(ctx context.Context, in *herald.SenderID, submit bool) error {
	cur, err := s.store.Sender(ctx, in.AccountID, in.ID)
	if err != nil {
		return err
	}
	if !cur.Status.Editable() {
		return statusError("edited", cur)
	}
	from := cur.Status
	cur.DisplayName, cur.SenderProfile = in.DisplayName, in.SenderProfile
	if submit && cur.Status == herald.SenderDraft {
		cur.Status = herald.SenderSubmitted
	}
	if err := s.check(ctx, cur); err != nil {
		return err
	}
	if err := s.store.UpdateSender(ctx, cur, from); err != nil {
		return err
	}
	*in = *cur
	return nil
}

// Cancel cancels the account's request or sender ID, as the edit form
// does: it must be editable. The sender ID stops routing at once.
func (s *Service) Cancel(ctx context.Context, accountID, id int64) (*herald.SenderID, error) {
	cur, err := s.store.Sender(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if !cur.Status.Editable() {
		return nil, statusError("canceled", cur)
	}
	from := cur.Status
	cur.Status = herald.SenderCanceled
	if err := s.store.UpdateSender(ctx, cur, from); err != nil {
		return nil, err
	}
	s.forget(cur, cur.Name)
	return cur, nil
}

// Delete removes a canceled sender ID from the system. EINVALID (status)
// for any other status; ENOTFOUND.
func (s *Service) Delete(ctx context.Context, accountID, id int64) error {
	cur, err := s.store.Sender(ctx, accountID, id)
	if err != nil {
		return err
	}
	if !cur.Status.Deletable() {
		return statusError("deleted (cancel it first)", cur)
	}
	return s.store.DeleteSender(ctx, accountID, id)
}

// Review applies the system owner's decision r to sender ID id of any
// account (SenderReview.Apply states the rules) and returns it as saved,
// with its account's name. ENOTFOUND; EINVALID; ECONFLICT when its status
// changed meanwhile.
func (s *Service) Review(ctx context.Context, id int64, r herald.SenderReview) (*herald.SenderID, error) {
	cur, err := s.store.AnySender(ctx, id)
	if err != nil {
		return nil, err
	}
	from, oldName, account := cur.Status, cur.Name, cur.AccountName
	if err := r.Apply(cur); err != nil {
		return nil, err
	}
	if err := s.store.UpdateSender(ctx, cur, from); err != nil {
		return nil, connectionErr(err, cur)
	}
	cur.AccountName = account
	s.forget(cur, oldName)
	return cur, nil
}

// Create sets up a sender ID for an account directly, as the system owner
// does for the channels accounts do not register themselves: active
// unless sd says otherwise, and bound when sd has a connection.
func (s *Service) Create(ctx context.Context, sd *herald.SenderID) error {
	if sd.Status == "" {
		sd.Status = herald.SenderActive
	}
	if err := s.store.CreateSender(ctx, sd); err != nil {
		return connectionErr(err, sd)
	}
	s.forget(sd, "")
	return nil
}

// Sender returns one of the account's sender IDs. ENOTFOUND.
func (s *Service) Sender(ctx context.Context, accountID, id int64) (*herald.SenderID, error) {
	return s.store.Sender(ctx, accountID, id)
}

// AnySender returns a sender ID of any account, for the system owner.
// ENOTFOUND.
func (s *Service) AnySender(ctx context.Context, id int64) (*herald.SenderID, error) {
	return s.store.AnySender(ctx, id)
}

// List returns one page of the account's sender IDs (herald.SenderColumns).
func (s *Service) List(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.SenderID], error) {
	return s.store.ListSenders(ctx, accountID, q)
}

// ListAll returns one page of every account's sender IDs
// (herald.SenderReviewColumns), for the system owner.
func (s *Service) ListAll(ctx context.Context, q herald.ListQuery) (herald.Page[herald.SenderID], error) {
	return s.store.ListAllSenders(ctx, q)
}

// Images returns the account's images in the media library (up to a
// page, newest first), for choosing a logo or background; none without a
// media library.
func (s *Service) Images(ctx context.Context, accountID int64) ([]herald.Media, error) {
	if s.media == nil {
		return nil, nil
	}
	pg, err := s.media.ListMedia(ctx, accountID, herald.ListQuery{Limit: herald.MaxPageSize,
		Filters: []herald.Filter{{Field: "kind", Op: herald.OpEq, Value: string(herald.MediaImage)}}})
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	return pg.Items, nil
}

// Image returns one file of the account's media library. ENOTFOUND, also
// without a media library.
func (s *Service) Image(ctx context.Context, accountID, id int64) (*herald.Media, error) {
	if s.media == nil || id <= 0 {
		return nil, herald.Errorf(herald.ENOTFOUND, "No file %d in the media library.", id)
	}
	return s.media.Media(ctx, accountID, id)
}

// check validates a request and its images.
func (s *Service) check(ctx context.Context, sd *herald.SenderID) error {
	var vs herald.Violations
	if err := sd.ValidateRequest(); err != nil {
		vs = append(vs, herald.ErrorViolations(err)...)
	}
	if sd.Channel == herald.ChannelRCS {
		if err := s.checkImage(ctx, sd.AccountID, "logoMediaId", sd.LogoMediaID, herald.SenderLogoRule(), &vs); err != nil {
			return err
		}
		if err := s.checkImage(ctx, sd.AccountID, "backgroundMediaId", sd.BackgroundMediaID, herald.SenderBackgroundRule(), &vs); err != nil {
			return err
		}
	}
	return vs.Err()
}

// checkImage adds field's violation unless file id (if any) of the
// account's media library satisfies rule.
func (s *Service) checkImage(ctx context.Context, accountID int64, field string, id int64, rule herald.ImageRule, vs *herald.Violations) error {
	if id <= 0 || vs.Has(field) {
		return nil
	}
	m, err := s.Image(ctx, accountID, id)
	switch {
	case herald.IsNotFound(err):
		vs.Add(field, herald.VUnknown, "No file %d in your media library: upload the image there first.", id)
		return nil
	case err != nil:
		return fmt.Errorf("reading image %d: %w", id, err)
	}
	rule.Check(vs, field, m)
	return nil
}

// forget tells the router that sd (formerly named oldName) changed.
func (s *Service) forget(sd *herald.SenderID, oldName string) {
	if s.router == nil {
		return
	}
	for _, name := range []string{oldName, sd.Name} {
		if name != "" {
			s.router.ForgetSender(sd.AccountID, sd.Channel, name)
		}
	}
}

// connectionErr turns the store's ENOTFOUND for a connection that is not
// assigned to sd's account into a violation of connectionId.
func connectionErr(err error, sd *herald.SenderID) error {
	if !herald.IsNotFound(err) || sd.ConnectionID == 0 {
		return err
	}
	var vs herald.Violations
	vs.Add("connectionId", herald.VUnknown, "Connection %d is not assigned to the sender ID's account.", sd.ConnectionID)
	return vs.Err()
}

// statusError says that sd cannot be acted on in its status.
func statusError(what string, sd *herald.SenderID) error {
	var vs herald.Violations
	vs.Add("status", herald.VPolicy, "A sender ID that is %s cannot be %s.", sd.Status.Label(), what)
	return vs.Err()
}
