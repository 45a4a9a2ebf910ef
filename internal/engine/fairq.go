package engine

import (
	"sync"

	"github.com/heraldhq/herald/internal/store"
)

// fairQueue holds the messages waiting for one connection, one FIFO per
// account, and hands them out round-robin across accounts: an account with
// a million messages waiting delays another account's message by at most
// one message per busy account. It is safe for concurrent use.
type fairQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queues map[int64]*fifo
	ring   []int64 // accounts with messages, in serving order
	next   int     // position in ring of the next account to serve
	closed bool
	n      int
}

// fifo is a simple queue of messages.
type fifo struct {
	items []store.MessageRow
	head  int
}

func newFairQueue() *fairQueue {
	q := &fairQueue{queues: map[int64]*fifo{}}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push appends r to its account's queue; false once the queue is closed.
func (q *fairQueue) push(r store.MessageRow) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	f := q.queues[r.AccountID]
	if f == nil {
		f = &fifo{}
		q.queues[r.AccountID] = f
		q.ring = append(q.ring, r.AccountID)
	}
	f.items = append(f.items, r)
	q.n++
	q.cond.Signal()
	return true
}

// pop waits for a message and returns the next in round-robin order;
// false once the queue is closed.
func (q *fairQueue) pop() (store.MessageRow, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.n == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return store.MessageRow{}, false
	}
	if q.next >= len(q.ring) {
		q.next = 0
	}
	acc := q.ring[q.next]
	f := q.queues[acc]
	r := f.items[f.head]
	f.items[f.head] = store.MessageRow{}
	f.head++
	q.n--
	if f.head == len(f.items) {
		delete(q.queues, acc)
		q.ring = append(q.ring[:q.next], q.ring[q.next+1:]...)
	} else {
		if f.head > 1024 && f.head*2 > len(f.items) {
			f.items = append([]store.MessageRow(nil), f.items[f.head:]...)
			f.head = 0
		}
		q.next++
	}
	return r, true
}

// close wakes every waiting pop and returns the messages left.
func (q *fairQueue) close() []store.MessageRow {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
	var left []store.MessageRow
	for _, acc := range q.ring {
		f := q.queues[acc]
		left = append(left, f.items[f.head:]...)
	}
	q.queues, q.ring, q.n = map[int64]*fifo{}, nil, 0
	return left
}

// len returns how many messages wait.
func (q *fairQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
