package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/media"
	"github.com/heraldhq/herald/internal/problem"
)

// The media library (Assets > Media): a table or a wall of cards with
// thumbnails, an upload drop zone whose script sends each file with a
// progress bar (the form posts them all at once without scripts), and a
// page per file with its preview, public link, download and rename.

// multipartSlack is what a one-file multipart body may carry beyond the
// file: boundaries and the part's headers.
const multipartSlack = 64 << 10

// mediaTable is the media library list. Preview and pixel size are shown,
// not sorted or filtered.
func mediaTable() tableSpec {
	cols := []herald.Column{{Key: "preview", Label: "Preview", Type: herald.ColText}}
	for _, c := range herald.MediaColumns() {
		cols = append(cols, c)
		if c.Key == "format" {
			cols = append(cols, herald.Column{Key: "dimensions", Label: "Size", Type: herald.ColText})
		}
	}
	return tableSpec{ID: "media", Path: "/media", Columns: cols}
}

// mediaData is the data of the media library page.
type mediaData struct {
	Table    *table
	Cards    bool   // the card view
	TableURL string // the same list in the other view
	CardsURL string
	Form     *form // the upload form, with its error beside "file"
	MaxSize  int64
	MaxLabel string
}

// mediaService returns the media library, or answers 503.
func (p *Portal) mediaService(w http.ResponseWriter, r *http.Request) (*media.Service, bool) {
	return available(p, w, r, p.media, herald.Errorf(herald.EUNAVAILABLE, "The media library is not available in this process."))
}

// listMedia shows the account's media library.
func (p *Portal) listMedia(w http.ResponseWriter, r *http.Request) {
	p.renderMedia(w, r, http.StatusOK, newForm("file"))
}

// renderMedia renders the library with the upload form f.
func (p *Portal) renderMedia(w http.ResponseWriter, r *http.Request, status int, f *form) {
	svc, ok := p.mediaService(w, r)
	if !ok {
		return
	}
	pg, t, ok := listPage[herald.Media]{Spec: mediaTable(), Title: "Media", Active: "assets",
		Empty: "No media yet. Drop images, videos, audio or documents above to add them.",
		List:  listInAccount(r, svc.List),
		Row: func(pg *page, m *herald.Media) (map[string]cell, []rowAction, *detailTable) {
			return mediaCells(pg, m), mediaActions(svc, m), nil
		},
	}.begin(p, w, r)
	if !ok {
		return
	}
	v := r.URL.Query()
	d := &mediaData{Table: t, Cards: v.Get("view") == "cards", Form: f, MaxSize: svc.MaxSize(), MaxLabel: media.HumanSize(svc.MaxSize()),
		TableURL: "/media" + encode(with(v, "view", "")), CardsURL: "/media" + encode(with(v, "view", "cards"))}
	if d.Cards {
		t.View = "cards"
	}
	pg.Data = d
	p.renderStatus(w, r, status, "media", pg)
}

// mediaPath is the page of a media file.
func mediaPath(id int64) string { return "/media/" + strconv.FormatInt(id, 10) }

// kindIcon is the icon of a kind of file without a thumbnail.
func kindIcon(k herald.MediaKind) string {
	switch k {
	case herald.MediaVideo:
		return "video"
	case herald.MediaAudio:
		return "music"
	}
	return "file"
}

// mediaCells are the cells of one file.
func mediaCells(pg *page, m *herald.Media) map[string]cell {
	href := mediaPath(m.ID)
	preview := cell{Text: m.Name, Href: href, Icon: kindIcon(m.Kind)}
	if m.Kind == herald.MediaImage {
		preview = cell{Text: m.Name, Href: href, Thumb: href + "/content"}
	}
	return map[string]cell{
		"preview":    preview,
		"name":       {Text: m.Name, Href: href},
		"kind":       {Text: kindLabel(m.Kind)},
		"format":     {Text: strings.ToUpper(m.Format)},
		"dimensions": {Text: dimensions(m), Muted: true},
		"size":       {Text: media.HumanSize(m.Size)},
		"createdAt":  {Text: pg.Time(m.CreatedAt)},
	}
}

// kindLabel is "Image", "Video"...
func kindLabel(k herald.MediaKind) string {
	s := string(k)
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dimensions is "314 x 400 px", or "" when unknown.
func dimensions(m *herald.Media) string {
	if m.Width == 0 || m.Height == 0 {
		return ""
	}
	return fmt.Sprintf("%d x %d px", m.Width, m.Height)
}

// mediaActions are a file's row buttons: open, copy its public link,
// download, delete.
func mediaActions(svc *media.Service, m *herald.Media) []rowAction {
	href := mediaPath(m.ID)
	link, _ := svc.PublicURL(m, svc.LinkTTL())
	return []rowAction{
		{Label: "Open", Icon: "eye", Href: href},
		{Label: "Copy the public link", Icon: "copy", Href: link, Copy: link},
		{Label: "Download", Icon: "download", Href: href + "/content?download=1", Download: true},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true,
			Confirm: "Delete " + m.Name + "? Its public links stop working, and messages that use it can no longer be sent."},
	}
}

// wantsJSON reports whether the script sent the request and reads JSON.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// uploadMedia receives the upload form: each "file" part streams into the
// library. The script sends one file per request and reads JSON; the
// plain form sends all the chosen files at once and gets the page back.
func (p *Portal) uploadMedia(w http.ResponseWriter, r *http.Request) {
	svc, ok := p.mediaService(w, r)
	if !ok {
		return
	}
	media.AllowUploadTime(w, r, 20*svc.MaxSize())
	var done []string
	var fails []error
	if wantsJSON(r) { // the script sends one file per request
		if err := svc.CheckDeclared(r.ContentLength, multipartSlack); err != nil {
			p.uploadAnswer(w, r, nil, []error{err})
			return
		}
	}
	mr, err := r.MultipartReader()
	if err == nil {
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() != "file" || part.FileName() == "" {
				continue
			}
			m, err := svc.Upload(r.Context(), state(r).User.AccountID, part.FileName(), part)
			if err != nil {
				fails = append(fails, err)
				if herald.ErrorCode(err) == herald.ETOOLARGE || problem.Status(herald.ErrorCode(err)) >= 500 {
					break // the rest of the body cannot be trusted or read
				}
				continue
			}
			done = append(done, m.Name)
			if wantsJSON(r) {
				writeUploadJSON(w, http.StatusCreated, map[string]any{"id": m.ID, "name": m.Name, "url": mediaPath(m.ID)})
				return
			}
		}
	}
	if len(done) == 0 && len(fails) == 0 {
		fails = append(fails, herald.Violations{{Field: "file", Code: herald.VRequired, Message: "Choose a file to upload."}}.Err())
	}
	p.uploadAnswer(w, r, done, fails)
}

// uploadAnswer answers the upload form: JSON for the script, or the
// library page with the failures beside the file input.
func (p *Portal) uploadAnswer(w http.ResponseWriter, r *http.Request, done []string, fails []error) {
	if len(fails) == 0 {
		p.redirect(w, r, "/media", uploadedMessage(done))
		return
	}
	err := fails[0]
	status := problem.Status(herald.ErrorCode(err))
	if status >= 500 {
		p.log.Error("media upload failed", "err", err)
	}
	var msgs []string
	for _, e := range fails {
		msgs = append(msgs, herald.ErrorMessage(e))
		for _, v := range herald.ErrorViolations(e) {
			if v.Field == "file" && v.Message != herald.ErrorMessage(e) {
				msgs[len(msgs)-1] = v.Message
			}
		}
	}
	if wantsJSON(r) {
		writeUploadJSON(w, status, map[string]any{"message": msgs[0], "errors": map[string]string{"file": msgs[0]}})
		return
	}
	if len(done) > 0 {
		p.flash(r, uploadedMessage(done))
	}
	f := newForm("file")
	f.Errors["file"] = strings.Join(msgs, " ")
	f.Message = "Some files were not uploaded."
	p.renderMedia(w, r, status, f)
}

// uploadedMessage is the flash message after uploads.
func uploadedMessage(names []string) string {
	if len(names) == 1 {
		return names[0] + " uploaded."
	}
	return strconv.Itoa(len(names)) + " files uploaded."
}

// writeUploadJSON answers the upload script.
func writeUploadJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// loadMedia loads the {id} file of the account; it answered when ok is
// false.
func (p *Portal) loadMedia(w http.ResponseWriter, r *http.Request) (*media.Service, *herald.Media, bool) {
	svc, ok := p.mediaService(w, r)
	if !ok {
		return nil, nil, false
	}
	m, ok := loadByID(p, w, r, getInAccount(r, svc.Media))
	return svc, m, ok
}

// mediaItemData is the data of a file's page.
type mediaItemData struct {
	Media      *herald.Media
	Form       *form // rename
	PublicURL  string
	Expires    string
	Weight     string
	Dimensions string
	Kind       string
	Label      string // "PNG image"
}

// showMedia shows a file with its preview, details and actions.
func (p *Portal) showMedia(w http.ResponseWriter, r *http.Request) {
	svc, m, ok := p.loadMedia(w, r)
	if !ok {
		return
	}
	f := newForm("name")
	f.set("name", m.Name)
	p.renderMediaItem(w, r, http.StatusOK, svc, m, f)
}

// renderMediaItem renders a file's page with the rename form f.
func (p *Portal) renderMediaItem(w http.ResponseWriter, r *http.Request, status int, svc *media.Service, m *herald.Media, f *form) {
	pg := p.newPage(r, m.Name)
	pg.Active = "assets"
	link, exp := svc.PublicURL(m, svc.LinkTTL())
	pg.Data = &mediaItemData{Media: m, Form: f, PublicURL: link, Expires: pg.Time(exp), Weight: media.HumanSize(m.Size),
		Dimensions: dimensions(m), Kind: kindLabel(m.Kind), Label: media.Label(m.Format)}
	p.renderStatus(w, r, status, "media_item", pg)
}

// renameMedia saves a file's new name.
func (p *Portal) renameMedia(w http.ResponseWriter, r *http.Request) {
	svc, m, ok := p.loadMedia(w, r)
	if !ok {
		return
	}
	f := readForm(r, "name")
	renamed, err := svc.Rename(r.Context(), m.AccountID, m.ID, f.Get("name"))
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderMediaItem(w, r, status, svc, m, f) })
		return
	}
	p.redirect(w, r, mediaPath(m.ID), "Renamed to "+renamed.Name+".")
}

// mediaContent sends a file's bytes: inline for previews and thumbnails,
// as an attachment with ?download=1.
func (p *Portal) mediaContent(w http.ResponseWriter, r *http.Request) {
	svc, m, ok := p.loadMedia(w, r)
	if !ok {
		return
	}
	rc, err := svc.Open(r.Context(), m)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	defer rc.Close()
	// The bytes under an ID never change, so the browser may keep them.
	w.Header().Set("Cache-Control", "private, max-age=86400")
	media.Serve(w, r, m, rc, r.URL.Query().Get("download") != "")
}

// confirmDeleteMedia asks before deleting a file.
func (p *Portal) confirmDeleteMedia(w http.ResponseWriter, r *http.Request) {
	_, m, ok := p.loadMedia(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "assets", confirmData{Heading: "Delete media",
		Message: "Delete " + m.Name + "? Its public links stop working, and messages that use it can no longer be sent.",
		Action:  r.URL.Path, Button: "Delete", Cancel: "/media"})
}

// deleteMedia deletes a file.
func (p *Portal) deleteMedia(w http.ResponseWriter, r *http.Request) {
	svc, m, ok := p.loadMedia(w, r)
	if !ok {
		return
	}
	p.afterAction(w, r, svc.Delete(r.Context(), m.AccountID, m.ID), "/media", m.Name+" deleted.")
}
