// Package secret seals small secrets (TOTP seeds, connector passwords) with
// AES-256-GCM under the server's secret key, so the database never holds them
// in the clear.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a secret key in bytes.
const KeySize = 32

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct {
	aead   cipher.AEAD
	derive []byte // the root of DeriveKey, itself derived from the key
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating GCM: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("herald derived keys"))
	return &Box{aead: aead, derive: mac.Sum(nil)}, nil
}

// DeriveKey returns a 32-byte key for one purpose (such as "email
// links"), derived from the server's key with HMAC-SHA256: the same key
// and purpose give the same bytes in every process of an installation,
// and no derived key reveals the server's key or another purpose's key.
func (b *Box) DeriveKey(purpose string) []byte {
	mac := hmac.New(sha256.New, b.derive)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// Seal encrypts plaintext; the result carries its own random nonce.
func (b *Box) Seal(plaintext []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("reading random nonce: %v", err)) // crypto/rand never fails on Linux
	}
	return b.aead.Seal(nonce, nonce, plaintext, nil)
}

// Open decrypts what Seal returned. It fails when the data was changed or
// sealed under another key.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, errors.New("opening secret: sealed data too short")
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, fmt.Errorf("opening secret: %w", err)
	}
	return out, nil
}

// ParseKey decodes a key given as base64 (standard or URL alphabet, padded
// or not) of exactly 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("secret key must decode to %d bytes, got %d", KeySize, len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("secret key is not valid base64")
}

// LoadOrCreateKey reads the base64 key in path, or creates the file with a
// new random key (mode 0600) when it does not exist.
func LoadOrCreateKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		k, err := ParseKey(string(data))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading secret key: %w", err)
	}
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generating secret key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating key directory: %w", err)
	}
	enc := base64.StdEncoding.EncodeToString(k) + "\n"
	if err := os.WriteFile(path, []byte(enc), 0o600); err != nil {
		return nil, fmt.Errorf("writing secret key: %w", err)
	}
	return k, nil
}
