package outcome

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sheet"
)

// generated is a Source of n synthetic recipients made on the fly, so the
// test itself holds no rows: a quarter each successful, unsuccessful on
// the second step, in progress and not initiated.
func generated(n int) Source {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	return func(ctx context.Context, fn func(*herald.BroadcastRecipient) error) error {
		var x herald.BroadcastRecipient
		for i := range n {
			x = herald.BroadcastRecipient{Seq: int64(i + 1), ContactID: int64(i + 1), Phone: fmt.Sprintf("+34600%06d", i),
				State: herald.RecipientInitiated, ChainID: fmt.Sprintf("chain-%d", i), Channel: herald.ChannelSMS,
				MessageID: fmt.Sprintf("01933b7e-269c-7f00-8000-%012d", i), Status: herald.StatusDelivered, Outcome: herald.ChainSucceeded, UpdatedAt: &at}
			switch i % 4 {
			case 1:
				x.Step, x.Channel, x.Status, x.Outcome = 1, herald.ChannelViber, herald.StatusExpired, herald.ChainFailed
			case 2:
				x.Status, x.Outcome = herald.StatusSent, herald.ChainRunning
			case 3:
				x = herald.BroadcastRecipient{Seq: int64(i + 1), Phone: fmt.Sprintf("+34600%06d", i), State: herald.RecipientPending}
			}
			x.Result = herald.ResultOf(&x)
			if err := fn(&x); err != nil {
				return err
			}
		}
		return nil
	}
}

// want is the first four rows' phone, outcome, step, channel, status and
// time (the streaming itself is internal/sheet's, tested there).
var want = []string{"+34600000000|Successful|1|SMS|delivered|01.03.2026 09:30:00", "+34600000001|Unsuccessful|2|Viber|expired|01.03.2026 09:30:00",
	"+34600000002|In progress|1|SMS|sent|01.03.2026 09:30:00", "+34600000003|Not initiated||||"}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, sheet.FormatCSV, time.UTC, generated(1000)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 1001 {
		t.Fatalf("%d rows, %v; want a header and 1,000", len(rows), err)
	}
	if got, want := rows[0][1]+"|"+rows[0][4]+"|"+rows[0][5]+"|"+rows[0][6]+"|"+rows[0][8], "Phone number|Chain outcome|Step|Channel|Time"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	for i, row := range rows[1:5] {
		if got := row[1] + "|" + row[4] + "|" + row[5] + "|" + row[6] + "|" + row[7] + "|" + row[8]; got != want[i] {
			t.Errorf("row %d = %q, want %q", i+1, got, want[i])
		}
	}
}

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, sheet.FormatXLSX, time.UTC, generated(1000)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("Contacts")
	if err != nil || len(rows) != 1001 {
		t.Fatalf("%d rows, %v; want a header and 1,000", len(rows), err)
	}
	for i, row := range rows[1:5] {
		row = append(row, make([]string, 9)...) // trailing empty cells are not stored
		if got := row[1] + "|" + row[4] + "|" + row[5] + "|" + row[6] + "|" + row[7] + "|" + row[8]; got != want[i] {
			t.Errorf("row %d = %q, want %q", i+1, got, want[i])
		}
	}
	if last := rows[1000]; last[1] != fmt.Sprintf("+34600%06d", 999) || last[4] != "Not initiated" {
		t.Errorf("last row = %q", last)
	}
}
