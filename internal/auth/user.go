package auth

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// CreateUser validates u and its first password and stores both. The user
// must change the password at the first sign-in. Violations name the API
// fields ("password" for the password).
func (s *Service) CreateUser(ctx context.Context, u *herald.User, password string) error {
	vs := herald.ErrorViolations(u.Validate())
	vs = append(vs, s.cfg.Policy.CheckPassword("password", password, u.Login)...)
	if err := herald.Violations(vs).Err(); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.cfg.Hash)
	if err != nil {
		return err
	}
	if err := s.store.CreateUser(ctx, u, hash, true); err != nil {
		return fmt.Errorf("creating user: %w", err)
	}
	return nil
}

// CreateAccountWithAdmin creates the account a and, in the same
// transaction, u as its first administrator with password, which they must
// change at the first sign-in. Violations name the fields of both ("name",
// "login", "password", ...); u needs no roles: it gets the account's Admin
// role.
func (s *Service) CreateAccountWithAdmin(ctx context.Context, a *herald.Account, u *herald.User, password string) error {
	var vs herald.Violations
	for _, v := range herald.ErrorViolations(u.Validate()) {
		if v.Field != "roleIds" {
			vs = append(vs, v)
		}
	}
	vs = append(vs, s.cfg.Policy.CheckPassword("password", password, u.Login)...)
	if err := vs.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.cfg.Hash)
	if err != nil {
		return err
	}
	if err := s.store.CreateAccountWithAdmin(ctx, a, u, hash); err != nil {
		return fmt.Errorf("creating account %q: %w", a.Name, err)
	}
	return nil
}

// UpdateUser validates and saves u. A non-empty password is set too, as an
// admin does: the policy applies and the user must change it at the next
// sign-in. Removing the last active admin is refused.
func (s *Service) UpdateUser(ctx context.Context, u *herald.User, password string) error {
	vs := herald.ErrorViolations(u.Validate())
	if password != "" {
		vs = append(vs, s.cfg.Policy.CheckPassword("password", password, u.Login)...)
	}
	if err := herald.Violations(vs).Err(); err != nil {
		return err
	}
	if err := s.keepAnAdmin(ctx, u); err != nil {
		return err
	}
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("updating user: %w", err)
	}
	if password == "" {
		return nil
	}
	return s.setPassword(ctx, u.ID, "password", password, true)
}

// keepAnAdmin refuses a change that would leave the account without an
// active Admin.
func (s *Service) keepAnAdmin(ctx context.Context, next *herald.User) error {
	cur, err := s.store.User(ctx, next.AccountID, next.ID)
	if err != nil {
		return fmt.Errorf("loading user: %w", err)
	}
	if !cur.Admin || !cur.Active {
		return nil
	}
	stillAdmin := next.Active && s.holdsAdminRole(ctx, next)
	if stillAdmin {
		return nil
	}
	n, err := s.store.CountActiveAdmins(ctx, next.AccountID)
	if err != nil {
		return fmt.Errorf("counting admins: %w", err)
	}
	if n <= 1 {
		return herald.Violations{{Field: "roleIds", Code: herald.VPolicy,
			Message: "This is the account's last active administrator; keep the Admin role and the user active."}}.Err()
	}
	return nil
}

// holdsAdminRole reports whether u's role IDs include the Admin system role.
func (s *Service) holdsAdminRole(ctx context.Context, u *herald.User) bool {
	roles, err := s.store.AllRoles(ctx, u.AccountID)
	if err != nil {
		return true // be safe: do not block the change on a read error here
	}
	for _, r := range roles {
		if r.System && r.Name == herald.RoleAdmin {
			for _, id := range u.RoleIDs {
				if id == r.ID {
					return true
				}
			}
		}
	}
	return false
}

// DeleteUser removes a user of the account; the last active admin cannot be
// removed.
func (s *Service) DeleteUser(ctx context.Context, accountID, id int64) error {
	u, err := s.store.User(ctx, accountID, id)
	if err != nil {
		return err
	}
	if u.Admin && u.Active {
		n, err := s.store.CountActiveAdmins(ctx, accountID)
		if err != nil {
			return fmt.Errorf("counting admins: %w", err)
		}
		if n <= 1 {
			return herald.Errorf(herald.ECONFLICT, "The account's last active administrator cannot be deleted.")
		}
	}
	if err := s.store.DeleteUser(ctx, accountID, id); err != nil {
		return fmt.Errorf("deleting user: %w", err)
	}
	return nil
}

// DeleteOwnUser removes the signed-in user after they typed their password
// and the confirmation word "delete-account".
func (s *Service) DeleteOwnUser(ctx context.Context, u *herald.User, password, confirm string) error {
	var vs herald.Violations
	if confirm != "delete-account" {
		vs.Add("confirm", herald.VPolicy, "Type delete-account to confirm.")
	}
	if err := s.checkCurrentPassword(ctx, u.ID, password, &vs); err != nil {
		return err
	}
	if err := vs.Err(); err != nil {
		return err
	}
	return s.DeleteUser(ctx, u.AccountID, u.ID)
}
