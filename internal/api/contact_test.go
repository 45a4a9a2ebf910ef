package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/api"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/jobs"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// queue is a job queue that keeps the import jobs it is given.
type queue struct{ ids []int64 }

func (q *queue) EnqueueTx(_ context.Context, tx any, args jobs.JobArgs, _ *jobs.InsertOpts) (int64, error) {
	if tx == nil {
		return 0, fmt.Errorf("no transaction")
	}
	q.ids = append(q.ids, args.(importer.JobArgs).ImportID)
	return int64(len(q.ids)), nil
}

// TestContactsAPI runs the recipients scope's scenarios on both engines.
func TestContactsAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		q := &queue{}
		f.srv = httptest.NewServer(api.New(api.Deps{Store: s, Auth: f.auth, Clock: herald.SystemClock{},
			Log: slog.New(slog.DiscardHandler), Imports: &importer.Service{Store: s, Jobs: q}}))
		t.Cleanup(f.srv.Close)
		t.Run("contacts", f.testContacts)
		t.Run("attributes and targets", f.testTargets)
		t.Run("mass edit and bulk", f.testMass)
		t.Run("opt-out words", f.testOptOutWords)
		t.Run("import", func(t *testing.T) { f.testImport(t, s, q) })
	})
}

func (f *fixture) testContacts(t *testing.T) {
	f.t = t
	var c struct {
		herald.Contact
		OptOuts []herald.OptOut `json:"optOuts"`
	}
	r := f.want(f.do("POST", "/api/v1/contacts", f.keyA, map[string]any{"phone": "0034 600 111 222", "email": "Luz@Example.com",
		"attributes": map[string]string{"Name": "Luz"}, "tags": []string{"VIP"}, "identities": map[string]string{"telegram": "77"}},
		"Idempotency-Key", "c-1"), 201)
	r.json(t, &c)
	if c.Phone != "+34600111222" || c.Country != "ES" || c.Email != "luz@example.com" || c.Attributes["Name"] != "Luz" || len(c.OptOuts) != 0 {
		t.Fatalf("created contact = %+v", c)
	}
	again := f.want(f.do("POST", "/api/v1/contacts", f.keyA, map[string]any{"phone": "0034 600 111 222", "email": "Luz@Example.com",
		"attributes": map[string]string{"Name": "Luz"}, "tags": []string{"VIP"}, "identities": map[string]string{"telegram": "77"}},
		"Idempotency-Key", "c-1"), 201)
	if again.header.Get("Idempotent-Replayed") != "true" {
		t.Error("the create was not replayed")
	}
	p := f.want(f.do("POST", "/api/v1/contacts", f.keyA, map[string]any{"phone": "+34 600 111 222"}), 422).problem(t)
	if v, ok := p.violation("phone"); !ok || v.Code != herald.VTaken {
		t.Errorf("duplicate phone: %+v", p.Violations)
	}
	p = f.want(f.do("POST", "/api/v1/contacts", f.keyA, map[string]any{"phone": "12", "attributes": map[string]string{"Shoe": "4"}}), 422).problem(t)
	if _, ok := p.violation("phone"); !ok {
		t.Errorf("bad phone: %+v", p.Violations)
	}
	if _, ok := p.violation("attributes.Shoe"); !ok {
		t.Errorf("unknown attribute: %+v", p.Violations)
	}
	path := fmt.Sprintf("/api/v1/contacts/%d", c.ID)
	f.want(f.do("PATCH", path, f.keyA, map[string]any{"attributes": map[string]string{"Surname": "Vega"}}), 200).json(t, &c)
	if c.Attributes["Name"] != "Luz" || c.Attributes["Surname"] != "Vega" {
		t.Errorf("patched attributes = %v", c.Attributes)
	}
	f.want(f.do("POST", path+"/optouts", f.keyA, map[string]any{"channel": "sms", "senderId": "Bottle"}), 201).json(t, &c)
	if len(c.OptOuts) != 1 || c.OptOuts[0].By != "api" || c.OptOuts[0].SenderID != "Bottle" {
		t.Errorf("opt-outs = %+v", c.OptOuts)
	}
	var list struct {
		Items []herald.Contact `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/contacts?f.optOut=eq:sms&f.tags=vip", f.keyA, nil), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != c.ID {
		t.Errorf("filtered list = %+v", list.Items)
	}
	f.want(f.do("DELETE", path+"/optouts?channel=sms&senderId=Bottle", f.keyA, nil), 200).json(t, &c)
	if len(c.OptOuts) != 0 {
		t.Errorf("opt-outs after removal = %+v", c.OptOuts)
	}
	// Another account's contact does not exist for B.
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		var body any
		if m == "PATCH" {
			body = map[string]any{"email": "x@example.com"}
		}
		f.want(f.do(m, path, f.keyB, body), 404)
	}
	f.want(f.do("POST", path+"/optouts", f.keyB, map[string]any{"channel": "sms"}), 404)
	f.want(f.do("GET", "/api/v1/contacts?f.shoe=1", f.keyA, nil), 422)
	recipients := f.key(f.accA.ID, "rcpt", herald.ScopeRecipients)
	admin := f.key(f.accA.ID, "adm", herald.ScopeAdmin)
	f.want(f.do("GET", path, recipients, nil), 200)
	f.want(f.do("GET", path, admin, nil), 403)
	f.want(f.do("DELETE", path, f.keyA, nil), 204)
	f.want(f.do("GET", path, f.keyA, nil), 404)
}

func (f *fixture) testTargets(t *testing.T) {
	f.t = t
	var city, age herald.Attribute
	f.want(f.do("POST", "/api/v1/attributes", f.keyA, map[string]any{"name": "City", "type": "text"}), 201).json(t, &city)
	f.want(f.do("POST", "/api/v1/attributes", f.keyA, map[string]any{"name": "Age", "type": "number", "showInProfile": true}), 201).json(t, &age)
	p := f.want(f.do("POST", "/api/v1/attributes", f.keyA, map[string]any{"name": "city", "type": "colour"}), 422).problem(t)
	if _, ok := p.violation("type"); !ok {
		t.Errorf("bad type: %+v", p.Violations)
	}
	p = f.want(f.do("POST", "/api/v1/attributes", f.keyA, map[string]any{"name": "CITY", "type": "text"}), 422).problem(t)
	if v, ok := p.violation("name"); !ok || v.Code != herald.VTaken {
		t.Errorf("taken name: %+v", p.Violations)
	}
	for i, a := range []string{"17", "20", "30"} {
		f.want(f.do("POST", "/api/v1/contacts", f.keyA, map[string]any{"phone": fmt.Sprintf("+3460022200%d", i),
			"attributes": map[string]string{"City": "Madrid", "Age": a}}), 201)
	}
	var tg herald.Target
	f.want(f.do("POST", "/api/v1/targets", f.keyA, map[string]any{"name": "Young in Madrid", "filters": []map[string]string{
		{"field": city.ColumnKey(), "op": "eq", "value": "madrid"}, {"field": age.ColumnKey(), "op": "range", "min": "18", "max": "25"}}}), 201).json(t, &tg)
	var cnt struct {
		Count int `json:"count"`
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/targets/%d/count", tg.ID), f.keyA, nil), 200).json(t, &cnt)
	if cnt.Count != 1 {
		t.Errorf("target count = %d; want 1", cnt.Count)
	}
	f.want(f.do("GET", "/api/v1/contacts/count?f."+city.ColumnKey()+"=eq:MADRID", f.keyA, nil), 200).json(t, &cnt)
	if cnt.Count != 3 {
		t.Errorf("contacts in Madrid = %d", cnt.Count)
	}
	p = f.want(f.do("POST", "/api/v1/targets", f.keyA, map[string]any{"name": "", "filters": []map[string]string{{"field": "shoe", "op": "eq"}}}), 422).problem(t)
	if _, ok := p.violation("filters.shoe"); !ok {
		t.Errorf("target violations = %+v", p.Violations)
	}
	var dup herald.Target
	f.want(f.do("POST", fmt.Sprintf("/api/v1/targets/%d/duplicate", tg.ID), f.keyA, nil), 201).json(t, &dup)
	if dup.Name != "Young in Madrid (copy)" || len(dup.Filters) != 2 {
		t.Errorf("duplicate = %+v", dup)
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/targets/%d/count", tg.ID), f.keyB, nil), 404)
	f.want(f.do("DELETE", fmt.Sprintf("/api/v1/attributes/%d", age.ID), f.keyA, nil), 204)
	f.want(f.do("GET", fmt.Sprintf("/api/v1/targets/%d", tg.ID), f.keyA, nil), 200).json(t, &tg)
	if len(tg.Filters) != 1 {
		t.Errorf("target filters after the attribute went = %+v", tg.Filters)
	}
}

func (f *fixture) testMass(t *testing.T) {
	f.t = t
	var res herald.BulkResult
	f.want(f.do("POST", "/api/v1/contacts/bulk", f.keyB, map[string]any{"policy": "enrich", "contacts": []map[string]any{
		{"phone": "+905321234567", "attributes": map[string]string{"Name": "Ayşe"}}, {"phone": "+905321234568"}, {"phone": "nope"}}}), 200).json(t, &res)
	if res.Created != 2 || len(res.Errors) != 1 || res.Errors[0].Index != 2 {
		t.Fatalf("bulk = %+v", res)
	}
	var n struct {
		Count int `json:"count"`
	}
	sel := map[string]any{"all": true, "filters": []map[string]string{{"field": "country", "op": "eq", "value": "TR"}}}
	f.want(f.do("POST", "/api/v1/contacts/edit", f.keyB, map[string]any{"selection": sel, "edit": map[string]any{"addTags": []string{"Türkiye"}}}), 200).json(t, &n)
	if n.Count != 2 {
		t.Errorf("edited %d", n.Count)
	}
	p := f.want(f.do("POST", "/api/v1/contacts/delete", f.keyB, map[string]any{"selection": sel}), 403).problem(t)
	if !strings.Contains(p.Detail, "every contact") {
		t.Errorf("delete all: %+v", p)
	}
	var tags struct {
		Items []herald.Tag `json:"items"`
	}
	f.want(f.do("GET", "/api/v1/tags", f.keyB, nil), 200).json(t, &tags)
	if len(tags.Items) != 1 || tags.Items[0].Contacts != 2 {
		t.Errorf("tags = %+v", tags.Items)
	}
}

func (f *fixture) testOptOutWords(t *testing.T) {
	f.t = t
	acc := *f.accA
	acc.TimeZone = "Europe/Madrid"
	if err := f.store.UpdateAccount(context.Background(), &acc); err != nil {
		t.Fatal(err)
	}
	var w herald.OptOutWord
	f.want(f.do("POST", "/api/v1/optout-words", f.keyA, map[string]any{"word": "STOP", "channel": "whatsapp", "effectiveFrom": "2026-05-20T00:00",
		"effectiveTill": "2026-09-30"}), 201).json(t, &w)
	if w.From == nil || w.From.Format("2006-01-02T15:04Z07:00") != "2026-05-19T22:00Z" || w.Channel != herald.ChannelWhatsApp {
		t.Errorf("word = %+v (from %v); want from 2026-05-19T22:00Z, the Madrid midnight", w, w.From)
	}
	p := f.want(f.do("POST", "/api/v1/optout-words", f.keyA, map[string]any{"word": "", "channel": "pigeon", "effectiveFrom": "soon"}), 422).problem(t)
	for _, field := range []string{"channel", "effectiveFrom"} {
		if _, ok := p.violation(field); !ok {
			t.Errorf("no violation of %s: %+v", field, p.Violations)
		}
	}
	f.want(f.do("GET", fmt.Sprintf("/api/v1/optout-words/%d", w.ID), f.keyB, nil), 404)
	f.want(f.do("PATCH", fmt.Sprintf("/api/v1/optout-words/%d", w.ID), f.keyA, map[string]any{"effectiveTill": ""}), 200).json(t, &w)
	if w.Till != nil {
		t.Errorf("till = %v; want cleared", w.Till)
	}
}

// upload posts a file as multipart, with an Idempotency-Key when one is
// given.
func (f *fixture) upload(key, name string, data []byte, idem ...string) response {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-API-Key", key)
	if len(idem) > 0 {
		req.Header.Set("Idempotency-Key", idem[0])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (f *fixture) testImport(t *testing.T, s *store.Store, q *queue) {
	f.t = t
	csv := "Telefono;Name;Surname\r\n34600333001;Begoña;Núñez\r\n12;Bad;Row\r\n+34 600 333 003;İsmail;Güneş\r\n"
	var im herald.Import
	f.want(f.upload(f.keyA, "people.csv", []byte(csv)), 201).json(t, &im)
	if im.Format != "csv" || im.Delimiter != ";" || im.Encoding != "utf-8" || im.Status != herald.ImportUploaded {
		t.Fatalf("uploaded = %+v", im)
	}
	// An upload repeated with its Idempotency-Key (a retry after a lost
	// answer) is answered with the first import, not a second one.
	var first, again herald.Import
	f.want(f.upload(f.keyA, "retry.csv", []byte(csv), "upload-1"), 201).json(t, &first)
	res := f.want(f.upload(f.keyA, "retry.csv", []byte(csv), "upload-1"), 201)
	res.json(t, &again)
	if again.ID != first.ID || res.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("repeated upload = import %d (replayed %q); want import %d again", again.ID, res.header.Get("Idempotent-Replayed"), first.ID)
	}
	p := f.want(f.upload(f.keyA, "x.bin", []byte("\x00\x01\x02\x03\x00binary")), 422).problem(t)
	if v, ok := p.violation("file"); !ok || !strings.Contains(v.Message, "not a CSV") {
		t.Errorf("binary upload: %+v", p)
	}
	path := fmt.Sprintf("/api/v1/imports/%d", im.ID)
	f.want(f.do("PATCH", path, f.keyA, map[string]any{"firstRow": 2, "policy": "enrich", "tag": "Spring"}), 200)
	var pv struct {
		Rows      [][]string             `json:"rows"`
		Columns   []string               `json:"columns"`
		Suggested []herald.ColumnMapping `json:"suggested"`
	}
	f.want(f.do("GET", path+"/preview", f.keyA, nil), 200).json(t, &pv)
	if len(pv.Rows) != 4 || pv.Rows[1][1] != "Begoña" || strings.Join(pv.Columns, "") != "ABC" || pv.Suggested[0].Field != "phone" {
		t.Fatalf("preview = %+v", pv)
	}
	p = f.want(f.do("POST", path+"/start", f.keyA, nil), 422).problem(t)
	if v, ok := p.violation("mapping"); !ok || v.Code != herald.VRequired {
		t.Errorf("start without a phone column: %+v", p.Violations)
	}
	f.want(f.do("PATCH", path, f.keyA, map[string]any{"mapping": pv.Suggested}), 200)
	var chk struct {
		Rows []struct {
			Row   int    `json:"row"`
			Error string `json:"error"`
		} `json:"rows"`
	}
	f.want(f.do("GET", path+"/check", f.keyA, nil), 200).json(t, &chk)
	if len(chk.Rows) != 3 || chk.Rows[1].Row != 3 || chk.Rows[1].Error == "" || chk.Rows[0].Error != "" {
		t.Fatalf("check = %+v", chk)
	}
	f.want(f.do("GET", path, f.keyB, nil), 404)
	f.want(f.do("POST", path+"/start", f.keyB, nil), 404)
	f.want(f.do("POST", path+"/start", f.keyA, nil), 202)
	f.want(f.do("POST", path+"/start", f.keyA, nil), 409)
	if len(q.ids) != 1 || q.ids[0] != im.ID {
		t.Fatalf("queued jobs = %v", q.ids)
	}
	if _, err := importer.Run(context.Background(), s, im.ID, 100); err != nil {
		t.Fatal(err)
	}
	f.want(f.do("GET", path, f.keyA, nil), 200).json(t, &im)
	if im.Status != herald.ImportDone || im.Imported != 2 || im.Failed != 1 || im.RowsDone != 3 {
		t.Fatalf("finished = %+v", im)
	}
	r := f.want(f.do("GET", path+"/failures", f.keyA, nil), 200)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(string(r.body), "3,") || !strings.Contains(string(r.body), "Bad") {
		t.Errorf("failures = %q", r.body)
	}
}
