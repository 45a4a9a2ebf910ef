package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// TestEDRAPI runs the EDR scenarios on both engines: messages sent through
// the API show up as EDRs, in the list and in both export formats.
func TestEDRAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newMessagingFixture(t, s)
		f.t = t
		var ids []string
		for _, to := range []string{"+34600111001", "+34600111002"} {
			body := map[string]any{"contact": to, "channel": 1, "senderId": "sandbox", "payload": map[string]string{"text": "EDR test"}}
			var m message
			f.want(f.do("POST", "/api/v1/messages", f.keyA, body), http.StatusAccepted).json(t, &m)
			f.waitMessage(t, m.ID, "delivered")
			ids = append(ids, m.ID)
		}
		t.Run("list", func(t *testing.T) { f.testEDRList(t, ids) })
		t.Run("csv", func(t *testing.T) { f.testEDRCSV(t, ids) })
		t.Run("xlsx", func(t *testing.T) { f.testEDRXLSX(t, ids) })
		t.Run("bad input", f.testEDRBadInput)
	})
}

// edrList is the answer of GET /edrs.
type edrList struct {
	Items []map[string]string `json:"items"`
	Next  string              `json:"next"`
}

func (f *messagingFixture) testEDRList(t *testing.T, ids []string) {
	f.t = t
	var l edrList
	f.want(f.do("GET", "/api/v1/edrs?limit=1&sort=acceptedAt", f.keyA, nil), http.StatusOK).json(t, &l)
	if len(l.Items) != 1 || l.Next == "" {
		t.Fatalf("first page = %+v; want one item and a next cursor", l)
	}
	first := l.Items[0]
	if first["id"] != ids[0] || first["direction"] != "MT" || first["status"] != "DELIVRD" ||
		first["delivered"] != "true" || first["senderId"] != "sandbox" || first["channel"] == "" {
		t.Errorf("first EDR = %v", first)
	}
	f.want(f.do("GET", "/api/v1/edrs?limit=1&sort=acceptedAt&cursor="+l.Next, f.keyA, nil), http.StatusOK).json(t, &l)
	if len(l.Items) != 1 || l.Items[0]["id"] != ids[1] {
		t.Errorf("second page = %+v; want %s", l, ids[1])
	}
	// Filters are the portal's: the destination of the second message.
	f.want(f.do("GET", "/api/v1/edrs?f.destination=%2B34600111002", f.keyA, nil), http.StatusOK).json(t, &l)
	if len(l.Items) != 1 || l.Items[0]["id"] != ids[1] {
		t.Errorf("filtered = %+v; want only %s", l, ids[1])
	}
	// Another account sees none of them.
	f.want(f.do("GET", "/api/v1/edrs", f.keyB, nil), http.StatusOK).json(t, &l)
	if len(l.Items) != 0 {
		t.Errorf("account B sees %d EDRs; want 0", len(l.Items))
	}
}

func (f *messagingFixture) testEDRCSV(t *testing.T, ids []string) {
	f.t = t
	r := f.want(f.do("GET", "/api/v1/edrs/export?format=csv&sort=acceptedAt", f.keyA, nil), http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, `.csv"`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("reading CSV: %v\n%s", err, r.body)
	}
	if len(rows) != 3 || rows[0][0] != "Time" || rows[0][4] != "Message ID" {
		t.Fatalf("CSV = %q; want a header and 2 rows", rows)
	}
	for i, id := range ids {
		if rows[i+1][4] != id || rows[i+1][7] != "MT" || rows[i+1][8] != "DELIVRD" {
			t.Errorf("row %d = %q; want message %s, MT, DELIVRD", i+1, rows[i+1], id)
		}
	}
	// Account B's export has the header only.
	r = f.want(f.do("GET", "/api/v1/edrs/export", f.keyB, nil), http.StatusOK)
	if rows, _ := csv.NewReader(bytes.NewReader(r.body)).ReadAll(); len(rows) != 1 {
		t.Errorf("account B's CSV has %d rows; want the header only", len(rows))
	}
}

func (f *messagingFixture) testEDRXLSX(t *testing.T, ids []string) {
	f.t = t
	r := f.want(f.do("GET", "/api/v1/edrs/export?format=xlsx&sort=acceptedAt", f.keyA, nil), http.StatusOK)
	x, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("opening XLSX: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows("EDRs")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][4] != ids[0] || rows[2][4] != ids[1] {
		t.Errorf("XLSX rows = %q", rows)
	}
}

func (f *messagingFixture) testEDRBadInput(t *testing.T) {
	f.t = t
	p := f.want(f.do("GET", "/api/v1/edrs/export?format=pdf", f.keyA, nil), http.StatusUnprocessableEntity).problem(t)
	if _, ok := p.violation("format"); !ok {
		t.Errorf("violations = %+v; want format", p.Violations)
	}
	f.want(f.do("GET", "/api/v1/edrs?f.nope=1", f.keyA, nil), http.StatusUnprocessableEntity)
	// The omni-api scope is required.
	key := f.key(f.accA.ID, "admin only", herald.ScopeAdmin)
	f.want(f.do("GET", "/api/v1/edrs", key, nil), http.StatusForbidden)
	f.want(f.do("GET", "/api/v1/edrs/export", key, nil), http.StatusForbidden)
}
