package api

import (
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/media"
	"github.com/heraldhq/herald/internal/problem"
)

// multipartSlack is what a multipart body may carry beyond the file: the
// boundaries and the part's headers.
const multipartSlack = 64 << 10

func (h *Handler) mediaRoutes() []Route {
	s := herald.ScopeDIDs
	return []Route{
		{Method: "GET", Path: Prefix + "/media", Scope: s, Summary: "List the media library", handle: h.listMedia},
		{Method: "POST", Path: Prefix + "/media", Scope: s, Create: true, Stream: true, Summary: "Upload a file to the media library (multipart field \"file\", or the raw body with ?filename=)", handle: h.uploadMedia},
		{Method: "GET", Path: Prefix + "/media/{id}", Scope: s, Summary: "A media file's details and public link", handle: h.getMedia},
		{Method: "PATCH", Path: Prefix + "/media/{id}", Scope: s, Summary: "Rename a media file", handle: h.renameMedia},
		{Method: "DELETE", Path: Prefix + "/media/{id}", Scope: s, Summary: "Delete a media file", handle: h.deleteMedia},
		{Method: "GET", Path: Prefix + "/media/{id}/content", Scope: s, Summary: "Download a media file (ranges supported)", handle: h.mediaContent},
	}
}

// mediaJSON is a media file as the API shows it: with a signed public
// link for channels that fetch media, and where to download it.
type mediaJSON struct {
	*herald.Media
	PublicURL          string    `json:"publicUrl"`
	PublicURLExpiresAt time.Time `json:"publicUrlExpiresAt"`
	ContentURL         string    `json:"contentUrl"`
}

// mediaLibrary returns the media service, or EUNAVAILABLE.
func (h *Handler) mediaLibrary() (*media.Service, error) {
	if h.deps.Media == nil {
		return nil, herald.Errorf(herald.EUNAVAILABLE, "The media library is not available in this process.")
	}
	return h.deps.Media, nil
}

// mediaOut adds the links to m.
func mediaOut(svc *media.Service, m *herald.Media) mediaJSON {
	u, exp := svc.PublicURL(m, svc.LinkTTL())
	return mediaJSON{Media: m, PublicURL: u, PublicURLExpiresAt: exp, ContentURL: Prefix + "/media/" + itoa(m.ID) + "/content"}
}

func (h *Handler) listMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.mediaLibrary()
	if err != nil {
		return err
	}
	q, err := listQuery(r, herald.MediaColumns())
	if err != nil {
		return err
	}
	page, err := svc.List(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	out := list[mediaJSON]{Items: make([]mediaJSON, len(page.Items)), Next: page.Next, Prev: page.Prev}
	for i := range page.Items {
		out.Items[i] = mediaOut(svc, &page.Items[i])
	}
	return writeJSON(w, http.StatusOK, out)
}

// uploadMedia streams the body into the library: a multipart body's
// "file" part (its file name names the file), or the raw body named by
// ?filename=. A declared length over the limit is refused before any byte
// is read; past the limit the upload stops with 413.
func (h *Handler) uploadMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.mediaLibrary()
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	multipart := mt == "multipart/form-data"
	slack := int64(0)
	if multipart {
		slack = multipartSlack
	}
	if err := svc.CheckDeclared(r.ContentLength, slack); err != nil {
		return err
	}
	name, body := r.URL.Query().Get("filename"), io.Reader(r.Body)
	if multipart {
		part, err := filePart(r)
		if err != nil {
			return err
		}
		name, body = part.FileName(), part
	} else if name == "" {
		return herald.Violations{{Field: "filename", Code: herald.VRequired,
			Message: "Name the file with ?filename=, or send it as multipart/form-data in a field named file."}}.Err()
	}
	m, err := svc.Upload(r.Context(), c.key.AccountID, name, body)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/media/"+itoa(m.ID))
	return writeJSON(w, http.StatusCreated, mediaOut(svc, m))
}

// filePart returns the "file" part of a multipart body, skipping others.
func filePart(r *http.Request) (interface {
	io.Reader
	FileName() string
}, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, herald.Errorf(problem.CodeBadRequest, "The multipart body cannot be read.")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, herald.Violations{{Field: "file", Code: herald.VRequired, Message: "Send the file in a multipart field named file."}}.Err()
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
}

// loadMedia reads the {id} file of the caller's account.
func (h *Handler) loadMedia(r *http.Request, c *call) (*media.Service, *herald.Media, error) {
	svc, err := h.mediaLibrary()
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	m, err := svc.Media(r.Context(), c.key.AccountID, id)
	return svc, m, err
}

func (h *Handler) getMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, m, err := h.loadMedia(r, c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mediaOut(svc, m))
}

// mediaRename is the body of PATCH /media/{id}.
type mediaRename struct {
	Name *string `json:"name"`
}

func (h *Handler) renameMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, m, err := h.loadMedia(r, c)
	if err != nil {
		return err
	}
	var in mediaRename
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Name != nil {
		if m, err = svc.Rename(r.Context(), c.key.AccountID, m.ID, *in.Name); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, mediaOut(svc, m))
}

func (h *Handler) deleteMedia(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, err := h.mediaLibrary()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, svc.Delete)
}

// mediaContent sends the file's bytes as an attachment.
func (h *Handler) mediaContent(w http.ResponseWriter, r *http.Request, c *call) error {
	svc, m, err := h.loadMedia(r, c)
	if err != nil {
		return err
	}
	rc, err := svc.Open(r.Context(), m)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Cache-Control", "private, no-cache")
	media.Serve(w, r, m, rc, true)
	return nil
}
