package media

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// get fetches u with extra headers (name, value pairs).
func get(t *testing.T, u string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func TestPublicURL(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.svc.PublicHandler())
	t.Cleanup(srv.Close)
	data := gifFile(t, 314, 400)
	m, err := f.svc.Upload(f.ctx, f.account, "giphy.gif", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.svc.Upload(f.ctx, f.account, "other.txt", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}

	link, exp := f.svc.PublicURL(m, 2*time.Hour)
	if !strings.HasPrefix(link, "https://herald.example.com/media/public/") {
		t.Fatalf("PublicURL = %q", link)
	}
	if want := time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC); !exp.Equal(want) {
		t.Errorf("expiry = %v, want %v (2 hours, rounded up to the hour)", exp, want)
	}
	again, _ := f.svc.PublicURL(m, 2*time.Hour)
	if again != link {
		t.Errorf("the link changed within the hour: %q then %q", link, again)
	}
	u, _ := url.Parse(link)
	local := srv.URL + u.RequestURI()

	res, body := get(t, local)
	if res.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Fatalf("GET link = %d, %d bytes; want the file", res.StatusCode, len(body))
	}
	for h, want := range map[string]string{"Content-Type": "image/gif", "ETag": `"` + m.SHA256 + `"`, "X-Content-Type-Options": "nosniff",
		"Content-Disposition": `inline; filename=giphy.gif`} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("Content-Security-Policy = %q, want a sandbox", res.Header.Get("Content-Security-Policy"))
	}
	res, body = get(t, local, "Range", "bytes=0-5")
	if res.StatusCode != http.StatusPartialContent || string(body) != "GIF89a" {
		t.Errorf("Range 0-5 = %d %q", res.StatusCode, body)
	}
	res, _ = get(t, local, "If-None-Match", `"`+m.SHA256+`"`)
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match = %d, want 304", res.StatusCode)
	}

	otherLink, _ := f.svc.PublicURL(other, time.Hour)
	ou, _ := url.Parse(otherLink)
	token := strings.Split(u.Path, "/")[4]
	otherToken := strings.Split(ou.Path, "/")[4]
	tampered := map[string]string{
		"another file's token": strings.Replace(u.RequestURI(), token, otherToken, 1),
		"a changed token":      strings.Replace(u.RequestURI(), token, "A"+token[1:], 1),
		"a later expiry":       strings.Replace(u.RequestURI(), "exp=", "exp=9", 1),
		"no expiry":            u.Path,
		"another ID":           strings.Replace(u.RequestURI(), "/public/"+strconv.FormatInt(m.ID, 10)+"/", "/public/"+strconv.FormatInt(other.ID, 10)+"/", 1),
	}
	if tampered["a changed token"] == u.RequestURI() {
		tampered["a changed token"] = strings.Replace(u.RequestURI(), token, "B"+token[1:], 1)
	}
	for what, p := range tampered {
		if res, _ := get(t, srv.URL+p); res.StatusCode != http.StatusForbidden {
			t.Errorf("link with %s = %d, want 403", what, res.StatusCode)
		}
	}

	f.clock.advance(3 * time.Hour)
	if res, body := get(t, local); res.StatusCode != http.StatusGone {
		t.Errorf("expired link = %d %s, want 410", res.StatusCode, body)
	}
	f.clock.advance(-3 * time.Hour)
	if err := f.svc.Delete(f.ctx, f.account, m.ID); err != nil {
		t.Fatal(err)
	}
	if res, _ := get(t, local); res.StatusCode != http.StatusForbidden {
		t.Errorf("link to a deleted file = %d, want 403", res.StatusCode)
	}
}
