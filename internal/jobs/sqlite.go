package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// controlTopic and cancelPayload mirror River's job control notification,
// which its PostgreSQL drivers send from the JobCancel query itself.
const controlTopic = "river_control"

type cancelPayload struct {
	Action string `json:"action"`
	JobID  int64  `json:"job_id"`
	Queue  string `json:"queue"`
}

// newSQLiteEngine returns the engine on Herald's SQLite writer db.
//
// River on SQLite does not need poll-only mode: riversqlite emulates
// LISTEN/NOTIFY with the river_notification outbox, polled every 50 ms through
// db, which announces inserted jobs and leadership changes. No separate schema
// or table prefix is needed: River's tables all start with "river_". db
// should have a single connection, as River's driver advises.
func newSQLiteEngine(db *sql.DB, rc *river.Config) (engine, error) {
	if db == nil {
		return nil, errors.New("engine sqlite needs Config.SQLite")
	}
	driver := riversqlite.New(db)
	e, err := newRiverEngine(driver, rc, "*sql.Tx")
	if err != nil {
		return nil, err
	}
	e.cancelled = func(ctx context.Context, row *rivertype.JobRow) error {
		return notifyCancel(ctx, driver.GetExecutor(), row)
	}
	return e, nil
}

// notifyCancel tells the process running row that it was cancelled.
//
// River v0.47.0's SQLite JobCancel marks a running job but sends no control
// notification (and with a listener-capable driver the client does not
// signal its own producers either), so the job's context would never be
// cancelled. Sending the notification River's PostgreSQL query sends fixes
// that; TestCancelledJob/sqlite/running guards it.
func notifyCancel(ctx context.Context, exec riverdriver.Executor, row *rivertype.JobRow) error {
	if row.State != rivertype.JobStateRunning {
		return nil
	}
	payload, err := json.Marshal(cancelPayload{Action: "cancel", JobID: row.ID, Queue: row.Queue})
	if err != nil {
		return fmt.Errorf("encoding cancel notification: %w", err)
	}
	err = exec.NotifyMany(ctx, &riverdriver.NotifyManyParams{Topic: controlTopic, Payload: []string{string(payload)}})
	if err != nil {
		return fmt.Errorf("notifying cancellation: %w", err)
	}
	return nil
}
