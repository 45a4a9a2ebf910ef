package auth

import (
	"fmt"

	"github.com/heraldhq/herald"
)

// PrepareSMPPCredential validates c and, when c.Password is set, replaces
// it with its argon2id hash in c.PasswordHash, so that the plain password
// is never stored or echoed. creating requires a password. The API and the
// portal call it before saving a credential.
func (s *Service) PrepareSMPPCredential(c *herald.SMPPCredential, creating bool) error {
	if err := c.Validate(creating); err != nil {
		return err
	}
	if c.Password == "" {
		return nil
	}
	hash, err := HashPassword(c.Password, s.cfg.Hash)
	if err != nil {
		return fmt.Errorf("hashing SMPP password: %w", err)
	}
	c.PasswordHash, c.Password = hash, ""
	return nil
}
