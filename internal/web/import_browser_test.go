package web

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/jobs"
	"github.com/heraldhq/herald/internal/store"
)

// runNow is a job queue that runs an import as soon as the transaction
// that queued it has committed, as a worker would.
type runNow struct {
	t *testing.T
	s *store.Store
}

func (q runNow) EnqueueTx(_ context.Context, _ any, args jobs.JobArgs, _ *jobs.InsertOpts) (int64, error) {
	id := args.(importer.JobArgs).ImportID
	go func() {
		ctx := context.Background()
		for i := 0; i < 200; i++ { // wait for the queuing transaction to commit
			if im, err := q.s.ImportByID(ctx, id); err == nil && im.Status == herald.ImportQueued {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := importer.Run(ctx, q.s, id, 2); err != nil {
			q.t.Errorf("running import %d: %v", id, err)
		}
	}()
	return id, nil
}

// writeXLSX writes rows as the first sheet of a workbook.
func writeXLSX(t *testing.T, path string, rows [][]any) {
	t.Helper()
	x := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserImportWizard imports a spreadsheet with Turkish and Spanish
// names through the wizard with the enrich policy, then builds the
// target "women aged 18-25 in Madrid" and reads its count.
func TestBrowserImportWizard(t *testing.T) {
	f := newFixture(t)
	p, err := New(Config{Logger: testLogger(t)}, Deps{Store: f.store, Auth: f.auth, Clock: f.clock,
		Imports: &importer.Service{Store: f.store, Jobs: runNow{t: t, s: f.store}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	ctx := sys(f.account.ID)
	for _, a := range []herald.Attribute{{Name: "City", Type: herald.AttrText}, {Name: "Gender", Type: herald.AttrList, Options: []string{"female", "male"}},
		{Name: "Age", Type: herald.AttrNumber}} {
		a.AccountID = f.account.ID
		if err := f.store.CreateAttribute(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	old := &herald.Contact{AccountID: f.account.ID, Phone: "+34600111222", Attributes: map[string]string{"Name": "Lucía", "City": "Sevilla"}}
	if err := f.store.CreateContact(ctx, old); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "clientes.xlsx")
	writeXLSX(t, file, [][]any{
		{"Phone", "Name", "Surname", "City", "Gender", "Age"},
		{34600111222, "Luz", "Vega López", "Madrid", "female", 22},
		{905321234567, "Ayşe", "Yılmaz", "İstanbul", "female", 24},
		{"+34 600 111 333", "Begoña", "Núñez", "Madrid", "female", 19},
		{34600111444, "Çağrı", "Öztürk", "Madrid", "male", 23},
		{34600111555, "Ñuria", "Peña", "madrid", "female", 25},
		{"garbage", "Iñaki", "Muñoz", "Bilbao", "male", 30},
	})
	f.newUser(f.account.ID, f.roles[herald.RoleAdmin], "admin", true)
	b := newBrowser(t, srv.URL)
	b.open("/signin")
	b.do("signing in", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "admin"), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.submit("form[action='/signin'] button[type=submit]")

	// Step 1: the file, the enrich policy and a tag.
	b.open("/imports")
	b.do("step 1", chromedp.Click(chromedp.CSS("input[name=policy][value=enrich]")),
		chromedp.SendKeys(chromedp.CSS("#f-tag"), "Feria"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}))
	b.shot("import-step1")
	b.submit("#upload-form button[type=submit]")
	if !strings.Contains(b.text(".wizard-steps .current"), "Select the first row") {
		t.Fatalf("after the upload: %s at %s", b.text("main"), b.location())
	}
	// Step 2: the contacts start at row 2; row 1 holds the names.
	b.do("step 2", chromedp.Click(chromedp.CSS("input[name=firstRow][value='2']")))
	b.shot("import-step2")
	b.submit("#step-form button[type=submit]")
	// Step 3: the columns are mapped by their names.
	if !b.eval(`document.querySelector('select[name="col.0"]').value === 'phone' && document.querySelector('select[name="col.3"]').selectedOptions[0].text === 'City'`) {
		t.Errorf("the mapping was not suggested from the headers")
	}
	b.do("naming a preset", chromedp.SendKeys(chromedp.CSS("#f-presetName"), "Clientes"))
	b.shot("import-step3")
	b.submit("#step-form button[type=submit]")
	// Step 4: the known number is listed; enrich is kept.
	if got := b.text(".dup-list"); !strings.Contains(got, "+34600111222") {
		t.Errorf("duplicates: %q", got)
	}
	if !b.eval(`document.querySelector('input[name=policy][value=enrich]').checked`) {
		t.Error("the policy of step 1 is not chosen in step 4")
	}
	b.shot("import-step4")
	b.submit("#step-form button[type=submit]")
	// Step 5: five rows to import, one with an error and why.
	if good, bad := b.text("[data-good]"), b.text("[data-bad]"); good != "5 to be imported" || bad != "1 with errors" {
		t.Errorf("preview counts: %q, %q", good, bad)
	}
	if got := b.text("tr.row-error"); !strings.Contains(got, "not a valid number") {
		t.Errorf("error row: %q", got)
	}
	b.shot("import-step5")
	b.submit("#step-form button[type=submit]")
	// The progress page polls until the import is done, then shows the report.
	b.do("waiting for the report", chromedp.WaitVisible(chromedp.CSS(`a[href$="failures.csv"]`)))
	if got := b.text(".import-progress"); !strings.Contains(got, "done") {
		t.Fatalf("report: %q", got)
	}
	if got := b.text("[data-field=imported]") + "/" + b.text("[data-field=updated]") + "/" + b.text("[data-field=failed]"); got != "4/1/1" {
		t.Errorf("imported/updated/failed = %s, want 4/1/1", got)
	}
	b.shot("import-report")

	// Enrich kept what Lucía had and added the rest.
	c, err := f.store.Contact(ctx, f.account.ID, old.ID)
	if err != nil || c.Attributes["Name"] != "Lucía" || c.Attributes["City"] != "Sevilla" || c.Attributes["Surname"] != "Vega López" || c.Attributes["Age"] != "22" {
		t.Errorf("enriched contact = %+v, %v", c.Attributes, err)
	}
	b.open("/contacts?f.tags=eq%3AFeria")
	rows := b.text("table.data tbody")
	for _, want := range []string{"Ayşe", "Yılmaz", "Begoña", "Núñez", "Çağrı", "Ñuria", "+905321234567"} {
		if !strings.Contains(rows, want) {
			t.Errorf("the tagged contacts lack %q", want)
		}
	}
	b.shot("contacts-imported")

	// The target: women aged 18-25 in Madrid.
	b.open("/targets/new")
	attrs, _ := f.store.Attributes(ctx, f.account.ID)
	keys := map[string]string{}
	for _, a := range attrs {
		keys[a.Name] = a.ColumnKey()
	}
	addFilter := func(col, op, val, min, max string) {
		b.do("adding a filter on "+col, chromedp.Click(chromedp.CSS(".filter-add > summary")),
			chromedp.SetValue(chromedp.CSS("[data-fcol]"), col),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-fcol]').dispatchEvent(new Event('change', {bubbles: true}))`),
			chromedp.SetValue(chromedp.CSS("[data-fop]"), op),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-fop]').dispatchEvent(new Event('change', {bubbles: true}))`))
		if op == "range" {
			b.do("range", chromedp.SendKeys(chromedp.CSS("[name=fmin]"), min), chromedp.SendKeys(chromedp.CSS("[name=fmax]"), max))
		} else {
			b.do("value", chromedp.SendKeys(chromedp.CSS("[name=fval]"), val))
		}
		b.submit(".filter-form button")
	}
	addFilter(keys["Gender"], "eq", "female", "", "")
	addFilter(keys["Age"], "range", "", "18", "25")
	addFilter(keys["City"], "eq", "Madrid", "", "")
	if got := b.text("[data-target-count]"); got != "2" {
		t.Errorf("target count = %q, want 2 (Begoña and Ñuria)", got)
	}
	b.do("naming the target", chromedp.SendKeys(chromedp.CSS("#f-name"), "Women aged 18-25 in Madrid"))
	b.shot("target-form")
	b.submit("form.narrow button[type=submit]")
	if got := b.text("table.data tbody"); !strings.Contains(got, "Women aged 18-25 in Madrid") {
		t.Fatalf("targets: %q", got)
	}
	b.shot("targets")

	// STOP from the contact (as the inbound path records it) shows in the
	// contact's form, with who set it.
	if err := f.store.AddOptOut(ctx, herald.OptOut{AccountID: f.account.ID, ContactID: old.ID, Channel: herald.ChannelSMS,
		SenderID: "sandbox", By: herald.OptOutByWord("STOP")}); err != nil {
		t.Fatal(err)
	}
	b.open("/contacts/" + strconv.FormatInt(old.ID, 10))
	if got := b.text("#optouts"); !strings.Contains(got, "SMS: sandbox") || !strings.Contains(got, "word:STOP") {
		t.Errorf("opt-outs in the form: %q", got)
	}
	b.shot("contact-optout")
}
