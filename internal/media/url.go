package media

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
)

// Public links let channels that fetch media by URL (WhatsApp, Viber, RCS,
// MMS...) download a file without an API key:
//
//	/media/public/{id}/{token}?exp={unix seconds}
//
// token is the HMAC-SHA256, under a key derived from the server's secret
// key, of the file's ID, its secret blob key and the expiry. A link cannot
// be made for another file or extended, and it stops working when the file
// is deleted or the time passes.

// PublicPrefix is where public links are served.
const PublicPrefix = "/media/public/"

// linkStep rounds expiries up, so that the link of a file stays the same
// for a while and caches can keep it.
const linkStep = time.Hour

// PublicURL returns a link to m that works for at least ttl (the expiry is
// rounded up to the next full hour) and the time it expires.
func (s *Service) PublicURL(m *herald.Media, ttl time.Duration) (string, time.Time) {
	exp := s.clock.Now().Add(ttl).Truncate(linkStep).Add(linkStep).UTC()
	unix := exp.Unix()
	u := fmt.Sprintf("%s%s%d/%s?exp=%d", s.baseURL, PublicPrefix, m.ID, s.token(m, unix), unix)
	return u, exp
}

// token signs m's ID, blob key and expiry.
func (s *Service) token(m *herald.Media, exp int64) string {
	mac := hmac.New(sha256.New, s.urlKey)
	fmt.Fprintf(mac, "herald-media\x00%d\x00%s\x00%d", m.ID, m.Key, exp)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// PublicHandler serves public links; mount it at PublicPrefix. A link
// with a wrong token, or to a file that no longer exists, is 403; an
// expired one is 410. Range requests, If-None-Match and HEAD are served.
func (s *Service) PublicHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PublicPrefix+"{id}/{token}", s.servePublic)
	mux.HandleFunc(PublicPrefix, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Not found.", http.StatusNotFound)
	})
	return mux
}

// servePublic answers one public link.
func (s *Service) servePublic(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	exp, err2 := strconv.ParseInt(r.URL.Query().Get("exp"), 10, 64)
	if err != nil || err2 != nil {
		http.Error(w, "This link is not valid.", http.StatusForbidden)
		return
	}
	m, err := s.store.MediaByID(r.Context(), id)
	if err != nil && !herald.IsNotFound(err) {
		s.log.Error("serving a public media link", "id", id, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	if err != nil || !hmac.Equal([]byte(r.PathValue("token")), []byte(s.token(m, exp))) {
		http.Error(w, "This link is not valid.", http.StatusForbidden)
		return
	}
	left := time.Unix(exp, 0).Sub(s.clock.Now())
	if left <= 0 {
		http.Error(w, "This link has expired.", http.StatusGone)
		return
	}
	rc, err := s.Open(r.Context(), m)
	if err != nil {
		s.log.Error("opening media for a public link", "id", id, "err", err)
		http.Error(w, "The file cannot be read.", http.StatusInternalServerError)
		return
	}
	defer rc.Close()
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(min(left, 24*time.Hour).Seconds())))
	Serve(w, r, m, rc, false)
}

// Serve answers r with m's bytes from content: its MIME type, its SHA-256
// as the ETag, ranges, conditional requests and HEAD (http.ServeContent).
// download asks browsers to save the file under its name instead of
// showing it. The content's own scripts never run: it is served with a
// sandboxing content security policy. Callers set Cache-Control.
func Serve(w http.ResponseWriter, r *http.Request, m *herald.Media, content io.ReadSeeker, download bool) {
	h := w.Header()
	h.Set("Content-Type", m.MIME)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox")
	h.Set("ETag", `"`+m.SHA256+`"`)
	disp := "inline"
	if download || m.Format == FormatBin || m.Format == FormatOLE {
		disp = "attachment"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": m.Name}))
	http.ServeContent(w, r, "", m.CreatedAt, content)
}

// uploadRate is the slowest upload speed Herald waits for.
const uploadRate = 64 << 10 // bytes per second

// AllowUploadTime lifts the server's read timeout for an upload of r's
// declared length (the limit when unknown): five minutes plus the time the
// bytes take at 64 KB/s. Writers that cannot change deadlines are left
// alone.
func AllowUploadTime(w http.ResponseWriter, r *http.Request, limit int64) {
	n := r.ContentLength
	if n < 0 || n > limit {
		n = limit
	}
	d := 5*time.Minute + time.Duration(n/uploadRate)*time.Second
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
}
