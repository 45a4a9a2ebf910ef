package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// engine is a River client with its driver's transaction type erased.
type engine interface {
	start(ctx context.Context) error
	stop(ctx context.Context) error
	stopAndCancel(ctx context.Context) error
	insert(ctx context.Context, args JobArgs, opts *InsertOpts) (*rivertype.JobInsertResult, error)
	insertTx(ctx context.Context, tx any, args JobArgs, opts *InsertOpts) (*rivertype.JobInsertResult, error)
	cancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	get(ctx context.Context, id int64) (*rivertype.JobRow, error)
	migrate(ctx context.Context) error
}

// riverEngine implements engine for one driver.
type riverEngine[TTx any] struct {
	client *river.Client[TTx]
	driver riverdriver.Driver[TTx]
	logger *slog.Logger
	txType string // the transaction type EnqueueTx wants, for errors

	// lock, when set, serialises migrations across processes; it returns a
	// function that releases the lock.
	lock func(ctx context.Context) (unlock func(), err error)

	// cancelled, when set, runs after a job was marked cancelled.
	cancelled func(ctx context.Context, row *rivertype.JobRow) error
}

// newRiverEngine builds the River client for driver.
// The client logs through a quiet copy of cfg.Logger; the migrator, whose
// Info records say which migrations ran, through cfg.Logger itself.
func newRiverEngine[TTx any](driver riverdriver.Driver[TTx], cfg *river.Config, txType string) (*riverEngine[TTx], error) {
	logger := cfg.Logger
	cfg.Logger = quiet(logger)
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("creating river client: %w", err)
	}
	return &riverEngine[TTx]{client: client, driver: driver, logger: logger, txType: txType}, nil
}

func (e *riverEngine[TTx]) start(ctx context.Context) error { return e.client.Start(ctx) }

func (e *riverEngine[TTx]) stop(ctx context.Context) error { return e.client.Stop(ctx) }

func (e *riverEngine[TTx]) stopAndCancel(ctx context.Context) error {
	return e.client.StopAndCancel(ctx)
}

func (e *riverEngine[TTx]) insert(ctx context.Context, args JobArgs, opts *InsertOpts) (*rivertype.JobInsertResult, error) {
	return e.client.Insert(ctx, args, opts)
}

func (e *riverEngine[TTx]) insertTx(ctx context.Context, tx any, args JobArgs, opts *InsertOpts) (*rivertype.JobInsertResult, error) {
	t, ok := tx.(TTx)
	if !ok {
		return nil, fmt.Errorf("%w: got %T, want %s", ErrWrongTx, tx, e.txType)
	}
	return e.client.InsertTx(ctx, t, args, opts)
}

func (e *riverEngine[TTx]) cancel(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	row, err := e.client.JobCancel(ctx, id)
	if err != nil || e.cancelled == nil {
		return row, err
	}
	return row, e.cancelled(ctx, row)
}

func (e *riverEngine[TTx]) get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return e.client.JobGet(ctx, id)
}

func (e *riverEngine[TTx]) migrate(ctx context.Context) error {
	if e.lock != nil {
		unlock, err := e.lock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	m, err := rivermigrate.New(e.driver, &rivermigrate.Config{Logger: e.logger})
	if err != nil {
		return fmt.Errorf("creating river migrator: %w", err)
	}
	// The migrator logs each migration it applies.
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("applying river migrations: %w", err)
	}
	return nil
}
