package web

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
)

// TestBrowserMediaUpload uploads through the drop zone's file input in
// Chromium: a file whose content contradicts its name keeps its error
// beside it, a picture goes up with its progress bar and shows in the
// card view with its thumbnail, which opens in the preview dialog.
func TestBrowserMediaUpload(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	photo, fake := filepath.Join(dir, "sunset.png"), filepath.Join(dir, "fake.png")
	if err := os.WriteFile(photo, pngBytes(t, 320, 200), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fake, []byte("%PDF-1.4\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.newUser(f.account.ID, f.roles[herald.RoleBroadcastManager], "bea", true)
	b := newBrowser(t, f.srv.URL)
	b.open("/signin")
	b.do("signing in", chromedp.WaitVisible(chromedp.CSS("#f-login")),
		chromedp.SendKeys(chromedp.CSS("#f-login"), "bea"), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	b.submit("form[action='/signin'] button[type=submit]")

	b.open("/media?view=cards")
	b.do("choosing a file that is not what its name says",
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{fake}),
		chromedp.WaitVisible(chromedp.CSS(".upload-item")))
	b.do("uploading it", chromedp.Click(chromedp.CSS("#upload-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".upload-item .u-status.error")))
	if got := b.text(".upload-item .u-status.error"); got != "fake.png is named as a PNG image, but its content is a PDF document." {
		t.Errorf("error beside the file: %q", got)
	}
	if got := b.text("#e-f-file"); !strings.Contains(got, "The files were not uploaded") {
		t.Errorf("error beside the drop zone: %q", got)
	}
	b.shot("media-upload-error")

	b.do("clearing the list", chromedp.Click(chromedp.CSS("[data-upload-cancel]")))
	b.do("choosing a picture",
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(".upload-item progress")))
	if got := b.text(".upload-item .u-name"); got != "sunset.png" {
		t.Fatalf("listed file: %q", got)
	}
	b.shot("media-upload-ready")
	b.do("uploading it", chromedp.Click(chromedp.CSS("#upload-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`.view-cards img.thumb[alt="sunset.png"]`)))
	if !b.eval(`(function(){var i=document.querySelector('.view-cards img.thumb[alt="sunset.png"]');` +
		`return i.complete && i.naturalWidth===320 && i.naturalHeight===200;})()`) {
		t.Error("the card's thumbnail did not load the picture")
	}
	card := b.text(".view-cards tr.row")
	for _, want := range []string{"sunset.png", "Image", "PNG", "320 x 200 px"} {
		if !strings.Contains(card, want) {
			t.Errorf("card %q lacks %q", card, want)
		}
	}
	b.shot("media-cards")

	b.do("opening the preview", chromedp.Click(chromedp.CSS(".view-cards a.thumb-link")),
		chromedp.WaitVisible(chromedp.CSS("#media-preview[open] img")))
	if !b.eval(`document.querySelector('#media-preview img').src.endsWith('/content')`) {
		t.Error("the preview dialog does not show the picture")
	}
	b.shot("media-preview")
	page, err := f.media.List(sys(f.account.ID), f.account.ID, herald.ListQuery{})
	if err != nil || len(page.Items) != 1 || page.Items[0].Width != 320 {
		t.Fatalf("library = %+v, %v; want the one picture", page.Items, err)
	}

	b.open("/media")
	b.do("the table view", chromedp.WaitVisible(chromedp.CSS(`table.data img.thumb[alt="sunset.png"]`)))
	b.shot("media-table")
	b.open(fmt.Sprintf("/media/%d", page.Items[0].ID))
	if got := b.text("#public-link"); !strings.Contains(got, fmt.Sprintf("/media/public/%d/", page.Items[0].ID)) {
		t.Errorf("public link %q", got)
	}
	b.shot("media-file")
}
