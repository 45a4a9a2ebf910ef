package auth

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/heraldhq/herald"
)

// TOTPEnrollment is a new, not yet confirmed second factor.
type TOTPEnrollment struct {
	Secret string // base32, for typing into an authenticator app
	URL    string // otpauth:// URL
	QRPNG  string // data: URL of a QR code image of URL
}

// BeginTOTP creates a new TOTP secret for u and stores it sealed but not
// enabled; EnableTOTP confirms it with a first code.
func (s *Service) BeginTOTP(ctx context.Context, u *herald.User) (*TOTPEnrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.cfg.Issuer, AccountName: u.Login})
	if err != nil {
		return nil, fmt.Errorf("generating TOTP secret: %w", err)
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return nil, fmt.Errorf("drawing TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encoding TOTP QR code: %w", err)
	}
	if err := s.store.SetTOTP(ctx, u.ID, s.box.Seal([]byte(key.Secret())), false); err != nil {
		return nil, fmt.Errorf("saving TOTP secret: %w", err)
	}
	return &TOTPEnrollment{
		Secret: key.Secret(),
		URL:    key.URL(),
		QRPNG:  "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
	}, nil
}

// EnableTOTP turns the pending second factor on when code is right.
func (s *Service) EnableTOTP(ctx context.Context, u *herald.User, code string) error {
	cr, err := s.store.Credentials(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("loading credentials: %w", err)
	}
	if cr.TOTPSecret == nil {
		return herald.Violations{{Field: "code", Code: herald.VRequired, Message: "Start the set-up of the second factor first."}}.Err()
	}
	if err := s.checkCode(ctx, cr, code); err != nil {
		return err
	}
	if err := s.store.SetTOTP(ctx, u.ID, cr.TOTPSecret, true); err != nil {
		return fmt.Errorf("enabling TOTP: %w", err)
	}
	return nil
}

// DisableTOTP turns the second factor off after the user typed their password.
func (s *Service) DisableTOTP(ctx context.Context, u *herald.User, password string) error {
	var vs herald.Violations
	if err := s.checkCurrentPassword(ctx, u.ID, password, &vs); err != nil {
		return err
	}
	if err := vs.Err(); err != nil {
		return err
	}
	if err := s.store.SetTOTP(ctx, u.ID, nil, false); err != nil {
		return fmt.Errorf("disabling TOTP: %w", err)
	}
	return nil
}

// VerifyTOTP completes a sign-in that SignIn answered with NeedTOTP. A wrong
// code counts as a failed sign-in.
func (s *Service) VerifyTOTP(ctx context.Context, userID int64, code, ip string) (*herald.User, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("loading user: %w", err)
	}
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: u.AccountID, UserID: u.ID, Login: u.Login, IP: ip})
	cr, err := s.store.Credentials(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("loading credentials: %w", err)
	}
	if cr.LockedUntil != nil && s.clock.Now().Before(*cr.LockedUntil) {
		return nil, herald.Errorf(herald.ERATELIMIT, "Too many failed sign-ins. Try again after %s UTC.", cr.LockedUntil.Format("15:04"))
	}
	if err := s.checkCode(ctx, cr, code); err != nil {
		_ = s.failSignIn(ctx, u, cr)
		return nil, err
	}
	if err := s.completeSignIn(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// totpPeriod is the life of one TOTP code in seconds.
const totpPeriod = 30

// checkCode validates a TOTP code against the sealed secret, allowing one
// step of clock skew, and takes the code's time step so that the code
// cannot be used again (RFC 6238 section 5.2).
func (s *Service) checkCode(ctx context.Context, cr *herald.Credentials, code string) error {
	if cr.TOTPSecret == nil {
		return herald.Errorf(herald.EINVALID, "No second factor is set up.")
	}
	sec, err := s.box.Open(cr.TOTPSecret)
	if err != nil {
		return fmt.Errorf("opening TOTP secret: %w", err)
	}
	code = strings.TrimSpace(code)
	now := s.clock.Now()
	step := int64(-1)
	for _, skew := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(skew*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(string(sec), at, totp.ValidateOpts{
			Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
		})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step = at.Unix() / totpPeriod
			break
		}
	}
	if step < 0 {
		return herald.Violations{{Field: "code", Code: herald.VPolicy, Message: "The code is wrong or expired."}}.Err()
	}
	fresh, err := s.store.UseTOTPStep(ctx, cr.UserID, step)
	if err != nil {
		return err
	}
	if !fresh {
		return herald.Violations{{Field: "code", Code: herald.VPolicy, Message: "This code was used already. Wait for the next one."}}.Err()
	}
	return nil
}
