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
// address outside the key's allow-list. A key authenticated in the last
// few seconds comes from memory (see keyCache), unless a key, an account
// or a user changed since (ForgetKeys).
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string, addr netip.Addr) (*herald.APIKey, error) {
	bad := herald.Errorf(herald.EUNAUTHORIZED, "Invalid API key.")
	key = strings.TrimSpace(key)
	if len(key) <= keyPrefixLen || !strings.HasPrefix(key, keyPrefix) {
		return nil, bad
	}
	hash := hashKey(key)
	now := s.clock.Now()
	e, ok := s.keys.get(hash, now)
	if !ok {
		var err error
		if e, err = s.loadKey(ctx, key, hash, now); err != nil {
			return nil, err
		}
	}
	if !e.active {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "The account of this API key is blocked.")
	}
	k := e.key // a copy: callers may not change the cached key
	if !k.AllowsIP(addr) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "This API key may not be used from %s.", addr)
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > time.Minute {
		if err := s.store.TouchAPIKey(ctx, k.ID, now); err != nil {
			s.log.Warn("recording API key use", "key", k.ID, "err", err)
		}
		s.keys.touched(hash, now)
	}
	return &k, nil
}

// loadKey reads the key with the secret key (whose hash is hash) and its
// account's status, and caches them.
func (s *Service) loadKey(ctx context.Context, key, hash string, now time.Time) (cachedKey, error) {
	gen := s.keys.generation()
	k, stored, err := s.store.APIKeyByPrefix(ctx, key[:keyPrefixLen])
	if herald.IsNotFound(err) {
		return cachedKey{}, herald.Errorf(herald.EUNAUTHORIZED, "Invalid API key.")
	} else if err != nil {
		return cachedKey{}, fmt.Errorf("looking up API key: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(stored)) != 1 {
		return cachedKey{}, herald.Errorf(herald.EUNAUTHORIZED, "Invalid API key.")
	}
	acc, err := s.store.Account(ctx, k.AccountID)
	if err != nil {
		return cachedKey{}, fmt.Errorf("loading API key account: %w", err)
	}
	e := cachedKey{key: *k, active: acc.Status == herald.AccountActive, expires: now.Add(keyCacheTTL)}
	s.keys.put(hash, e, gen)
	return e, nil
}
