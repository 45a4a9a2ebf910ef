package auth

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
)

// PasswordChange is the form of a user changing their own password.
type PasswordChange struct {
	Current string `json:"currentPassword"`
	New     string `json:"newPassword"`
	Confirm string `json:"confirmPassword"`
}

// ChangeOwnPassword applies the whole policy: the current password is
// right, the new one is long and mixed enough, differs from the last seven,
// and (for non-admins whose change is not forced) the last change was at
// least 24 hours ago.
func (s *Service) ChangeOwnPassword(ctx context.Context, u *herald.User, pc PasswordChange) error {
	var vs herald.Violations
	cr, err := s.store.Credentials(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("loading credentials: %w", err)
	}
	if err := s.checkCurrentPassword(ctx, u.ID, pc.Current, &vs); err != nil {
		return err
	}
	pol := s.cfg.Policy
	now := s.clock.Now()
	forced := cr.MustChangePassword || pol.PasswordExpired(cr.PasswordChangedAt, now)
	if !u.Admin && !forced && now.Sub(cr.PasswordChangedAt) < pol.MinAge {
		vs.Add("newPassword", herald.VPolicy, "You changed your password less than %d hours ago; try again later or ask an administrator.", int(pol.MinAge.Hours()))
	}
	vs = append(vs, pol.CheckPassword("newPassword", pc.New, u.Login)...)
	if pc.Confirm != pc.New {
		vs.Add("confirmPassword", herald.VPolicy, "The passwords do not match.")
	}
	if err := vs.Err(); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, "newPassword", pc.New, false)
}

// checkCurrentPassword adds a violation on "currentPassword" when password
// is not the user's.
func (s *Service) checkCurrentPassword(ctx context.Context, userID int64, password string, vs *herald.Violations) error {
	cr, err := s.store.Credentials(ctx, userID)
	if err != nil {
		return fmt.Errorf("loading credentials: %w", err)
	}
	ok, err := VerifyPassword(password, cr.PasswordHash)
	if err != nil {
		return fmt.Errorf("checking password: %w", err)
	}
	if !ok {
		vs.Add("currentPassword", herald.VPolicy, "The current password is wrong.")
	}
	return nil
}

// setPassword refuses a password among the user's last ones, then stores it.
func (s *Service) setPassword(ctx context.Context, userID int64, field, password string, mustChange bool) error {
	hist, err := s.store.PasswordHistory(ctx, userID, s.cfg.Policy.History)
	if err != nil {
		return fmt.Errorf("loading password history: %w", err)
	}
	for _, h := range hist {
		if same, _ := VerifyPassword(password, h); same {
			return herald.Violations{{Field: field, Code: herald.VPolicy,
				Message: fmt.Sprintf("The password must differ from the last %d passwords.", s.cfg.Policy.History)}}.Err()
		}
	}
	hash, err := HashPassword(password, s.cfg.Hash)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, userID, hash, mustChange); err != nil {
		return fmt.Errorf("setting password: %w", err)
	}
	return nil
}
