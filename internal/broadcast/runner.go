package broadcast

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/engine"
	"github.com/heraldhq/herald/internal/store"
)

// RunnerConfig tunes a Runner. Zero fields take the defaults.
type RunnerConfig struct {
	Instance string        // this runner's ID in claims; generated when empty
	Batch    int           // recipients per transaction; default 500
	Hold     time.Duration // how long a claim lasts without progress; default 15 s
	Poll     time.Duration // how often broadcasts to send are looked for; default 500 ms
	Parallel int           // broadcasts sent at once by this process; default 8
	// Ahead bounds the account's broadcast messages this process holds
	// in memory before a runner commits more: enough to keep the
	// connections busy, few enough that memory stays bounded by a few
	// batches however slow the connections are. Default 4 batches.
	Ahead int
}

// withDefaults fills the zero fields.
func (c RunnerConfig) withDefaults() RunnerConfig {
	if c.Instance == "" {
		c.Instance = uuid.Must(uuid.NewV7()).String()
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.Hold <= 0 {
		c.Hold = 15 * time.Second
	}
	if c.Poll <= 0 {
		c.Poll = 500 * time.Millisecond
	}
	if c.Parallel <= 0 {
		c.Parallel = 8
	}
	if c.Ahead <= 0 {
		c.Ahead = 4 * c.Batch
	}
	return c
}

// Runner sends the broadcasts in progress: it claims those that no live
// runner holds and feeds their recipients to the engine in batches.
type Runner struct {
	s    *Service
	cfg  RunnerConfig
	wake chan struct{}

	mu      sync.Mutex
	running map[int64]bool
	ctx     context.Context // while started
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	killed  bool // Kill: claims are left to run out, as after a crash
}

// NewRunner returns a Runner for s; Start runs it. Launches made through
// s wake it at once.
func NewRunner(s *Service, cfg RunnerConfig) *Runner {
	r := &Runner{s: s, cfg: cfg.withDefaults(), wake: make(chan struct{}, 1), running: map[int64]bool{}}
	s.runner = r
	s.wake = func() {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
	return r
}

// Start runs the runner until Stop.
func (r *Runner) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.mu.Lock()
	r.ctx, r.cancel = ctx, cancel
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.cfg.Poll)
		defer t.Stop()
		for {
			r.claim(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-r.wake:
			}
		}
	}()
	r.s.prog.start(ctx, &r.wg)
}

// Stop stops claiming, lets each broadcast finish its current batch and
// releases the claims, so that another process takes them at once.
func (r *Runner) Stop() {
	r.mu.Lock()
	cancel := r.cancel
	r.ctx = nil
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.wg.Wait()
}

// reserve marks broadcast id as this runner's before its launch commits,
// so that the claim loop leaves it to adopt; false when the runner is not
// running.
func (r *Runner) reserve(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil || r.ctx.Err() != nil || r.running[id] {
		return false
	}
	r.running[id] = true
	return true
}

// unreserve undoes reserve after a launch failed.
func (r *Runner) unreserve(id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.running, id)
}

// adopt sends broadcast b, reserved and launched held by this runner,
// copying its recipients from view (which it closes).
func (r *Runner) adopt(b *herald.Broadcast, view *store.ContactSnapshot) {
	r.mu.Lock()
	ctx := r.ctx
	r.mu.Unlock()
	if ctx == nil {
		view.Close()
		r.unreserve(b.ID) // stopped meanwhile: the claim runs out and the rest is copied without the view
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.run(ctx, store.RunClaim{Broadcast: *b, Snapshotting: true}, view)
		r.unreserve(b.ID)
	}()
}

// Kill stops the runner as a crash would, for restart tests: its claims
// are not released and run out by themselves.
func (r *Runner) Kill() {
	r.mu.Lock()
	r.killed = true
	r.mu.Unlock()
	r.Stop()
}

// claim takes the broadcasts this process has room for and runs each.
func (r *Runner) claim(ctx context.Context) {
	r.mu.Lock()
	free := r.cfg.Parallel - len(r.running)
	r.mu.Unlock()
	if free <= 0 {
		return
	}
	now := r.s.now()
	claims, err := r.s.store.ClaimBroadcastRuns(ctx, r.cfg.Instance, now.UnixMilli(), now.Add(r.cfg.Hold).UnixMilli(), free)
	if err != nil {
		if ctx.Err() == nil {
			r.s.log.Error("claiming broadcasts to send", "err", err)
		}
		return
	}
	for _, c := range claims {
		r.mu.Lock()
		busy := r.running[c.Broadcast.ID]
		r.running[c.Broadcast.ID] = true
		r.mu.Unlock()
		if busy {
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.run(ctx, c, nil)
			r.mu.Lock()
			delete(r.running, c.Broadcast.ID)
			r.mu.Unlock()
		}()
	}
}

// run sends one claimed broadcast batch by batch until its recipients are
// all claimed, it stops being in progress, or the runner stops. view,
// when not nil, is the contacts at the launch to copy the recipients
// from; run closes it.
func (r *Runner) run(ctx context.Context, c store.RunClaim, view *store.ContactSnapshot) {
	b := &c.Broadcast
	defer view.Close()
	defer func() {
		r.mu.Lock()
		killed := r.killed
		r.mu.Unlock()
		if killed {
			return
		}
		if err := r.s.store.ReleaseBroadcastRun(context.WithoutCancel(ctx), r.cfg.Instance, b.ID); err != nil {
			r.s.log.Warn("releasing broadcast", "broadcast", b.ID, "err", err)
		}
	}()
	w := &worker{r: r, b: b, seq: c.ClaimedSeq, snapping: c.Snapshotting, snapped: c.Snapshotted, chunk: min(firstBatch, r.cfg.Batch), view: view}
	if b.Type != herald.BroadcastRCSCheck {
		plan, err := r.s.plan(ctx, b)
		if err != nil {
			w.fail(ctx, err)
			return
		}
		w.plan = plan
	}
	for ctx.Err() == nil {
		err := w.batch(ctx)
		switch {
		case errors.Is(err, errDone), errors.Is(err, store.ErrLostClaim):
			return
		case err != nil:
			if ctx.Err() == nil {
				r.s.log.Error("sending broadcast", "broadcast", b.ID, "err", err)
				sleep(ctx, time.Second)
			}
		}
	}
}

// errDone ends a broadcast's run: every recipient is claimed.
var errDone = errors.New("broadcast: every recipient is claimed")

// worker sends one broadcast.
type worker struct {
	r    *Runner
	b    *herald.Broadcast
	plan *engine.BulkPlan
	seq  int64 // the last recipient committed
	held time.Time
	// snapping is true while the recipients are still being copied;
	// snapped counts those copied, chunk is the next chunk's size.
	snapping bool
	snapped  int64
	chunk    int
	view     *store.ContactSnapshot // the contacts at the launch, nil after a restart
	batches  int                    // batches committed by this worker
}

// firstBatch bounds a run's first batch, so that its first messages
// leave without waiting for a full batch to be personalised and
// committed.
const firstBatch = 50

// snapAhead is how many batches of recipients the snapshot keeps copied
// ahead of sending.
const snapAhead = 4

// maxChunk bounds the recipients one snapshot transaction copies, so that
// it holds SQLite's one writer only briefly.
const maxChunk = 5000

// snapshot copies the next chunk of recipients when fewer than snapAhead
// batches wait copied. The first chunk is the first batch, so the first
// messages leave at once; chunks then double up to maxChunk.
func (w *worker) snapshot(ctx context.Context) error {
	if !w.snapping || w.snapped-w.seq >= int64(snapAhead*w.r.cfg.Batch) {
		return nil
	}
	copied, more, err := w.r.s.store.SnapshotChunk(ctx, w.r.cfg.Instance, w.b.ID, w.chunk, w.view)
	if err != nil {
		return err
	}
	w.snapped, w.snapping, w.chunk = copied, more, min(maxChunk, w.chunk*2)
	if !more {
		w.b.Contacts = int(copied)
		w.view.Close() // copied: the view need not pin old pages any longer
	}
	w.held = time.Now()
	return nil
}

// batch sends the next batch of recipients, waiting for room in the
// dispatcher first.
func (w *worker) batch(ctx context.Context) error {
	if err := w.snapshot(ctx); err != nil {
		return err
	}
	limit, err := w.room(ctx)
	if err != nil {
		return err
	}
	if w.batches == 0 {
		limit = min(limit, firstBatch)
	}
	rows, err := w.r.s.store.PendingRecipients(ctx, w.b.AccountID, w.b.ID, w.seq, limit)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		if w.snapping {
			return nil
		}
		return errDone
	}
	if w.b.Type == herald.BroadcastRCSCheck {
		err = w.check(ctx, rows)
	} else {
		err = w.send(ctx, rows)
	}
	if err != nil {
		return err
	}
	w.seq = rows[len(rows)-1].Seq
	w.held = time.Now()
	w.batches++
	w.r.s.prog.touch(w.b.AccountID, w.b.ID)
	return nil
}

// room waits until the engine takes a batch of the account's broadcast
// messages (a full batch, or what the broadcast has left), checking
// meanwhile that the broadcast is still this runner's and in progress.
func (w *worker) room(ctx context.Context) (int, error) {
	left := w.b.Contacts - int(w.seq)
	if w.snapping {
		left = w.r.cfg.Batch // the count may not be known yet: a full batch, at least, is left
	}
	want := min(w.r.cfg.Batch, max(1, left))
	if w.batches == 0 {
		want = min(want, firstBatch) // the first batch goes as soon as it has room
	}
	for wait := time.Millisecond; ; wait = min(wait*2, 50*time.Millisecond) {
		n := w.r.cfg.Batch
		if w.b.Type != herald.BroadcastRCSCheck {
			n = min(n, w.r.s.engine.BulkRoom(w.b.AccountID), w.r.cfg.Ahead-w.r.s.engine.BulkHeld(w.b.AccountID))
		}
		if n >= want || (n > 0 && wait >= 50*time.Millisecond) {
			return n, nil
		}
		if time.Since(w.held) > w.r.cfg.Hold/3 {
			// No commit moves the hold on while the dispatcher is full,
			// and a pause or an abort must be noticed.
			ok, err := w.r.s.store.RenewBroadcastRun(ctx, w.r.cfg.Instance, w.b.ID, w.r.s.now().Add(w.r.cfg.Hold).UnixMilli())
			if err != nil {
				return 0, err
			} else if !ok {
				return 0, store.ErrLostClaim
			}
			w.held = time.Now()
		}
		if !sleep(ctx, wait) {
			return 0, ctx.Err()
		}
	}
}

// send builds and commits the chains of rows.
func (w *worker) send(ctx context.Context, rows []store.RecipientRow) error {
	ids := make([]int64, 0, len(rows))
	for _, row := range rows {
		if row.ContactID != 0 {
			ids = append(ids, row.ContactID)
		}
	}
	// One query for the batch spares the dispatcher one per message;
	// a contact with opt-outs is checked by the dispatcher as usual.
	opted, err := w.r.s.store.OptedOutContacts(ctx, w.b.AccountID, ids)
	if err != nil {
		return err
	}
	items := make([]*engine.BulkItem, 0, len(rows))
	results := make([]store.RecipientResult, 0, len(rows))
	for i := range rows {
		row := &rows[i]
		br := engine.BulkRecipient{ContactID: row.ContactID, Phone: row.Phone, Email: row.Email, Attrs: row.Attrs,
			Identities: row.Identities, SkipRCS: w.b.RCSCheck && row.RCSCapable != nil && !*row.RCSCapable,
			NoOptOuts: !opted[row.ContactID]}
		it, reason := w.r.s.engine.BuildBulk(w.plan, &br)
		if it == nil {
			results = append(results, store.RecipientResult{Seq: row.Seq, State: herald.RecipientSkipped, Reason: reason})
			continue
		}
		items = append(items, it)
		results = append(results, store.RecipientResult{Seq: row.Seq, State: herald.RecipientInitiated, ChainID: it.ChainID()})
	}
	last := rows[len(rows)-1].Seq
	until := w.r.s.now().Add(w.r.cfg.Hold).UnixMilli()
	var done bool
	err = w.r.s.engine.CommitBulk(ctx, items, func(ctx context.Context, x *store.MessageTx) error {
		var err error
		done, err = x.CommitRecipients(ctx, w.b.ID, w.r.cfg.Instance, w.seq, last, until, results)
		return err
	})
	if err == nil && done {
		w.r.s.prog.touch(w.b.AccountID, w.b.ID)
	}
	return err
}

// check asks whether each recipient of rows is RCS capable and records
// the answers on the recipients and their contacts.
func (w *worker) check(ctx context.Context, rows []store.RecipientRow) error {
	addrs := make([]string, len(rows))
	for i, row := range rows {
		addrs[i] = row.Phone
	}
	capable, err := w.r.s.engine.CheckCapable(ctx, w.b.AccountID, w.b.Steps[0].SenderID, addrs)
	if err != nil {
		return err
	}
	results := make([]store.RecipientResult, len(rows))
	var yes, no []int64
	for i, row := range rows {
		res := store.RecipientResult{Seq: row.Seq, State: herald.RecipientSkipped, Reason: "capability_unknown"}
		if capable != nil {
			res.State, res.Reason, res.Outcome = herald.RecipientInitiated, "rcs_capable", herald.ChainSucceeded
			if !capable[i] {
				res.Reason, res.Outcome = "not_rcs_capable", herald.ChainFailed
			}
			if row.ContactID != 0 && capable[i] {
				yes = append(yes, row.ContactID)
			} else if row.ContactID != 0 {
				no = append(no, row.ContactID)
			}
		}
		results[i] = res
	}
	until := w.r.s.now().Add(w.r.cfg.Hold).UnixMilli()
	return w.r.s.store.MessageTx(ctx, func(x *store.MessageTx) error {
		if err := x.SetRCSCapable(ctx, yes, true); err != nil {
			return err
		}
		if err := x.SetRCSCapable(ctx, no, false); err != nil {
			return err
		}
		_, err := x.CommitRecipients(ctx, w.b.ID, w.r.cfg.Instance, w.seq, rows[len(rows)-1].Seq, until, results)
		return err
	})
}

// fail ends a broadcast that can no longer be sent (a sender ID or a
// template went away after launch) with the reason.
func (w *worker) fail(ctx context.Context, err error) {
	if herald.ErrorCode(err) != herald.EINVALID {
		w.r.s.log.Error("preparing broadcast", "broadcast", w.b.ID, "err", err)
		sleep(ctx, time.Second)
		return
	}
	reason := failReason(err)
	b, err := w.r.s.store.ChangeBroadcast(ctx, w.b.AccountID, w.b.ID, store.BroadcastChange{
		From: []herald.BroadcastStatus{herald.BroadcastInProgress}, To: herald.BroadcastFailed, Finish: true, Abort: true,
		Reason: &reason, Action: "Broadcast failed"})
	if err != nil {
		w.r.s.log.Error("failing broadcast", "broadcast", w.b.ID, "err", err)
		return
	}
	w.r.s.prog.changed(b)
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
