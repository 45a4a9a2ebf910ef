package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/importer"
)

// importSteps names the wizard's steps.
func importSteps() []string {
	return []string{"File upload", "Select the first row", "Attribute mapping", "Duplicate record management", "Import results"}
}

// importData is the data of the Import wizard's pages.
type importData struct {
	Import   *herald.Import
	Step     int
	Steps    []string
	Recent   []herald.Import
	Policies []policyOption
	Err      string

	Encodings  []string // step 2, CSV: the encodings and delimiters to choose from
	Delimiters []param
	Rows       [][]string // step 2: the first rows; step 3: samples
	RowFrom    int
	Columns    []string
	More       bool

	Header   []string
	Headers  string         // Header joined by US characters, for presets
	Mapping  []mappedColumn // step 3
	Fields   []fieldOption
	Presets  []herald.ImportPreset
	Checked  []herald.ImportRow // step 5
	Good     int
	Bad      int
	Dups     []string // step 4: phone numbers already in the account
	CanStart bool
}

// policyOption is a duplicate policy with its explanation.
type policyOption struct {
	Value, Label, Help string
}

// mappedColumn is one column of step 3.
type mappedColumn struct {
	Index   int
	Name    string
	Header  string
	Field   string
	Samples []string
}

// fieldOption is a field a column can map to.
type fieldOption struct{ Value, Label string }

// policies are the duplicate policies as the wizard offers them.
func policies() []policyOption {
	return []policyOption{
		{string(herald.DupSkip), "Not import", "Keep the existing contact as it is."},
		{string(herald.DupOverride), "Override", "Replace the existing contact's values with the file's; empty cells clear them."},
		{string(herald.DupEnrich), "Enrich", "Add what the file knows and the contact lacks; change nothing it has."},
	}
}

// importUploadPage shows step 1: upload, duplicates, tag and history.
func (p *Portal) importUploadPage(w http.ResponseWriter, r *http.Request) {
	p.renderImport(w, r, http.StatusOK, &importData{Step: 1}, "")
}

// renderImport renders a wizard page with the recent imports.
func (p *Portal) renderImport(w http.ResponseWriter, r *http.Request, status int, d *importData, flashErr string) {
	recent, err := p.contacts.RecentImports(r.Context(), state(r).User.AccountID, 5)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Recent, d.Steps, d.Policies, d.Err = recent, importSteps(), policies(), flashErr
	pg := p.newPage(r, "Import contacts")
	pg.Active = "contacts"
	pg.Data = d
	name := "import"
	if d.Import != nil && d.Import.Status != herald.ImportUploaded {
		name = "import_progress"
	}
	p.renderStatus(w, r, status, name, pg)
}

// uploadImport receives step 1's file. Its form puts the policy, tag and
// quick choice before the file, so they are read first while the file
// streams to the store.
func (p *Portal) uploadImport(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		p.renderImport(w, r, http.StatusBadRequest, &importData{Step: 1}, "Choose a file to upload.")
		return
	}
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			p.renderImport(w, r, http.StatusUnprocessableEntity, &importData{Step: 1}, "Choose a CSV, XLS or XLSX file to upload.")
			return
		}
		if part.FormName() != "file" {
			b := make([]byte, 256)
			n, _ := part.Read(b)
			fields[part.FormName()] = string(b[:n])
			continue
		}
		if part.FileName() == "" {
			continue
		}
		im, err := p.imports.Upload(r.Context(), state(r).User.AccountID, part.FileName(), part)
		if err != nil {
			p.importFailed(w, r, &importData{Step: 1}, err)
			return
		}
		p.afterUpload(w, r, im, fields)
		return
	}
}

// importFailed shows err on a wizard page, or fails the request.
func (p *Portal) importFailed(w http.ResponseWriter, r *http.Request, d *importData, err error) {
	f := newForm()
	f.setError(err)
	if herald.ErrorCode(err) == herald.EINTERNAL {
		p.fail(w, r, err)
		return
	}
	p.renderImport(w, r, http.StatusUnprocessableEntity, d, f.Message)
}

// afterUpload saves step 1's choices and goes on: to step 2, or for a
// quick import (phone numbers only) straight to the preview.
func (p *Portal) afterUpload(w http.ResponseWriter, r *http.Request, im *herald.Import, fields map[string]string) {
	im.Policy, im.Tag, im.Quick = herald.DuplicatePolicy(fields["policy"]), fields["tag"], fields["quick"] == "on"
	if !im.Policy.Valid() {
		im.Policy = herald.DupSkip
	}
	next := 2
	if im.Quick {
		im.FirstRow, im.Mapping, next = 1, []herald.ColumnMapping{{Column: 0, Field: herald.FieldPhone}}, 5
		if strings.TrimSpace(im.Tag) == "" {
			// The tag is how a broadcast reaches exactly these numbers
			// (the report's "New broadcast" preselects it).
			im.Tag = quickImportTag(im.ID)
		}
	}
	if err := p.contacts.UpdateImportSettings(r.Context(), im); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, importURL(im.ID, next), http.StatusSeeOther)
}

// quickImportTag is the tag a quick import without one gives its
// contacts.
func quickImportTag(id int64) string { return "Quick import " + strconv.FormatInt(id, 10) }

// newBroadcastURL is the broadcast form with tag preselected as its
// recipients (the form reads ?tag=NAME).
func newBroadcastURL(tag string) string {
	return "/broadcasts/new?" + url.Values{"tag": {tag}}.Encode()
}

// importURL is the wizard's page of step for import id.
func importURL(id int64, step int) string {
	return "/imports/" + strconv.FormatInt(id, 10) + "?step=" + strconv.Itoa(step)
}

// loadImport loads the {id} import of the account.
func (p *Portal) loadImport(w http.ResponseWriter, r *http.Request) (*herald.Import, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	im, err := p.contacts.Import(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return im, true
}

// importPage shows step 2 to 5 of an uploaded import, or the progress and
// report of a started one.
func (p *Portal) importPage(w http.ResponseWriter, r *http.Request) {
	im, ok := p.loadImport(w, r)
	if !ok {
		return
	}
	d := &importData{Import: im}
	if im.Status != herald.ImportUploaded {
		p.renderImport(w, r, http.StatusOK, d, "")
		return
	}
	d.Step, _ = strconv.Atoi(r.URL.Query().Get("step"))
	d.Step = min(max(d.Step, 2), 5)
	var err error
	switch d.Step {
	case 2:
		d.Rows, d.More, d.Columns, err = p.importRows(r, im, 1, 20)
		d.RowFrom, d.Encodings = 1, importer.Encodings()
		d.Delimiters = []param{{"Comma", ","}, {"Semicolon", ";"}, {"Tab", "\t"}, {"Vertical bar", "|"}}
	case 3:
		err = p.mappingStep(r, im, d)
	case 4:
		err = p.duplicateStep(r, im, d)
	case 5:
		err = p.previewStep(r, im, d)
	}
	if err != nil {
		p.importFailed(w, r, d, err)
		return
	}
	p.renderImport(w, r, http.StatusOK, d, "")
}

// importRows reads rows of the file with spreadsheet column names.
func (p *Portal) importRows(r *http.Request, im *herald.Import, from, n int) ([][]string, bool, []string, error) {
	rows, more, width, err := p.imports.Preview(r.Context(), im, from, n)
	var cols []string
	for i := range width {
		cols = append(cols, importer.ColumnName(i))
	}
	for i := range rows {
		for len(rows[i]) < width {
			rows[i] = append(rows[i], "")
		}
	}
	return rows, more, cols, err
}

// mappingStep prepares step 3: a select per column, with the saved
// mapping, a preset's, or one suggested by the headers.
func (p *Portal) mappingStep(r *http.Request, im *herald.Import, d *importData) error {
	ctx, acc := r.Context(), state(r).User.AccountID
	attrs, err := p.contacts.Attributes(ctx, acc)
	if err != nil {
		return err
	}
	if d.Presets, err = p.contacts.ImportPresets(ctx, acc); err != nil {
		return err
	}
	if im.FirstRow > 1 {
		head, _, _, err := p.importRows(r, im, im.FirstRow-1, 1)
		if err != nil {
			return err
		}
		if len(head) > 0 {
			d.Header, d.Headers = head[0], strings.Join(head[0], "\x1f")
		}
	}
	samples, _, cols, err := p.importRows(r, im, im.FirstRow, 3)
	if err != nil {
		return err
	}
	d.Fields = fieldOptions(attrs)
	d.Mapping = buildMapping(im, d, cols, samples, attrs, r.URL.Query().Get("preset"))
	return nil
}

// fieldOptions are the fields a column can map to.
func fieldOptions(attrs []herald.Attribute) []fieldOption {
	out := []fieldOption{{"", "Skip this column"}, {herald.FieldPhone, "Phone number"}, {herald.FieldEmail, "Email"}, {herald.FieldTags, "Tags"}}
	for _, a := range attrs {
		out = append(out, fieldOption{a.ColumnKey(), a.Name})
	}
	for _, k := range herald.IdentityKinds() {
		out = append(out, fieldOption{herald.ColIdentity + k, k + " ID"})
	}
	return out
}

// buildMapping returns the columns of step 3 with their fields.
func buildMapping(im *herald.Import, d *importData, cols []string, samples [][]string, attrs []herald.Attribute, presetID string) []mappedColumn {
	fields := map[int]string{}
	for _, m := range im.Mapping {
		fields[m.Column] = m.Field
	}
	var preset map[string]string
	for _, ps := range d.Presets {
		if strconv.FormatInt(ps.ID, 10) == presetID {
			preset = ps.Mapping
		}
	}
	if len(im.Mapping) == 0 || preset != nil {
		for _, m := range importer.SuggestMapping(d.Header, attrs, preset) {
			fields[m.Column] = m.Field
		}
	}
	out := make([]mappedColumn, len(cols))
	for i, c := range cols {
		mc := mappedColumn{Index: i, Name: c, Field: fields[i]}
		if i < len(d.Header) {
			mc.Header = d.Header[i]
		}
		for _, s := range samples {
			if i < len(s) {
				mc.Samples = append(mc.Samples, s[i])
			}
		}
		out[i] = mc
	}
	return out
}

// duplicateStep prepares step 4: which of the first rows' numbers the
// account has already.
func (p *Portal) duplicateStep(r *http.Request, im *herald.Import, d *importData) error {
	rows, err := p.imports.Check(r.Context(), im, 200)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if row.Err != "" {
			continue
		}
		_, err := p.contacts.ContactByAddress(r.Context(), im.AccountID, herald.ChannelSMS, row.Phone)
		if err == nil {
			d.Dups = append(d.Dups, row.Phone)
		} else if !herald.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// previewStep prepares step 5: the first rows as they will import, and
// every error among them.
func (p *Portal) previewStep(r *http.Request, im *herald.Import, d *importData) error {
	rows, err := p.imports.Check(r.Context(), im, 200)
	if err != nil {
		return err
	}
	d.Checked = rows
	for _, row := range rows {
		if row.Err == "" {
			d.Good++
		} else {
			d.Bad++
		}
	}
	d.CanStart = p.imports.Jobs != nil
	return nil
}

// saveImportStep saves a step's choice and goes to the next step; step 5
// starts the import.
func (p *Portal) saveImportStep(w http.ResponseWriter, r *http.Request) {
	im, ok := p.loadImport(w, r)
	if !ok {
		return
	}
	_ = r.ParseForm()
	step, _ := strconv.Atoi(r.PostForm.Get("step"))
	if step == 5 {
		p.startImport(w, r, im)
		return
	}
	switch step {
	case 2:
		im.FirstRow, _ = strconv.Atoi(r.PostForm.Get("firstRow"))
		im.Mapping = nil // a new first row means new headers: suggest again
		if im.Format == herald.FormatCSV && r.PostForm.Get("encoding") != "" {
			im.Encoding, im.Delimiter = r.PostForm.Get("encoding"), r.PostForm.Get("delimiter")
		}
		if r.PostForm.Get("reread") != "" {
			step = 1 // stay on step 2 to see the file read again
		}
	case 3:
		if err := p.saveMapping(r, im); err != nil {
			p.importFailed(w, r, &importData{Import: im, Step: 3}, err)
			return
		}
	case 4:
		im.Policy = herald.DuplicatePolicy(r.PostForm.Get("policy"))
	}
	if err := p.contacts.UpdateImportSettings(r.Context(), im); err != nil {
		p.actionFailed(w, r, importURL(im.ID, step), err)
		return
	}
	http.Redirect(w, r, importURL(im.ID, step+1), http.StatusSeeOther)
}

// saveMapping reads step 3's selects and saves a preset when named.
func (p *Portal) saveMapping(r *http.Request, im *herald.Import) error {
	im.Mapping = nil
	for k, v := range r.PostForm {
		if col, ok := strings.CutPrefix(k, "col."); ok && v[0] != "" {
			if i, err := strconv.Atoi(col); err == nil {
				im.Mapping = append(im.Mapping, herald.ColumnMapping{Column: i, Field: v[0]})
			}
		}
	}
	name := strings.TrimSpace(r.PostForm.Get("presetName"))
	if name == "" {
		return nil
	}
	header := strings.Split(r.PostForm.Get("header"), "\x1f")
	ps := &herald.ImportPreset{AccountID: im.AccountID, Name: name, Mapping: importer.PresetOf(header, im.Mapping)}
	return p.contacts.SaveImportPreset(r.Context(), ps)
}

// startImport queues the import and shows its progress.
func (p *Portal) startImport(w http.ResponseWriter, r *http.Request, im *herald.Import) {
	if p.imports.Jobs == nil {
		p.actionFailed(w, r, importURL(im.ID, 5), herald.Errorf(herald.EUNAVAILABLE, "Imports cannot start here: this process has no job queue."))
		return
	}
	if _, err := p.imports.Start(r.Context(), im.AccountID, im.ID); err != nil {
		back := importURL(im.ID, 5)
		if strings.Contains(herald.ErrorMessage(err), "phone number") {
			back = importURL(im.ID, 3)
		}
		p.actionFailed(w, r, back, err)
		return
	}
	p.redirect(w, r, "/imports/"+strconv.FormatInt(im.ID, 10), "The import started. You can leave this page: it goes on in the background.")
}

// importStatus answers the progress page's polls with the import as JSON.
func (p *Portal) importStatus(w http.ResponseWriter, r *http.Request) {
	im, ok := p.loadImport(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(struct {
		*herald.Import
		Final bool `json:"final"`
	}{im, im.Status.Final()})
}

// importFailures downloads the failed rows report.
func (p *Portal) importFailures(w http.ResponseWriter, r *http.Request) {
	im, ok := p.loadImport(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="import-`+strconv.FormatInt(im.ID, 10)+`-failed-rows.csv"`)
	if err := p.imports.WriteFailures(r.Context(), w, im.AccountID, im.ID); err != nil {
		p.log.Error("writing failed rows", "import", im.ID, "err", err)
	}
}
