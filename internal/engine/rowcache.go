package engine

import (
	"sync"

	"github.com/heraldhq/herald/internal/store"
)

// rowCacheMax bounds the rows a rowCache holds (a few hundred bytes each:
// a row is held without its payload unless its status events carry it).
const rowCacheMax = 50000

// rowCache holds, after each status commit, the rows of the messages this
// process is still working (not final), so that their next status change
// (a provider's report) is applied without reading them back. A row held
// here may be stale, when another process or statement changed it since:
// its version then no longer matches and UpdateMessages refuses it (see
// store.StaleError), and the status writer reads it afresh. Rows are
// shared read-only; whoever changes one changes a copy (cloneRow).
type rowCache struct {
	mu   sync.Mutex
	rows map[string]store.MessageRow
}

func newRowCache() *rowCache { return &rowCache{rows: map[string]store.MessageRow{}} }

// get returns the held row of message id.
func (c *rowCache) get(id string) (store.MessageRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.rows[id]
	return r, ok
}

// put holds rows that are not final and forgets the final ones. When
// full, it forgets arbitrary rows to make room.
func (c *rowCache) put(rows map[string]store.MessageRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, r := range rows {
		if r.Status.Final() {
			delete(c.rows, id)
			continue
		}
		if r.WebhookURL == "" && len(r.Payload) > 0 || r.Content != nil {
			// Only a webhook's status events carry the content (as
			// LockMessages reads it); an e-mail campaign's sent messages
			// wait for opens and bounces, and must not keep their bodies.
			r = cloneRow(r)
			if r.WebhookURL == "" {
				r.Payload = nil
			}
			r.Content = nil
		}
		if _, ok := c.rows[id]; !ok && len(c.rows) >= rowCacheMax {
			for old := range c.rows { // map order: an arbitrary victim
				delete(c.rows, old)
				break
			}
		}
		c.rows[id] = r
	}
}

// forget drops the rows of ids.
func (c *rowCache) forget(ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		delete(c.rows, id)
	}
}

// cloneRow returns r with its own copy of the message, to be changed.
func cloneRow(r store.MessageRow) store.MessageRow {
	m := *r.Message
	r.Message = &m
	return r
}
