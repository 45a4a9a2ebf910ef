package engine

import (
	"sync"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// fairQueue holds the messages waiting for one connection, one FIFO per
// lane, and hands them out round-robin across lanes: an account with a
// million messages waiting delays another account's message by at most
// one message per busy lane. Each account has two lanes, its broadcasts'
// bulk and the rest (API, chatbots, conversations), so that its own
// broadcast does not hold up its API traffic either. It is safe for
// concurrent use.
type fairQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queues map[lane]*fifo
	ring   []lane // lanes with messages, in serving order
	next   int    // position in ring of the next account to serve
	closed bool
	n      int
}

// fifo is a simple queue of messages.
type fifo struct {
	items []store.MessageRow
	head  int
}

// lane is one FIFO of a fairQueue: an account's bulk (broadcast) messages
// or its other messages.
type lane struct {
	account int64
	bulk    bool
}

// laneOf returns the lane of m.
func laneOf(m *herald.Message) lane {
	return lane{account: m.AccountID, bulk: m.Origin == herald.OriginBroadcast}
}

func newFairQueue() *fairQueue {
	q := &fairQueue{queues: map[lane]*fifo{}}
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
	l := laneOf(r.Message)
	f := q.queues[l]
	if f == nil {
		f = &fifo{}
		q.queues[l] = f
		q.ring = append(q.ring, l)
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
	l := q.ring[q.next]
	f := q.queues[l]
	r := f.items[f.head]
	f.items[f.head] = store.MessageRow{}
	f.head++
	q.n--
	if f.head == len(f.items) {
		delete(q.queues, l)
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
	for _, l := range q.ring {
		f := q.queues[l]
		left = append(left, f.items[f.head:]...)
	}
	q.queues, q.ring, q.n = map[lane]*fifo{}, nil, 0
	return left
}

// len returns how many messages wait.
func (q *fairQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
