package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/jobs"
)

// queueNothing is a job queue that keeps nothing: the test runs the
// import itself.
type queueNothing struct{}

func (queueNothing) EnqueueTx(context.Context, any, jobs.JobArgs, *jobs.InsertOpts) (int64, error) {
	return 1, nil
}

// TestQuickImportGoesOnToABroadcast uploads a quick import without a tag:
// its contacts get the tag "Quick import N", and the report offers a new
// broadcast with that tag preselected (/broadcasts/new?tag=NAME) to those
// who may manage broadcasts.
func TestQuickImportGoesOnToABroadcast(t *testing.T) {
	f := newFixture(t)
	p, err := New(Config{Logger: testLogger(t)}, Deps{Store: f.store, Auth: f.auth, Clock: f.clock,
		Imports: &importer.Service{Store: f.store, Jobs: queueNothing{}}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(p.Handler())
	t.Cleanup(f.srv.Close)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "quinn")

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("policy", "skip")
	_ = mw.WriteField("tag", "")
	_ = mw.WriteField("quick", "on")
	fw, _ := mw.CreateFormFile("file", "numbers.csv")
	_, _ = fw.Write([]byte("+34600777001\n+34600777002\n"))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res := c.do(req)
	m := regexp.MustCompile(`^/imports/(\d+)\?step=5$`).FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("upload: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	im, err := f.store.Import(sys(f.account.ID), f.account.ID, id)
	if err != nil || im.Tag != fmt.Sprintf("Quick import %d", id) {
		t.Fatalf("import = %+v, %v; want the tag Quick import %d", im, err, id)
	}
	if _, err := p.imports.Start(sys(f.account.ID), f.account.ID, id); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Run(context.Background(), f.store, id, 2); err != nil {
		t.Fatal(err)
	}
	report := c.get(fmt.Sprintf("/imports/%d", id)).Body
	want := fmt.Sprintf(`href="/broadcasts/new?tag=Quick&#43;import&#43;%d" data-new-broadcast`, id)
	if !strings.Contains(report, want) {
		i := strings.Index(report, "form-actions")
		t.Errorf("report lacks %s:\n%s", want, report[i:min(len(report), i+800)])
	}
	mustContain(t, report, fmt.Sprintf("the tag <b>Quick import %d</b>", id))
	form := c.get(fmt.Sprintf("/broadcasts/new?tag=Quick+import+%d", id)).Body
	mustContain(t, form, fmt.Sprintf(`name="recipients.tags" value="Quick import %d" checked`, id))

	// Without the permission to manage broadcasts there is no such link.
	role := &herald.Role{AccountID: f.account.ID, Name: "Importer", Permissions: []herald.Permission{herald.PermContactsImport}}
	if err := f.store.CreateRole(sys(f.account.ID), role); err != nil {
		t.Fatal(err)
	}
	ic, _ := f.signedInClient(f.account.ID, role.ID, "ivan")
	if res := ic.get(fmt.Sprintf("/imports/%d", id)); res.Status != http.StatusOK || strings.Contains(res.Body, "data-new-broadcast") {
		t.Errorf("an importer who cannot manage broadcasts: %d, offered a new broadcast: %v", res.Status, strings.Contains(res.Body, "data-new-broadcast"))
	}
}
