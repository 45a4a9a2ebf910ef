package store

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
	"github.com/jackc/pgx/v5"
)

// copyRows inserts new contacts on PostgreSQL with COPY, in the
// transaction t.
func copyRows(ctx context.Context, t *tx, used []*attr, accountID int64, rows []herald.ImportRow) error {
	pt, ok := pgxTx(t)
	if !ok {
		return fmt.Errorf("inserting contacts: COPY needs a PostgreSQL transaction")
	}
	cols := []string{"account_id", "phone", "country", "email", "attrs", "created_at", "updated_at"}
	for _, a := range used {
		cols = append(cols, a.slot)
	}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(rows) {
			return nil, nil
		}
		r := rows[i]
		i++
		vals := []any{accountID, r.Phone, r.Country, r.Email, displayJSON(used, r), t.now, t.now}
		for _, a := range used {
			vals = append(vals, copySlot(a, r.Values[a.ID]))
		}
		return vals, nil
	})
	if _, err := pt.CopyFrom(ctx, pgx.Identifier{"contacts"}, cols, src); err != nil {
		return contactErr(err, "")
	}
	return nil
}

// copySlot is the slot value of v for COPY: nil, a string or a float64.
func copySlot(a *attr, v herald.Value) any {
	switch {
	case v.Display == "":
		return nil
	case a.Type.Textual():
		return v.Text
	}
	return v.Num
}

// pgxTx returns the pgx transaction under t, if it is one.
func pgxTx(t *tx) (pgx.Tx, bool) {
	q, ok := t.querier.(pgxQuerier)
	if !ok {
		return nil, false
	}
	pt, ok := q.c.(pgx.Tx)
	return pt, ok
}

// rawTx returns the driver transaction under t: a *sql.Tx on SQLite, a
// pgx.Tx on PostgreSQL, for River to enqueue jobs in.
func rawTx(t *tx) any {
	if pt, ok := pgxTx(t); ok {
		return pt
	}
	if q, ok := t.querier.(sqlQuerier); ok {
		return q.c
	}
	return nil
}
