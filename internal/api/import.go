package api

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/problem"
)

func (h *Handler) importRoutes() []Route {
	s := herald.ScopeRecipients
	return []Route{
		{Method: "GET", Path: Prefix + "/imports", Scope: s, Summary: "The latest imports", handle: h.listImports},
		{Method: "POST", Path: Prefix + "/imports", Scope: s, Create: true, Stream: true, Summary: "Upload a CSV, XLS or XLSX file of contacts (multipart field \"file\")", handle: h.uploadImport},
		{Method: "GET", Path: Prefix + "/imports/{id}", Scope: s, Summary: "An import's settings, status and progress", handle: h.getImport},
		{Method: "PATCH", Path: Prefix + "/imports/{id}", Scope: s, Summary: "Set the first row, mapping, duplicate policy and tag", handle: h.updateImport},
		{Method: "GET", Path: Prefix + "/imports/{id}/preview", Scope: s, Summary: "Rows of the file, with a suggested mapping", handle: h.previewImport},
		{Method: "GET", Path: Prefix + "/imports/{id}/check", Scope: s, Summary: "What the first rows import as, and the errors of each", handle: h.checkImport},
		{Method: "POST", Path: Prefix + "/imports/{id}/start", Scope: s, Summary: "Start the import in the background", handle: h.startImport},
		{Method: "GET", Path: Prefix + "/imports/{id}/failures", Scope: s, Summary: "The rows that were not imported and why, as CSV", handle: h.importFailures},
		{Method: "GET", Path: Prefix + "/import-presets", Scope: s, Summary: "List mapping presets", handle: h.listPresets},
		{Method: "POST", Path: Prefix + "/import-presets", Scope: s, Create: true, Summary: "Save a mapping preset", handle: h.savePreset},
		{Method: "DELETE", Path: Prefix + "/import-presets/{id}", Scope: s, Summary: "Delete a mapping preset", handle: h.deletePreset},
	}
}

// imports returns the import service, or EUNAVAILABLE.
func (h *Handler) imports() (*importer.Service, error) {
	if h.deps.Imports == nil {
		return nil, herald.Errorf(herald.EUNAVAILABLE, "Imports are not available in this process.")
	}
	return h.deps.Imports, nil
}

func (h *Handler) listImports(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	list, err := cs.RecentImports(r.Context(), c.key.AccountID, min(max(n, 5), 50))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (h *Handler) uploadImport(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.imports()
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return herald.Errorf(problem.CodeUnsupportedMedia, "Send the file as multipart/form-data in a field named file.")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return herald.Errorf(problem.CodeBadRequest, "The multipart body cannot be read.")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return herald.Violations{{Field: "file", Code: herald.VRequired, Message: "Send the file in a multipart field named file."}}.Err()
		}
		if part.FormName() != "file" {
			continue
		}
		im, err := svc.Upload(r.Context(), c.key.AccountID, part.FileName(), part)
		if err != nil {
			return err
		}
		w.Header().Set("Location", Prefix+"/imports/"+itoa(im.ID))
		return writeJSON(w, http.StatusCreated, im)
	}
}

// loadImport reads the {id} import of the caller's account.
func (h *Handler) loadImport(r *http.Request, c *call) (*herald.Import, error) {
	cs, err := h.contacts()
	if err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return cs.Import(r.Context(), c.key.AccountID, id)
}

func (h *Handler) getImport(w http.ResponseWriter, r *http.Request, c *call) error {
	im, err := h.loadImport(r, c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, im)
}

// importInput is the body of PATCH /imports/{id}.
type importInput struct {
	FirstRow  *int                    `json:"firstRow"`
	Mapping   *[]herald.ColumnMapping `json:"mapping"`
	Policy    *herald.DuplicatePolicy `json:"policy"`
	Tag       *string                 `json:"tag"`
	Quick     *bool                   `json:"quick"`
	Encoding  *string                 `json:"encoding"`
	Delimiter *string                 `json:"delimiter"`
}

// apply copies the fields present in in onto im.
func (in importInput) apply(im *herald.Import) {
	if in.FirstRow != nil {
		im.FirstRow = *in.FirstRow
	}
	if in.Mapping != nil {
		im.Mapping = *in.Mapping
	}
	if in.Policy != nil {
		im.Policy = *in.Policy
	}
	if in.Tag != nil {
		im.Tag = *in.Tag
	}
	if in.Quick != nil {
		im.Quick = *in.Quick
	}
	if in.Encoding != nil {
		im.Encoding = *in.Encoding
	}
	if in.Delimiter != nil {
		im.Delimiter = *in.Delimiter
	}
}

func (h *Handler) updateImport(w http.ResponseWriter, r *http.Request, c *call) error {
	im, err := h.loadImport(r, c)
	if err != nil {
		return err
	}
	var in importInput
	if err := decode(r, &in); err != nil {
		return err
	}
	in.apply(im)
	if err := h.deps.Contacts.UpdateImportSettings(r.Context(), im); err != nil {
		return err
	}
	return h.getImport(w, r, c)
}

// previewAnswer is the body of GET /imports/{id}/preview.
type previewAnswer struct {
	From      int                    `json:"from"`
	Rows      [][]string             `json:"rows"`
	More      bool                   `json:"more"`
	Columns   []string               `json:"columns"`
	Suggested []herald.ColumnMapping `json:"suggested"` // from the row before the first row, when it is a header
}

func (h *Handler) previewImport(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.imports()
	if err != nil {
		return err
	}
	im, err := h.loadImport(r, c)
	if err != nil {
		return err
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	from, limit = max(from, 1), min(max(limit, 10), 200)
	rows, more, width, err := svc.Preview(r.Context(), im, from, limit)
	if err != nil {
		return err
	}
	ans := previewAnswer{From: from, Rows: rows, More: more}
	if ans.Rows == nil {
		ans.Rows = [][]string{}
	}
	for i := range width {
		ans.Columns = append(ans.Columns, importer.ColumnName(i))
	}
	ans.Suggested, err = h.suggest(r, svc, im)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ans)
}

// suggest maps the header row (the row before the first row) by name.
func (h *Handler) suggest(r *http.Request, svc *importer.Service, im *herald.Import) ([]herald.ColumnMapping, error) {
	if im.FirstRow < 2 {
		return []herald.ColumnMapping{}, nil
	}
	head, _, _, err := svc.Preview(r.Context(), im, im.FirstRow-1, 1)
	if err != nil || len(head) == 0 {
		return []herald.ColumnMapping{}, err
	}
	attrs, err := h.deps.Contacts.Attributes(r.Context(), im.AccountID)
	if err != nil {
		return nil, err
	}
	return importer.SuggestMapping(head[0], attrs, nil), nil
}

// checkedRow is one row of GET /imports/{id}/check.
type checkedRow struct {
	Row   int    `json:"row"`
	Phone string `json:"phone"`
	Error string `json:"error,omitempty"`
}

func (h *Handler) checkImport(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.imports()
	if err != nil {
		return err
	}
	im, err := h.loadImport(r, c)
	if err != nil {
		return err
	}
	rows, err := svc.Check(r.Context(), im, 200)
	if err != nil {
		return err
	}
	out := make([]checkedRow, len(rows))
	for i, row := range rows {
		out[i] = checkedRow{Row: row.Row, Phone: row.Phone, Error: row.Err}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rows": out})
}

func (h *Handler) startImport(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.imports()
	if err != nil {
		return err
	}
	if svc.Jobs == nil {
		return herald.Errorf(herald.EUNAVAILABLE, "Imports cannot start here: this process has no job queue.")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	im, err := svc.Start(r.Context(), c.key.AccountID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, im)
}

func (h *Handler) importFailures(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.imports()
	if err != nil {
		return err
	}
	im, err := h.loadImport(r, c)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="import-`+itoa(im.ID)+`-failed-rows.csv"`)
	if err := svc.WriteFailures(r.Context(), w, c.key.AccountID, im.ID); err != nil {
		h.deps.Log.Error("writing failed rows", "import", im.ID, "err", err)
	}
	return nil
}

func (h *Handler) listPresets(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	list, err := cs.ImportPresets(r.Context(), c.key.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (h *Handler) savePreset(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	var in struct {
		Name    string            `json:"name"`
		Mapping map[string]string `json:"mapping"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	p := &herald.ImportPreset{AccountID: c.key.AccountID, Name: in.Name, Mapping: map[string]string{}}
	for k, v := range in.Mapping {
		p.Mapping[herald.Fold(k)] = v
	}
	if err := cs.SaveImportPreset(r.Context(), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (h *Handler) deletePreset(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.contacts()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, cs.DeleteImportPreset)
}
