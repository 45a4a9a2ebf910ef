package importer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// fixture is an account with City, Gender and Age attributes.
type fixture struct {
	s     *store.Store
	ctx   context.Context
	acc   *herald.Account
	attrs map[string]herald.Attribute
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	ctx := herald.WithActor(context.Background(), herald.Actor{Login: "tester"})
	acc := &herald.Account{Name: "Acme", TimeZone: "Europe/Madrid"}
	if err := s.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, ctx: ctx, acc: acc, attrs: map[string]herald.Attribute{}}
	for _, a := range []herald.Attribute{{Name: "City", Type: herald.AttrText}, {Name: "Gender", Type: herald.AttrList, Options: []string{"female", "male"}},
		{Name: "Age", Type: herald.AttrNumber}} {
		a.AccountID = acc.ID
		if err := s.CreateAttribute(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Attributes(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		f.attrs[a.Name] = a
	}
	return f
}

// upload stores data as an import with the mapping of the header
// phone,name,surname,city,gender,age,email starting at row 2.
func (f *fixture) upload(t *testing.T, name string, data []byte, policy herald.DuplicatePolicy) *herald.Import {
	t.Helper()
	svc := &importer.Service{Store: f.s}
	im, err := svc.Upload(f.ctx, f.acc.ID, name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	im.FirstRow, im.Policy, im.Tag = 2, policy, "Imported"
	im.Mapping = []herald.ColumnMapping{{Column: 0, Field: "phone"}, {Column: 1, Field: f.attrs["Name"].ColumnKey()},
		{Column: 2, Field: f.attrs["Surname"].ColumnKey()}, {Column: 3, Field: f.attrs["City"].ColumnKey()},
		{Column: 4, Field: f.attrs["Gender"].ColumnKey()}, {Column: 5, Field: f.attrs["Age"].ColumnKey()}, {Column: 6, Field: "email"}}
	if err := f.s.UpdateImportSettings(f.ctx, im); err != nil {
		t.Fatal(err)
	}
	started, err := f.s.StartImport(f.ctx, f.acc.ID, im.ID, func(context.Context, any) error { return nil })
	if err != nil {
		t.Fatalf("StartImport: %v", err)
	}
	return started
}

// csvFile makes n good rows and a few bad ones (rows 5 and 9 of the file).
func csvFile(n int) []byte {
	var b strings.Builder
	b.WriteString("phone,name,surname,city,gender,age,email\n")
	for i := 0; i < n; i++ {
		switch i {
		case 3:
			b.WriteString("12,Bad,Phone,Madrid,female,20,\n")
		case 7:
			b.WriteString(fmt.Sprintf("+3460100%04d,Bad,Age,Madrid,other,old,x@\n", i))
		default:
			b.WriteString(fmt.Sprintf("+3460100%04d,Name%d,Surname%d,Madrid,female,%d,u%d@example.com\n", i, i, i, 18+i%10, i))
		}
	}
	return []byte(b.String())
}

// crashing is a store whose ApplyImportBatch fails once after commit
// number after, as a process killed between committing a batch and
// going on would.
type crashing struct {
	*store.Store
	after   int
	applied int
}

func (c *crashing) ApplyImportBatch(ctx context.Context, id int64, b herald.ImportBatch) (*herald.Import, error) {
	im, err := c.Store.ApplyImportBatch(ctx, id, b)
	c.applied++
	if err == nil && c.applied == c.after {
		return im, errors.New("killed")
	}
	return im, err
}

// TestRunResumes interrupts an import after its second batch and runs it
// again: every row is applied exactly once, bad rows are reported with
// their numbers, and the tag goes to every imported contact.
func TestRunResumes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		im := f.upload(t, "contacts.csv", csvFile(25), herald.DupSkip)
		if im.Format != herald.FormatCSV || im.Delimiter != "," || im.Status != herald.ImportQueued {
			t.Fatalf("uploaded import = %+v", im)
		}
		_, err := importer.Run(f.ctx, &crashing{Store: s, after: 2}, im.ID, 10)
		if err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("first run: %v; want the crash", err)
		}
		mid, _ := s.Import(f.ctx, f.acc.ID, im.ID)
		if mid.RowsDone != 20 || mid.Status != herald.ImportRunning {
			t.Fatalf("after the crash: rowsDone %d, status %s; want 20, running", mid.RowsDone, mid.Status)
		}
		// The batch a restart reads again is ignored if it was applied.
		if again, err := s.ApplyImportBatch(f.ctx, im.ID, herald.ImportBatch{From: 10, RowsDone: 20, Rows: []herald.ImportRow{{Row: 2, Phone: "+34601009999"}}}); err != nil || again.Imported != mid.Imported {
			t.Fatalf("re-applied batch: %+v %v", again, err)
		}
		// A run that started from an older checkpoint cannot apply rows again.
		_, err = s.ApplyImportBatch(f.ctx, im.ID, herald.ImportBatch{From: 10, RowsDone: 25, Rows: []herald.ImportRow{{Row: 12, Phone: "+34601009999"}}})
		if herald.ErrorCode(err) != herald.ECONFLICT {
			t.Fatalf("overlapping batch: %v; want a conflict", err)
		}
		done, err := importer.Run(f.ctx, s, im.ID, 10)
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if done.Status != herald.ImportDone || done.Imported != 23 || done.Failed != 2 || done.Skipped != 0 || done.RowsDone != 25 {
			t.Fatalf("finished import = %+v; want done, 23 imported, 2 failed, none skipped", done)
		}
		n, _ := s.CountContacts(f.ctx, f.acc.ID, []herald.Filter{{Field: "tags", Op: herald.OpEq, Value: "imported"}})
		if n != 23 {
			t.Errorf("tagged contacts = %d; want 23", n)
		}
		fails, err := s.ImportFailures(f.ctx, f.acc.ID, im.ID, 0, 10)
		if err != nil || len(fails) != 2 || fails[0].Row != 5 || fails[1].Row != 9 {
			t.Fatalf("failures = %+v, %v", fails, err)
		}
		for _, want := range []string{"Phone number (column 1) is not a valid number", "column 5: Gender must be one of", "column 6: Age: \"old\" is not a number", "-mail (column 7)"} {
			if !strings.Contains(fails[0].Reason+fails[1].Reason, want) {
				t.Errorf("reasons %q, %q lack %q", fails[0].Reason, fails[1].Reason, want)
			}
		}
		var report bytes.Buffer
		if err := (&importer.Service{Store: s}).WriteFailures(f.ctx, &report, f.acc.ID, im.ID); err != nil || !strings.Contains(report.String(), "9,") {
			t.Errorf("failed rows report: %q %v", report.String(), err)
		}
		// Running a finished import again does nothing.
		if again, err := importer.Run(f.ctx, s, im.ID, 10); err != nil || again.Imported != 23 {
			t.Errorf("run after done: %+v %v", again, err)
		}
	})
}

// TestRunEnrichXLSX imports a spreadsheet with Turkish and Spanish names
// over existing contacts with the enrich policy.
func TestRunEnrichXLSX(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		old := &herald.Contact{AccountID: f.acc.ID, Phone: "+34600111222", Attributes: map[string]string{"Name": "Lucía", "City": "Sevilla"}}
		if err := s.CreateContact(f.ctx, old); err != nil {
			t.Fatal(err)
		}
		x := excelize.NewFile()
		rows := [][]any{
			{"phone", "name", "surname", "city", "gender", "age", "email"},
			{34600111222, "Luz", "Vega López", "Madrid", "female", 22, "luz@example.com"},
			{905321234567, "Ayşe", "Yılmaz", "İstanbul", "female", 24, ""},
			{"+34 600 111 333", "Begoña", "Núñez", "Madrid", "female", 19, ""},
			{"garbage", "Çağrı", "Öztürk", "İzmir", "male", 30, ""},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			t.Fatal(err)
		}
		im := f.upload(t, "people.xlsx", buf.Bytes(), herald.DupEnrich)
		if im.Format != herald.FormatXLSX {
			t.Fatalf("format = %q", im.Format)
		}
		done, err := importer.Run(f.ctx, s, im.ID, 2)
		if err != nil || done.Imported != 2 || done.Updated != 1 || done.Failed != 1 {
			t.Fatalf("import = %+v, %v; want 2 imported, 1 updated, 1 failed", done, err)
		}
		c, _ := s.Contact(f.ctx, f.acc.ID, old.ID)
		want := map[string]string{"Name": "Lucía", "City": "Sevilla", "Surname": "Vega López", "Gender": "female", "Age": "22"}
		for k, v := range want {
			if c.Attributes[k] != v {
				t.Errorf("enriched %s = %q; want %q (all: %v)", k, c.Attributes[k], v, c.Attributes)
			}
		}
		if c.Email != "luz@example.com" {
			t.Errorf("email = %q", c.Email)
		}
		tr, err := s.ContactByAddress(f.ctx, f.acc.ID, herald.ChannelSMS, "+905321234567")
		if err != nil || tr.Attributes["Name"] != "Ayşe" || tr.Country != "TR" {
			t.Fatalf("Turkish contact = %+v, %v", tr, err)
		}
		n, err := s.CountContacts(f.ctx, f.acc.ID, []herald.Filter{{Field: f.attrs["City"].ColumnKey(), Op: herald.OpEq, Value: "ISTANBUL"}})
		if err != nil || n != 1 {
			t.Errorf("contacts in Istanbul = %d, %v", n, err)
		}
	})
}

// TestUploadLimits checks the upload's size limit and bad files.
func TestUploadLimits(t *testing.T) {
	s := storetest.OpenSQLite(t)
	f := newFixture(t, s)
	svc := &importer.Service{Store: s, MaxSize: 1 << 20}
	_, err := svc.Upload(f.ctx, f.acc.ID, "big.csv", io.LimitReader(zeros{}, 2<<20))
	if v := herald.ErrorViolations(err); len(v) != 1 || v[0].Field != "file" || !strings.Contains(v[0].Message, "larger than 1 MB") {
		t.Errorf("big upload: %v", err)
	}
	for name, data := range map[string]string{"empty.csv": "", "image.png": "\x89PNG\r\n\x1a\n\x00\x00\x00"} {
		_, err := svc.Upload(f.ctx, f.acc.ID, name, strings.NewReader(data))
		if herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// zeros reads zero bytes forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestRunSkipsExisting imports with the skip policy a file that repeats a
// number and has one the account has: both are skipped, the first
// occurrence wins, and the tag goes to every contact of the file.
func TestRunSkipsExisting(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		old := &herald.Contact{AccountID: f.acc.ID, Phone: "+34601000002", Attributes: map[string]string{"Name": "Old"}}
		if err := s.CreateContact(f.ctx, old); err != nil {
			t.Fatal(err)
		}
		data := "phone,name,surname,city,gender,age,email\n" +
			"+34601000001,Ana,,Madrid,female,20,\n" +
			"+34601000002,New,,Madrid,female,21,\n" +
			"+34601000003,Bea,,Sevilla,female,22,\n" +
			"34601000001,Again,,Bilbao,male,23,\n"
		im := f.upload(t, "skip.csv", []byte(data), herald.DupSkip)
		done, err := importer.Run(f.ctx, s, im.ID, 10)
		if err != nil || done.Imported != 2 || done.Skipped != 2 || done.Updated != 0 || done.Failed != 0 {
			t.Fatalf("import = %+v, %v; want 2 imported, 2 skipped", done, err)
		}
		for phone, name := range map[string]string{"+34601000001": "Ana", "+34601000002": "Old", "+34601000003": "Bea"} {
			c, err := s.ContactByAddress(f.ctx, f.acc.ID, herald.ChannelSMS, phone)
			if err != nil || c.Attributes["Name"] != name {
				t.Errorf("%s = %+v, %v; want %s", phone, c, err, name)
			}
		}
		n, _ := s.CountContacts(f.ctx, f.acc.ID, []herald.Filter{{Field: "tags", Op: herald.OpEq, Value: "imported"}})
		if n != 3 {
			t.Errorf("tagged contacts = %d; want 3", n)
		}
	})
}

// TestApplyStalePrepared applies a batch prepared before one of its
// attributes was removed and another took its slot: the store prepares it
// again and drops the removed attribute's values.
func TestApplyStalePrepared(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		im := f.upload(t, "stale.csv", csvFile(3), herald.DupSkip)
		if im, _ = s.BeginImportRun(f.ctx, im.ID); im.Status != herald.ImportRunning {
			t.Fatalf("import %+v not running", im)
		}
		city, age := f.attrs["City"], f.attrs["Age"]
		b := herald.ImportBatch{From: 0, RowsDone: 1, Rows: []herald.ImportRow{{Row: 2, Phone: "+34601000001", Country: "ES",
			Values: map[int64]herald.Value{city.ID: {Display: "Madrid", Text: "madrid"}, age.ID: {Display: "30", Num: 30}}}}}
		if err := s.PrepareImportBatch(f.ctx, im, &b); err != nil || b.Prepared == nil {
			t.Fatalf("PrepareImportBatch: %v", err)
		}
		if err := s.DeleteAttribute(f.ctx, f.acc.ID, city.ID); err != nil {
			t.Fatal(err)
		}
		town := &herald.Attribute{AccountID: f.acc.ID, Name: "Town", Type: herald.AttrText}
		if err := s.CreateAttribute(f.ctx, town); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApplyImportBatch(f.ctx, im.ID, b); err != nil {
			t.Fatalf("ApplyImportBatch: %v", err)
		}
		c, err := s.ContactByAddress(f.ctx, f.acc.ID, herald.ChannelSMS, "+34601000001")
		if err != nil || len(c.Attributes) != 1 || c.Attributes["Age"] != "30" {
			t.Errorf("contact = %+v, %v; want only Age 30", c, err)
		}
		n, err := s.CountContacts(f.ctx, f.acc.ID, []herald.Filter{{Field: town.ColumnKey(), Op: herald.OpNonEmpty}})
		if err != nil || n != 0 {
			t.Errorf("contacts with a town = %d, %v; want 0", n, err)
		}
	})
}

// watching is a store that calls each after every batch it applies; an
// error from each is returned as if the process died after the commit.
type watching struct {
	*store.Store
	each func(im *herald.Import) error
}

func (w *watching) ApplyImportBatch(ctx context.Context, id int64, b herald.ImportBatch) (*herald.Import, error) {
	im, err := w.Store.ApplyImportBatch(ctx, id, b)
	if err != nil {
		return im, err
	}
	return im, w.each(im)
}

// TestRunDefersIndexes imports a file of more batches than deferBatches
// into an empty table: the import defers the indexes it fills (City,
// Gender, Age, e-mail) and keeps the others. Meanwhile a target counts
// right and a contact created by the API with a number of a later batch
// is found as a duplicate. The run is killed once and resumed (after a
// restart's Migrate built the indexes again): every row is applied once,
// and the finished import leaves the indexes as the migration made them.
func TestRunDefersIndexes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		want := storetest.ContactIndexes(t, s)
		im := f.upload(t, "large.csv", csvFile(80), herald.DupSkip)
		city, gender, age := f.attrs["City"], f.attrs["Gender"], f.attrs["Age"]
		api := &herald.Contact{AccountID: f.acc.ID, Phone: "+34601000070", Attributes: map[string]string{"Name": "API"}}
		batches := 0
		during := func(*herald.Import) error {
			if batches++; batches == 3 {
				return errors.New("killed")
			} else if batches > 1 {
				return nil
			}
			got := storetest.ContactIndexes(t, s)
			if got["contacts_phone_key"] == "" || got["contacts_email_idx"] != "" || len(got) != len(want)-4 {
				t.Errorf("indexes during the import: %d of %d, phone %t, e-mail %t; want all but City's, Gender's, Age's and e-mail's",
					len(got), len(want), got["contacts_phone_key"] != "", got["contacts_email_idx"] != "")
			}
			if err := s.CreateContact(f.ctx, api); err != nil {
				t.Errorf("creating a contact during the import: %v", err)
			}
			n, err := s.CountContacts(f.ctx, f.acc.ID, []herald.Filter{{Field: gender.ColumnKey(), Op: herald.OpEq, Value: "female"},
				{Field: age.ColumnKey(), Op: herald.OpRange, Min: "18", Max: "19"}, {Field: city.ColumnKey(), Op: herald.OpEq, Value: "Madrid"}})
			if err != nil || n != 2 {
				t.Errorf("target count during the import = %d, %v; want 2", n, err)
			}
			return nil
		}
		if _, err := importer.Run(f.ctx, &watching{Store: s, each: during}, im.ID, 10); err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("first run: %v; want the crash", err)
		}
		if err := s.Migrate(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := storetest.ContactIndexes(t, s); len(got) != len(want) {
			t.Errorf("indexes after the restart's Migrate: %d; want %d", len(got), len(want))
		}
		done, err := importer.Run(f.ctx, &watching{Store: s, each: during}, im.ID, 10)
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if done.Status != herald.ImportDone || done.Imported != 77 || done.Skipped != 1 || done.Failed != 2 || done.RowsDone != 80 {
			t.Fatalf("finished import = %+v; want done, 77 imported, 1 skipped, 2 failed", done)
		}
		c, err := s.ContactByAddress(f.ctx, f.acc.ID, herald.ChannelSMS, api.Phone)
		if err != nil || c.Attributes["Name"] != "API" {
			t.Errorf("contact created during the import = %+v, %v; want it kept", c, err)
		}
		n, err := s.CountContacts(f.ctx, f.acc.ID, []herald.Filter{{Field: "tags", Op: herald.OpEq, Value: "imported"}})
		if err != nil || n != 78 {
			t.Errorf("tagged contacts = %d, %v; want 78", n, err)
		}
		got := storetest.ContactIndexes(t, s)
		for name, def := range want {
			if got[name] != def {
				t.Errorf("index %s after the import = %q; want %q", name, got[name], def)
			}
		}
	})
}

// TestRunKeepsIndexes imports a file of more batches than deferBatches
// into a table that holds more contacts than the file has rows: building
// the indexes again would cost more than it saves, so the import writes
// with every index in place.
func TestRunKeepsIndexes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		var old []herald.Contact
		for i := range 70 {
			old = append(old, herald.Contact{Phone: fmt.Sprintf("+34602000%03d", i), Attributes: map[string]string{"City": "Bilbao"}})
		}
		if _, err := s.UpsertContacts(f.ctx, f.acc.ID, old, herald.DupSkip); err != nil {
			t.Fatal(err)
		}
		want := len(storetest.ContactIndexes(t, s))
		im := f.upload(t, "medium.csv", csvFile(60), herald.DupSkip)
		done, err := importer.Run(f.ctx, &watching{Store: s, each: func(*herald.Import) error {
			if got := len(storetest.ContactIndexes(t, s)); got != want {
				t.Errorf("indexes during the import: %d; want all %d", got, want)
			}
			return nil
		}}, im.ID, 10)
		if err != nil || done.Status != herald.ImportDone || done.Imported != 58 {
			t.Fatalf("import = %+v, %v; want done, 58 imported", done, err)
		}
	})
}
