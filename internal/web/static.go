package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// asset is one static file with its content-hashed name.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// assets maps the static files' plain names ("app.css") to their hashed
// names ("app.3f2a1c9e.css") and the hashed names to their content. A new
// build changes the hash, so a year of caching is safe.
type assets struct {
	hashed map[string]string
	files  map[string]asset
}

// loadAssets reads and hashes every file under static/.
func loadAssets() (*assets, error) {
	a := &assets{hashed: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:10]
		name := path.Base(p)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		a.hashed[name] = hashed
		a.files[hashed] = asset{body: body, ctype: mime.TypeByExtension(ext), etag: `"` + hash + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading static assets: %w", err)
	}
	return a, nil
}

// url returns the content-hashed URL of a static file; templates call it as
// {{asset "app.css"}}.
func (a *assets) url(name string) (string, error) {
	h, ok := a.hashed[name]
	if !ok {
		return "", fmt.Errorf("unknown static asset %q", name)
	}
	return "/static/" + h, nil
}

// serveAsset serves a static file by its hashed name with long-lived cache
// headers. Old hashes are not found: pages always link the current ones.
func (p *Portal) serveAsset(w http.ResponseWriter, r *http.Request) {
	f, ok := p.assets.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(f.body)
}
