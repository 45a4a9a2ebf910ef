package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// SQLite has one writer. Rather than take turns, one transaction per
// caller, the write transactions that wait for it commit together (group
// commit): a committer goroutine begins one transaction, runs each
// waiting function in a savepoint of its own (a function that fails rolls
// back only its savepoint, as its own transaction would have), and
// commits once. Each caller learns its outcome after that commit. Under
// load the messaging engine's writers (accept, status, webhook attempts,
// the sandbox inbox) then share commits, and the pages they all touch are
// written to the WAL once per group instead of once per transaction.

// maxGroup bounds the functions of one group transaction.
const maxGroup = 16

// errClosed answers writes to a closed Store.
var errClosed = errors.New("store: closed")

// groupReq is one caller's transaction function and where its outcome
// goes.
type groupReq struct {
	fn   func(*tx) error
	done chan groupResult
}

// groupResult is the outcome of one function: its error, or the panic it
// raised (re-raised in the caller), and its tx once committed.
type groupResult struct {
	err      error
	panicked bool
	panicVal any
	x        *tx
}

// groupCommitter runs the group transactions of a SQLite Store.
type groupCommitter struct {
	s    *Store
	in   chan *groupReq
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// waiting counts the callers between handing in and their outcome.
	waiting atomic.Int64
}

// startGroupCommitter starts the committer of s.
func startGroupCommitter(s *Store) *groupCommitter {
	g := &groupCommitter{s: s, in: make(chan *groupReq), stop: make(chan struct{}), done: make(chan struct{})}
	go g.run()
	return g
}

// close stops the committer once the group in progress has committed.
func (g *groupCommitter) close() {
	g.once.Do(func() { close(g.stop) })
	<-g.done
}

// do runs fn in a group transaction and returns once that committed (or
// failed). A panic in fn is raised again here.
func (g *groupCommitter) do(fn func(*tx) error) error {
	r := &groupReq{fn: fn, done: make(chan groupResult, 1)}
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	select {
	case g.in <- r:
	case <-g.stop:
		return errClosed
	}
	res := <-r.done
	if res.panicked {
		panic(res.panicVal)
	}
	return res.err
}

// run takes the waiting functions in groups until stopped.
func (g *groupCommitter) run() {
	defer close(g.done)
	for {
		var batch []*groupReq
		select {
		case r := <-g.in:
			batch = append(batch, r)
		case <-g.stop:
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case r := <-g.in:
				batch = append(batch, r)
			default:
				break more
			}
		}
		g.commit(batch)
	}
}

// commit runs one group transaction and reports each outcome.
func (g *groupCommitter) commit(batch []*groupReq) {
	s := g.s
	ctx := context.Background()
	results := make([]groupResult, len(batch))
	reply := func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}
	failAll := func(err error) {
		for i := range results {
			if results[i].err == nil && !results[i].panicked {
				results[i] = groupResult{err: err}
			}
		}
	}
	t, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		failAll(fmt.Errorf("beginning transaction: %w", err))
		reply()
		return
	}
	defer func() { _ = t.Rollback() }()
	single := len(batch) == 1 // no savepoint needed: failing rolls back all
	q := sqlQuerier{c: t, stmts: s.writeStmts, detach: true}
	ok := 0
	for i, r := range batch {
		x := &tx{querier: q, now: s.now()}
		if !single {
			if err := savepoint(ctx, q, "SAVEPOINT herald_group"); err != nil {
				failAll(err)
				reply()
				return
			}
		}
		res := runInTx(r.fn, x)
		if res.err != nil || res.panicked {
			results[i] = res
			if single {
				continue
			}
			if err := savepoint(ctx, q, "ROLLBACK TO herald_group"); err != nil {
				failAll(err)
				reply()
				return
			}
		}
		if !single {
			if err := savepoint(ctx, q, "RELEASE herald_group"); err != nil {
				failAll(err)
				reply()
				return
			}
		}
		if res.err == nil && !res.panicked {
			results[i].x = x
			ok++
		}
	}
	if ok == 0 {
		reply()
		return
	}
	if err := t.Commit(); err != nil {
		failAll(fmt.Errorf("committing transaction: %w", err))
		reply()
		return
	}
	s.writeStmts.preparePending(ctx)
	for _, res := range results {
		if res.x != nil {
			s.committed(res.x)
		}
	}
	reply()
}

// runInTx runs fn, turning a panic into a result to raise in the caller.
func runInTx(fn func(*tx) error, x *tx) (res groupResult) {
	defer func() {
		if p := recover(); p != nil {
			res = groupResult{panicked: true, panicVal: p}
		}
	}()
	return groupResult{err: fn(x)}
}

// savepoint runs a savepoint statement of the group transaction through
// q, which keeps it prepared: the driver would parse it on each call.
func savepoint(ctx context.Context, q sqlQuerier, stmt string) error {
	if _, err := q.exec(ctx, stmt); err != nil {
		return fmt.Errorf("group transaction: %s: %w", stmt, err)
	}
	return nil
}
