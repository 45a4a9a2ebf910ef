package smpp

import (
	"sync"
	"time"
)

// concatKey identifies the parts of one concatenated message.
type concatKey struct {
	src, dst string
	ref      uint16
	total    uint8
}

// group holds the parts of a concatenated message received so far.
type group struct {
	parts []*part
	n     int
	first time.Time
}

// reassembler joins the parts of concatenated MOs, whichever session they
// arrive on. It is safe for concurrent use.
type reassembler struct {
	timeout time.Duration
	mu      sync.Mutex
	groups  map[concatKey]*group
}

// newReassembler returns a reassembler whose incomplete groups expire after
// timeout.
func newReassembler(timeout time.Duration) *reassembler {
	return &reassembler{timeout: timeout, groups: make(map[concatKey]*group)}
}

// add adds a part. It returns the parts of the message, in order, when p
// completes it (or is not concatenated), and nil otherwise. restore, when
// not nil, puts the other parts back if the complete message could not be
// handed over, so that the SMSC's next attempt completes it again.
func (r *reassembler) add(p *part) (parts []*part, restore func()) {
	sm := p.sm
	if sm.concatTotal <= 1 {
		return []*part{p}, nil
	}
	k := concatKey{src: sm.Source.Addr, dst: sm.Dest.Addr, ref: sm.concatRef, total: sm.concatTotal}
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.groups[k]
	if g == nil {
		g = &group{parts: make([]*part, sm.concatTotal), first: p.at}
		r.groups[k] = g
	}
	i := int(sm.concat) - 1
	if g.parts[i] == nil {
		g.n++
	}
	g.parts[i] = p // a repeated part replaces the earlier copy
	if g.n < len(g.parts) {
		return nil, nil
	}
	delete(r.groups, k)
	restore = func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if _, ok := r.groups[k]; ok {
			return
		}
		g.parts[i] = nil
		g.n--
		r.groups[k] = g
	}
	return g.parts, restore
}

// expired removes and returns the groups whose first part is older than
// the timeout.
func (r *reassembler) expired(now time.Time) [][]*part {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]*part
	for k, g := range r.groups {
		if now.Sub(g.first) >= r.timeout {
			delete(r.groups, k)
			out = append(out, g.parts)
		}
	}
	return out
}
