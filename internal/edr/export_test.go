package edr

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sheet"
)

// generated is a Source of n synthetic messages made on the fly, so the
// test itself holds no rows.
func generated(n int) Source {
	base := time.Date(2024, 11, 17, 20, 59, 3, 0, time.UTC)
	return func(ctx context.Context, fn func(*herald.Message) error) error {
		var m herald.Message
		for i := range n {
			at := base.Add(time.Duration(i) * time.Second)
			sent := at.Add(time.Second)
			m = herald.Message{ID: fmt.Sprintf("01933b7e-269c-7f00-8000-%012d", i), Direction: herald.MT,
				Channel: herald.ChannelSMS, SenderID: "sandbox", Destination: "+4915112345678",
				Status: herald.StatusUndelivered, AcceptedAt: at, SentAt: &sent, Segments: 1}
			if i%2 == 0 {
				m.Status, m.DeliveredAt = herald.StatusDelivered, &sent
			}
			if err := fn(&m); err != nil {
				return err
			}
		}
		return nil
	}
}

// The streaming of large exports is internal/sheet's, tested there; these
// check the EDR columns in both formats.

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, sheet.FormatCSV, time.UTC, generated(1000)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 1001 {
		t.Fatalf("%d rows, %v; want a header and 1,000", len(rows), err)
	}
	head, row := rows[0], rows[1]
	if got, want := head[0]+"|"+head[8]+"|"+head[11], "Time|MDN Status|Delivered"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	if got, want := row[0]+"|"+row[1]+"|"+row[7]+"|"+row[8]+"|"+row[10]+"|"+row[11], "17.11.2024 20:59:03|17.11.2024 20:59:04|MT|DELIVRD|true|true"; got != want {
		t.Errorf("first row = %q, want %q", got, want)
	}
	if row := rows[2]; row[8] != "UNDELIV" || row[11] != "false" {
		t.Errorf("second row = %q, want undelivered", row)
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
	rows, err := f.GetRows("EDRs")
	if err != nil || len(rows) != 1001 {
		t.Fatalf("%d rows, %v; want a header and 1,000", len(rows), err)
	}
	if want := fmt.Sprintf("01933b7e-269c-7f00-8000-%012d", 999); len(rows[1000]) < 5 || rows[1000][4] != want {
		t.Errorf("last row = %q, want message ID %s", rows[1000], want)
	}
}

func TestRecordMO(t *testing.T) {
	m := &herald.Message{ID: "x", Direction: herald.MO, Channel: herald.ChannelSMS, Status: herald.StatusReceived,
		Error: "=cmd", AcceptedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	row := sheet.Defuse(sheet.Record(Fields(), m, time.UTC, nil))
	got := row[7] + "|" + row[8] + "|" + row[9] + "|" + row[10] + "|" + row[11]
	if want := "MO||'=cmd|true|true"; got != want {
		t.Errorf("MO record = %q, want %q", got, want)
	}
	if got := strconv.Itoa(len(sheet.Header(Fields()))); got != strconv.Itoa(len(ListColumns())) {
		t.Errorf("header and list columns differ")
	}
}
