package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// API keys look like "hrld_" followed by 52 base32 characters (32 random
// bytes). The first 13 characters are the public prefix the store looks the
// key up by; only a SHA-256 hash of the whole key is stored (the key has 256
// bits of entropy, so a slow hash adds nothing).
const (
	keyPrefix    = "hrld_"
	keyPrefixLen = len(keyPrefix) + 8
)

// CreateAPIKey validates k, stores it and returns the secret key, which is
// shown once and never again.
func (s *Service) CreateAPIKey(ctx context.Context, k *herald.APIKey) (string, error) {
	if err := k.Validate(); err != nil {
		return "", err
	}
	for attempt := 0; ; attempt++ {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return "", fmt.Errorf("generating API key: %w", err)
		}
		key := keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
		k.Prefix = key[:keyPrefixLen]
		err := s.store.CreateAPIKey(ctx, k, hashKey(key))
		if err == nil {
			return key, nil
		}
		if attempt >= 3 || herald.ErrorCode(err) != herald.EINVALID {
			return "", fmt.Errorf("creating API key: %w", err)
		}
		// A prefix collision (one in 2^40): draw again.
	}
}

// hashKey returns the hex SHA-256 of an API key.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// AuthenticateAPIKey returns the key for a secret presented from addr.
// EUNAUTHORIZED for an unknown key or a blocked account, EFORBIDDEN for an
// address outside the key's allow-list.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string, addr netip.Addr) (*herald.APIKey, error) {
	bad := herald.Errorf(herald.EUNAUTHORIZED, "Invalid API key.")
	key = strings.TrimSpace(key)
	if len(key) <= keyPrefixLen || !strings.HasPrefix(key, keyPrefix) {
		return nil, bad
	}
	k, hash, err := s.store.APIKeyByPrefix(ctx, key[:keyPrefixLen])
	if herald.IsNotFound(err) {
		return nil, bad
	} else if err != nil {
		return nil, fmt.Errorf("looking up API key: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hashKey(key)), []byte(hash)) != 1 {
		return nil, bad
	}
	acc, err := s.store.Account(ctx, k.AccountID)
	if err != nil {
		return nil, fmt.Errorf("loading API key account: %w", err)
	}
	if acc.Status != herald.AccountActive {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "The account of this API key is blocked.")
	}
	if !k.AllowsIP(addr) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "This API key may not be used from %s.", addr)
	}
	now := s.clock.Now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > time.Minute {
		if err := s.store.TouchAPIKey(ctx, k.ID, now); err != nil {
			s.log.Warn("recording API key use", "key", k.ID, "err", err)
		}
	}
	return k, nil
}
