package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// mediaAnswer is a media file as the API answers it.
type mediaAnswer struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Format     string `json:"format"`
	MIME       string `json:"mimeType"`
	Size       int64  `json:"size"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	SHA256     string `json:"sha256"`
	PublicURL  string `json:"publicUrl"`
	ContentURL string `json:"contentUrl"`
}

// counter is a body that yields n bytes of 'x' and counts what was read.
type counter struct{ n, read int64 }

func (c *counter) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), c.n-c.read)
	for i := range p[:k] {
		p[i] = 'x'
	}
	c.read += k
	return int(k), nil
}

// send sends a request with key and returns the answer.
func send(t *testing.T, req *http.Request, key string) (*http.Response, []byte) {
	t.Helper()
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// multipartBody is a multipart body with one file part.
func multipartBody(name string, data []byte) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return &b, mw.FormDataContentType()
}

// picture is a w×h PNG.
func picture(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		m.Set(x, x%h, color.RGBA{200, 40, 90, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMediaAPI is the media library through the running binary: uploads
// (multipart with an Idempotency-Key that replays without reading the
// body again, a raw body), refusals (a name that lies, a declared length
// over 500 MB answered before the body is sent), the list, downloads with
// ranges, public links, rename and delete.
func TestMediaAPI(t *testing.T) {
	engines(t, func(t *testing.T, env map[string]string) {
		m, base := startMain(t, env)
		key := apiKey(t, m, "assets", herald.ScopeDIDs)
		omni := apiKey(t, m, "omni", herald.ScopeOmniAPI)
		img := picture(t, 64, 48)

		body, ctype := multipartBody("logo.png", img)
		req, _ := http.NewRequest("POST", base+"/api/v1/media", body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Idempotency-Key", "logo-1")
		res, b := send(t, req, key)
		var logo mediaAnswer
		if res.StatusCode != 201 || json.Unmarshal(b, &logo) != nil {
			t.Fatalf("upload = %d %s", res.StatusCode, b)
		}
		if logo.Kind != "image" || logo.Format != "png" || logo.MIME != "image/png" || logo.Width != 64 || logo.Height != 48 ||
			logo.Size != int64(len(img)) || logo.Name != "logo.png" || res.Header.Get("Location") != fmt.Sprintf("/api/v1/media/%d", logo.ID) {
			t.Errorf("upload answered %+v (Location %q)", logo, res.Header.Get("Location"))
		}

		// The repeat is answered from the first answer before its body is
		// asked for (Expect: 100-continue), so nothing is read again.
		again := &counter{n: int64(len(img)) + 1000}
		req, _ = http.NewRequest("POST", base+"/api/v1/media", again)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Idempotency-Key", "logo-1")
		req.Header.Set("Expect", "100-continue")
		res, b = send(t, req, key)
		var replay mediaAnswer
		_ = json.Unmarshal(b, &replay)
		if res.StatusCode != 201 || res.Header.Get("Idempotent-Replayed") != "true" || replay.ID != logo.ID {
			t.Errorf("repeat = %d %s (replayed %q)", res.StatusCode, b, res.Header.Get("Idempotent-Replayed"))
		}
		if again.read != 0 {
			t.Errorf("the repeat's body was read (%d bytes); a replay must not upload again", again.read)
		}

		// 600 MB declared: refused before a byte is sent.
		big := &counter{n: 600 << 20}
		req, _ = http.NewRequest("POST", base+"/api/v1/media?filename=huge.mp4", big)
		req.ContentLength = big.n
		req.Header.Set("Expect", "100-continue")
		res, b = send(t, req, key)
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), `"code":"too_large"`) || !strings.Contains(string(b), `"field":"file"`) {
			t.Errorf("600 MB upload = %d %s", res.StatusCode, b)
		}
		if big.read > 1<<20 {
			t.Errorf("read %d bytes of a declared 600 MB upload before refusing it", big.read)
		}

		pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
		req, _ = http.NewRequest("POST", base+"/api/v1/media?filename="+url.QueryEscape("Terms 2026.pdf"), bytes.NewReader(pdf))
		req.Header.Set("Content-Type", "application/pdf")
		res, b = send(t, req, key)
		var terms mediaAnswer
		if res.StatusCode != 201 || json.Unmarshal(b, &terms) != nil || terms.Kind != "document" || terms.Format != "pdf" || terms.Name != "Terms 2026.pdf" {
			t.Fatalf("raw upload = %d %s", res.StatusCode, b)
		}
		req, _ = http.NewRequest("POST", base+"/api/v1/media?filename=photo.png", bytes.NewReader(pdf))
		res, b = send(t, req, key)
		if res.StatusCode != 422 || !strings.Contains(string(b), "photo.png is named as a PNG image, but its content is a PDF document.") {
			t.Errorf("PDF named .png = %d %s", res.StatusCode, b)
		}
		req, _ = http.NewRequest("POST", base+"/api/v1/media", bytes.NewReader(pdf))
		if res, b = send(t, req, key); res.StatusCode != 422 || !strings.Contains(string(b), `"field":"filename"`) {
			t.Errorf("raw upload without a name = %d %s", res.StatusCode, b)
		}
		req, _ = http.NewRequest("GET", base+"/api/v1/media", nil)
		if res, _ = send(t, req, omni); res.StatusCode != 403 {
			t.Errorf("a key without the dids scope = %d, want 403", res.StatusCode)
		}

		testMediaReads(t, base, key, logo, terms, img)
		testMediaEdits(t, base, key, logo, env["HERALD_DATA_DIR"])
	})
}

// testMediaReads lists, downloads and fetches public links.
func testMediaReads(t *testing.T, base, key string, logo, terms mediaAnswer, img []byte) {
	t.Helper()
	var page struct{ Items []mediaAnswer }
	apiCall(t, "GET", base+"/api/v1/media?f.kind=eq:image", key, "", nil, 200, &page)
	if len(page.Items) != 1 || page.Items[0].ID != logo.ID || page.Items[0].PublicURL == "" {
		t.Errorf("images = %+v", page.Items)
	}
	apiCall(t, "GET", base+"/api/v1/media?sort=size&desc=1", key, "", nil, 200, &page)
	if len(page.Items) != 2 || page.Items[0].ID != logo.ID || page.Items[1].ID != terms.ID {
		t.Errorf("by size = %+v", page.Items)
	}

	req, _ := http.NewRequest("GET", base+logo.ContentURL, nil)
	req.Header.Set("Range", "bytes=0-7")
	res, b := send(t, req, key)
	if res.StatusCode != 206 || !bytes.Equal(b, img[:8]) {
		t.Errorf("range = %d %q", res.StatusCode, b)
	}
	req, _ = http.NewRequest("GET", base+logo.ContentURL, nil)
	res, b = send(t, req, key)
	if res.StatusCode != 200 || !bytes.Equal(b, img) || res.Header.Get("Content-Disposition") != "attachment; filename=logo.png" {
		t.Errorf("download = %d, %d bytes, %q", res.StatusCode, len(b), res.Header.Get("Content-Disposition"))
	}

	// Public links work without a key, from the process's own address.
	u, err := url.Parse(logo.PublicURL)
	if err != nil || !strings.HasPrefix(u.Path, "/media/public/") {
		t.Fatalf("publicUrl %q", logo.PublicURL)
	}
	res, err = http.Get(base + u.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(b, img) || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("public link = %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(b))
	}
	tu, _ := url.Parse(terms.PublicURL)
	swapped := strings.Replace(u.RequestURI(), fmt.Sprintf("/%d/", logo.ID), fmt.Sprintf("/%d/", terms.ID), 1)
	for _, p := range []string{swapped, strings.Replace(u.RequestURI(), "exp=", "exp=1", 1), tu.Path} {
		if res, err := http.Get(base + p); err != nil || res.StatusCode != 403 {
			t.Errorf("tampered link %s = %v %v, want 403", p, res.StatusCode, err)
		}
	}
}

// testMediaEdits renames and deletes through the API and checks that the
// bytes leave the data directory.
func testMediaEdits(t *testing.T, base, key string, logo mediaAnswer, dataDir string) {
	t.Helper()
	path := fmt.Sprintf("%s/api/v1/media/%d", base, logo.ID)
	var got mediaAnswer
	apiCall(t, "PATCH", path, key, "application/json", strings.NewReader(`{"name": "brand logo.png"}`), 200, &got)
	if got.Name != "brand logo.png" || got.Width != 64 {
		t.Errorf("renamed = %+v", got)
	}
	apiCall(t, "PATCH", path, key, "application/json", strings.NewReader(`{"name": "brand logo.gif"}`), 422, nil)
	files := func() int {
		n := 0
		_ = filepath.WalkDir(filepath.Join(dataDir, "media"), func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				n++
			}
			return nil
		})
		return n
	}
	if n := files(); n != 2 {
		t.Errorf("%d files in the data directory's media, want 2", n)
	}
	apiCall(t, "DELETE", path, key, "", nil, 204, nil)
	apiCall(t, "GET", path, key, "", nil, 404, nil)
	if n := files(); n != 1 {
		t.Errorf("%d files after the delete, want 1", n)
	}
	u, _ := url.Parse(logo.PublicURL)
	if res, err := http.Get(base + u.RequestURI()); err != nil || res.StatusCode != 403 {
		t.Errorf("public link of a deleted file = %v %v, want 403", res.StatusCode, err)
	}
}
