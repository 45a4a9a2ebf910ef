package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

// pngBytes is a w×h PNG image.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(255 * x / w), uint8(120 + 100*y/h), 200, 255})
		}
	}
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts files (name, content pairs) as the upload form does; with
// asJSON as the upload script does.
func (c *client) upload(asJSON bool, files ...string) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(files); i += 2 {
		fw, _ := mw.CreateFormFile("file", files[i])
		_, _ = fw.Write([]byte(files[i+1]))
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/media", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	return c.do(req)
}

// TestMediaPages walks the media library without scripts and as the
// upload script does: upload, list, filters, card view, a file's page,
// content, rename and delete.
func TestMediaPages(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")
	img := string(pngBytes(t, 40, 30))
	pdf := "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"

	res := c.upload(false, "cat.png", img, "fake.png", pdf)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("upload with a bad file: %d\n%s", res.Status, res.Body)
	}
	wantFieldErrors(t, res.Body, map[string]string{"file": "fake.png is named as a PNG image, but its content is a PDF document."})
	mustContain(t, res.Body, "cat.png uploaded.", "40 x 30 px")

	res = c.upload(true, "terms.pdf", pdf)
	var created struct {
		ID  int64  `json:"id"`
		URL string `json:"url"`
	}
	if res.Status != http.StatusCreated || json.Unmarshal([]byte(res.Body), &created) != nil || created.ID == 0 {
		t.Fatalf("JSON upload: %d %s", res.Status, res.Body)
	}
	res = c.upload(true, "song.mp3", pdf)
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"file":"song.mp3 is named as an MP3 audio, but its content is a PDF document."`) {
		t.Errorf("JSON upload of a bad file: %d %s", res.Status, res.Body)
	}
	big, _ := http.NewRequest(http.MethodPost, c.base+"/media", strings.NewReader("never read"))
	big.ContentLength = 600 << 20
	big.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	big.Header.Set("Sec-Fetch-Site", "same-origin")
	big.Header.Set("Accept", "application/json")
	big.Header.Set("Expect", "100-continue")
	if res := c.do(big); res.Status != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "larger than 500 MB") {
		t.Errorf("a declared 600 MB upload: %d %s", res.Status, res.Body)
	}
	res = c.upload(false)
	if res.Status != http.StatusUnprocessableEntity || fieldError(res.Body, "file") != "Choose a file to upload." {
		t.Errorf("upload of nothing: %d, error %q", res.Status, fieldError(res.Body, "file"))
	}

	page, err := f.media.List(sys(f.account.ID), f.account.ID, herald.ListQuery{Sort: "name"})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("library = %+v, %v; want cat.png and terms.pdf", page.Items, err)
	}
	cat := page.Items[0]
	catPath := fmt.Sprintf("/media/%d", cat.ID)
	body := c.get("/media").Body
	mustContain(t, body, `<img class="thumb" src="`+catPath+`/content"`, "Image", "PNG", "terms.pdf", "Document",
		`data-copy-text="http://portal.test/media/public/`, `href="`+catPath+`/content?download=1" title="Download" download`)
	body = c.get("/media?f.kind=eq%3Adocument").Body
	if strings.Contains(body, "cat.png") || !strings.Contains(body, "terms.pdf") {
		t.Error("the kind filter does not filter")
	}
	mustContain(t, c.get("/media?view=cards").Body, "table-card view-cards", `aria-current="true"`)

	body = c.get(catPath).Body
	mustContain(t, body, `<img src="`+catPath+`/content"`, "PNG image", "40 x 30 px", "image/png", cat.SHA256,
		fmt.Sprintf("http://portal.test/media/public/%d/", cat.ID))
	res = c.get(catPath + "/content")
	if res.Status != 200 || res.Body != img || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("content: %d %s, %d bytes", res.Status, res.Header.Get("Content-Type"), len(res.Body))
	}
	if d := c.get(catPath + "/content?download=1").Header.Get("Content-Disposition"); d != "attachment; filename=cat.png" {
		t.Errorf("download disposition %q", d)
	}

	res = c.post(catPath, url.Values{"name": {"cat.pdf"}})
	if res.Status != http.StatusUnprocessableEntity || fieldError(res.Body, "name") != "cat.pdf is named as a PDF document, but its content is a PNG image." {
		t.Errorf("rename to .pdf: %d, error %q", res.Status, fieldError(res.Body, "name"))
	}
	if res = c.post(catPath, url.Values{"name": {"kitten.png"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d", res.Status)
	}
	mustContain(t, c.get(res.Location).Body, "Renamed to kitten.png.")

	acc2, roles2 := f.newAccount("Globex")
	c2, _ := f.signedInClient(acc2.ID, roles2[herald.RoleAdmin], "gina")
	for _, p := range []string{catPath, catPath + "/content", catPath + "/delete"} {
		if res := c2.get(p); res.Status != http.StatusNotFound {
			t.Errorf("another account's GET %s: %d, want 404", p, res.Status)
		}
	}
	if res = c.post(catPath+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	if res := c.get(catPath); res.Status != http.StatusNotFound {
		t.Errorf("deleted file: %d", res.Status)
	}
}

// TestAssetsMenu sends the Assets menu to the first page the role opens.
func TestAssetsMenu(t *testing.T) {
	f := newFixture(t)
	c, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea")
	mustContain(t, c.get("/").Body, `href="/media"`)
	body := c.get("/senders").Body
	mustContain(t, body, `<a href="/media">Media</a>`)
	noc, _ := f.signedInClient(f.account.ID, f.roles[herald.RoleNOCEngineer], "nico")
	body = noc.get("/senders").Body
	if strings.Contains(body, `href="/media"`) {
		t.Error("a role without media.manage is shown the Media page")
	}
}
