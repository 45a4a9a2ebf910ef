package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// SignInResult tells the portal what a correct password leads to.
type SignInResult struct {
	User *herald.User
	// NeedTOTP: the user has a second factor; call VerifyTOTP before the
	// session counts as signed in.
	NeedTOTP bool
	// MustChangePassword: first sign-in, reset by an admin, or expired.
	// The portal opens nothing but the password change until it is done.
	MustChangePassword bool
	// Expired: the password is older than the policy's maximum age.
	Expired bool
}

var errWrongLogin = herald.Errorf(herald.EUNAUTHORIZED, "Wrong login or password.")

// SignIn checks a login and password from ip. Errors: EUNAUTHORIZED for a
// wrong login or password, ERATELIMIT when ip or the user is throttled,
// EFORBIDDEN when the user or the account is blocked.
func (s *Service) SignIn(ctx context.Context, login, password, ip string) (*SignInResult, error) {
	if !s.allowIP(ip) {
		return nil, herald.Errorf(herald.ERATELIMIT, "Too many sign-in attempts from your address. Try again in a minute.")
	}
	u, err := s.store.UserByLogin(ctx, strings.TrimSpace(login))
	if herald.IsNotFound(err) {
		_, _ = VerifyPassword(password, s.dummy)
		return nil, errWrongLogin
	} else if err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: u.AccountID, UserID: u.ID, Login: u.Login, IP: ip})
	cr, err := s.store.Credentials(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	now := s.clock.Now()
	if cr.LockedUntil != nil && now.Before(*cr.LockedUntil) {
		return nil, herald.Errorf(herald.ERATELIMIT, "Too many failed sign-ins. Try again after %s UTC.", cr.LockedUntil.Format("15:04"))
	}
	ok, err := VerifyPassword(password, cr.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	if !ok {
		return nil, s.failSignIn(ctx, u, cr)
	}
	if err := s.checkAllowed(ctx, u, cr); err != nil {
		return nil, err
	}
	res := &SignInResult{User: u, NeedTOTP: cr.TOTPEnabled}
	res.Expired = s.cfg.Policy.PasswordExpired(cr.PasswordChangedAt, now)
	res.MustChangePassword = cr.MustChangePassword || res.Expired
	if !res.NeedTOTP {
		if err := s.completeSignIn(ctx, u); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// failSignIn counts a wrong password and locks the user after too many.
func (s *Service) failSignIn(ctx context.Context, u *herald.User, cr *herald.Credentials) error {
	pol := s.cfg.Policy
	var lock = s.clock.Now().Add(pol.LockFor)
	lockPtr := &lock
	if cr.FailedLogins+1 < pol.MaxFailures {
		lockPtr = nil
	}
	if _, err := s.store.RecordLoginFailure(ctx, u.ID, lockPtr); err != nil {
		return fmt.Errorf("recording failed sign-in: %w", err)
	}
	action := "Failed sign-in"
	if lockPtr != nil {
		action = "Failed sign-in; user locked for " + pol.LockFor.String()
	}
	if err := s.store.RecordAudit(ctx, &herald.AuditEntry{AccountID: u.AccountID, Action: action}); err != nil {
		return fmt.Errorf("auditing failed sign-in: %w", err)
	}
	return errWrongLogin
}

// checkAllowed refuses blocked accounts, inactive users, and non-admins who
// have not signed in for longer than the policy allows (and blocks them).
func (s *Service) checkAllowed(ctx context.Context, u *herald.User, cr *herald.Credentials) error {
	acc, err := s.store.Account(ctx, u.AccountID)
	if err != nil {
		return fmt.Errorf("loading account: %w", err)
	}
	if acc.Status != herald.AccountActive {
		return herald.Errorf(herald.EFORBIDDEN, "Your company's account is blocked. Contact your system owner.")
	}
	if !u.Active {
		return herald.Errorf(herald.EFORBIDDEN, "Your user is not active. Contact your administrator.")
	}
	last := u.CreatedAt
	if cr.LastLoginAt != nil {
		last = *cr.LastLoginAt
	}
	pol := s.cfg.Policy
	if !u.Admin && pol.InactiveBlock > 0 && s.clock.Now().Sub(last) > pol.InactiveBlock {
		u.Active = false
		sys := herald.WithActor(ctx, herald.Actor{AccountID: u.AccountID, Login: "system"})
		if err := s.store.UpdateUser(sys, u); err != nil {
			return fmt.Errorf("blocking inactive user: %w", err)
		}
		return herald.Errorf(herald.EFORBIDDEN, "Your user was blocked after %d days without signing in. Contact your administrator.", int(pol.InactiveBlock.Hours()/24))
	}
	return nil
}

// completeSignIn records a successful sign-in.
func (s *Service) completeSignIn(ctx context.Context, u *herald.User) error {
	if err := s.store.RecordLoginSuccess(ctx, u.ID); err != nil {
		return fmt.Errorf("recording sign-in: %w", err)
	}
	if err := s.store.RecordAudit(ctx, &herald.AuditEntry{AccountID: u.AccountID, Action: "Signed in"}); err != nil {
		return fmt.Errorf("auditing sign-in: %w", err)
	}
	return nil
}

// Session describes whether a signed-in user may keep working.
type Session struct {
	User               *herald.User
	MustChangePassword bool
}

// CheckSession reloads the user of a session and tells whether it may go
// on: EUNAUTHORIZED when the user is gone, inactive or the account blocked.
func (s *Service) CheckSession(ctx context.Context, userID int64) (*Session, error) {
	u, err := s.store.UserByID(ctx, userID)
	if herald.IsNotFound(err) {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "Please sign in.")
	} else if err != nil {
		return nil, fmt.Errorf("loading session user: %w", err)
	}
	acc, err := s.store.Account(ctx, u.AccountID)
	if err != nil {
		return nil, fmt.Errorf("loading session account: %w", err)
	}
	if !u.Active || acc.Status != herald.AccountActive {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "Your user or account is blocked.")
	}
	cr, err := s.store.Credentials(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("loading session credentials: %w", err)
	}
	must := cr.MustChangePassword || s.cfg.Policy.PasswordExpired(cr.PasswordChangedAt, s.clock.Now())
	return &Session{User: u, MustChangePassword: must}, nil
}
