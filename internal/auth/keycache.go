package auth

import (
	"sync"
	"time"

	"github.com/heraldhq/herald"
)

// keyCacheTTL bounds how long an authenticated key is trusted without
// reading it again. Changes made through any Herald process reach the
// cache at once (ForgetKeys); the expiry is the backstop for a change
// whose notice was lost, such as an event bus outage.
const keyCacheTTL = 5 * time.Second

// keyCacheMax bounds the cache; when full it starts again empty.
const keyCacheMax = 10000

// keyCache holds recently authenticated API keys by the hash of their
// secret, so that a busy client's requests cost no database reads.
type keyCache struct {
	mu      sync.Mutex
	gen     uint64 // counts ForgetKeys calls: a read begun earlier is not cached
	entries map[string]cachedKey
}

// cachedKey is one authenticated key with its account's status.
type cachedKey struct {
	key     herald.APIKey
	active  bool // the account is active
	expires time.Time
}

// get returns the entry of hash when it has not expired at now.
func (c *keyCache) get(hash string, now time.Time) (cachedKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || !now.Before(e.expires) {
		return cachedKey{}, false
	}
	return e, true
}

// generation returns the current generation, to be given to put.
func (c *keyCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put caches e under hash unless the cache was cleared since gen was
// read: the rows e came from may be older than the change that cleared it.
func (c *keyCache) put(hash string, e cachedKey, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.entries == nil || len(c.entries) >= keyCacheMax {
		c.entries = map[string]cachedKey{}
	}
	c.entries[hash] = e
}

// touched records a new last use of the cached key hash.
func (c *keyCache) touched(hash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[hash]; ok {
		e.key.LastUsedAt = &at
		c.entries[hash] = e
	}
}

// clear forgets every entry.
func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = nil
}

// ForgetKeys drops every cached API key, so that the next request of each
// reads its key and account again. Call it after a change to an API key,
// an account or a user commits, in this process or another.
func (s *Service) ForgetKeys() { s.keys.clear() }
