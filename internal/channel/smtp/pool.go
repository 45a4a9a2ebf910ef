package smtp

import (
	"context"
	"sync"
	"time"

	mailsmtp "github.com/wneessen/go-mail/smtp"
)

// pool keeps up to size open SMTP sessions and lends each to one sender
// at a time: a message goes out on a session that has said EHLO, STARTTLS
// and AUTH already, so a warm pool spends one MAIL, RCPT and DATA per
// message. Sessions unused for idle are closed with QUIT. Its methods are
// safe for concurrent use.
type pool struct {
	dial  func(ctx context.Context) (*mailsmtp.Client, error)
	idle  time.Duration
	slots chan struct{} // a token per session in use

	mu     sync.Mutex
	free   []*session // idle sessions, the most recently used last
	closed bool
}

// session is one pooled SMTP connection.
type session struct {
	c        *mailsmtp.Client
	lastUsed time.Time
	sent     int // messages sent on it
}

func newPool(size int, idle time.Duration, dial func(ctx context.Context) (*mailsmtp.Client, error)) *pool {
	return &pool{dial: dial, idle: idle, slots: make(chan struct{}, size)}
}

// get returns an idle session or dials a new one, waiting while size
// sessions are in use. fresh is true for a session dialed for this call.
func (p *pool) get(ctx context.Context) (s *session, fresh bool, err error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		s = p.free[n-1]
		p.free = p.free[:n-1]
	}
	p.mu.Unlock()
	if s != nil {
		return s, false, nil
	}
	s, err = p.redial(ctx)
	if err != nil {
		<-p.slots
		return nil, false, err
	}
	return s, true, nil
}

// redial dials a new session; the caller holds a slot.
func (p *pool) redial(ctx context.Context) (*session, error) {
	c, err := p.dial(ctx)
	if err != nil {
		return nil, err
	}
	return &session{c: c, lastUsed: time.Now()}, nil
}

// put gives a session back: kept for reuse when ok, closed otherwise.
func (p *pool) put(s *session, ok bool) {
	defer func() { <-p.slots }()
	if s == nil {
		return
	}
	p.mu.Lock()
	if ok && !p.closed {
		s.lastUsed = time.Now()
		p.free = append(p.free, s)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	go quit(s.c)
}

// drop closes a broken session without QUIT and frees its slot.
func (p *pool) drop(s *session) {
	if s != nil {
		_ = s.c.Close()
	}
	<-p.slots
}

// quit ends a session politely, then closes it.
func quit(c *mailsmtp.Client) {
	if err := c.Quit(); err != nil {
		_ = c.Close()
	}
}

// reap closes sessions idle for longer than the pool's idle time, every
// interval until ctx ends.
func (p *pool) reap(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		keep := p.free[:0]
		var old []*session
		for _, s := range p.free {
			if time.Since(s.lastUsed) > p.idle {
				old = append(old, s)
			} else {
				keep = append(keep, s)
			}
		}
		p.free = keep
		p.mu.Unlock()
		for _, s := range old {
			quit(s.c)
		}
	}
}

// close ends every idle session and makes put close the others.
func (p *pool) close() {
	p.mu.Lock()
	free := p.free
	p.free, p.closed = nil, true
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range free {
		wg.Go(func() { quit(s.c) })
	}
	wg.Wait()
}
