package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// newMedia inserts a media record of the fixture's account.
func (f *fixture) newMedia(t *testing.T, name string, kind herald.MediaKind, format string, size int64) *herald.Media {
	t.Helper()
	m := &herald.Media{AccountID: f.account.ID, Name: name, Kind: kind, Format: format, MIME: "application/x-" + format,
		Size: size, SHA256: strings.Repeat("ab", 32), Key: fmt.Sprintf("a%d/%s/%d", f.account.ID, format, size), CreatedBy: 9001}
	if kind == herald.MediaImage {
		m.Width, m.Height = 640, 480
	}
	noErr(t, "CreateMedia("+name+")", f.s.CreateMedia(f.ctx, m))
	return m
}

func testMedia(t *testing.T, open func(t *testing.T) *store.Store) {
	f := newFixture(t, open, "media")
	other := addFixture(t, f.s, "media-other")
	cat := f.newMedia(t, "cat.png", herald.MediaImage, "png", 2048)
	if cat.ID == 0 {
		t.Fatal("CreateMedia did not set the ID")
	}
	recent(t, "CreatedAt", cat.CreatedAt)
	got, err := f.s.Media(f.ctx, f.account.ID, cat.ID)
	noErr(t, "Media", err)
	equal(t, "Media", *got, *cat)
	byID, err := f.s.MediaByID(f.ctx, cat.ID)
	noErr(t, "MediaByID", err)
	equal(t, "MediaByID", *byID, *cat)
	_, err = f.s.Media(other.ctx, other.account.ID, cat.ID)
	wantCode(t, "Media of another account", err, herald.ENOTFOUND)
	_, err = f.s.MediaByID(f.ctx, 987654)
	wantCode(t, "MediaByID(unknown)", err, herald.ENOTFOUND)

	for _, bad := range []string{"", "a/b.png", `a\b.png`, " lead.png", strings.Repeat("x", herald.MaxMediaName+1)} {
		m := &herald.Media{AccountID: f.account.ID, Name: bad, Kind: herald.MediaOther, Format: "bin", Key: "k" + bad}
		err := f.s.CreateMedia(f.ctx, m)
		wantCode(t, fmt.Sprintf("CreateMedia(%q)", bad), err, herald.EINVALID)
		if vs := herald.ErrorViolations(err); len(vs) != 1 || vs[0].Field != "name" {
			t.Errorf("CreateMedia(%q) violations = %+v, want one on name", bad, vs)
		}
	}
	testMediaList(t, f, other, cat)
	testMediaEdits(t, f, other, cat)
}

// testMediaList checks ListMedia's filters, sorting and tenancy.
func testMediaList(t *testing.T, f, other *fixture, cat *herald.Media) {
	t.Helper()
	clip := f.newMedia(t, "Clip.mp4", herald.MediaVideo, "mp4", 900000)
	doc := f.newMedia(t, "terms.pdf", herald.MediaDocument, "pdf", 51200)
	dog := f.newMedia(t, "dog.jpg", herald.MediaImage, "jpeg", 4096)
	other.newMedia(t, "theirs.png", herald.MediaImage, "png", 1000)
	mediaID := func(m herald.Media) int64 { return m.ID }
	cases := []struct {
		q    herald.ListQuery
		want []int64
	}{
		{herald.ListQuery{}, []int64{dog.ID, doc.ID, clip.ID, cat.ID}},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "kind", Op: herald.OpEq, Value: "image"}}}, []int64{dog.ID, cat.ID}},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "name", Op: herald.OpContains, Value: "CLIP"}}}, []int64{clip.ID}},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "format", Op: herald.OpEq, Value: "pdf"}}}, []int64{doc.ID}},
		{herald.ListQuery{Filters: []herald.Filter{{Field: "size", Op: herald.OpRange, Min: "3000", Max: "60000"}}}, []int64{dog.ID, doc.ID}},
		{herald.ListQuery{Sort: "size"}, []int64{cat.ID, dog.ID, doc.ID, clip.ID}},
		{herald.ListQuery{Sort: "name", Desc: true}, []int64{doc.ID, dog.ID, clip.ID, cat.ID}},
	}
	for _, c := range cases {
		page, err := f.s.ListMedia(f.ctx, f.account.ID, c.q)
		noErr(t, "ListMedia "+label(c.q), err)
		equal(t, "ListMedia "+label(c.q), ids(page.Items, mediaID), c.want)
	}
	page, err := f.s.ListMedia(f.ctx, f.account.ID, herald.ListQuery{Limit: 3})
	noErr(t, "ListMedia page 1", err)
	if len(page.Items) != 3 || page.Next == "" {
		t.Fatalf("ListMedia page 1 = %d items, next %q", len(page.Items), page.Next)
	}
	page, err = f.s.ListMedia(f.ctx, f.account.ID, herald.ListQuery{Limit: 3, Cursor: page.Next})
	noErr(t, "ListMedia page 2", err)
	equal(t, "ListMedia page 2", ids(page.Items, mediaID), []int64{cat.ID})
	if got := page.Items[0]; got.Key != cat.Key || got.Width != 640 || got.SHA256 != cat.SHA256 {
		t.Errorf("listed media = %+v, want every column of %+v", got, *cat)
	}
	_, err = f.s.ListMedia(f.ctx, f.account.ID, herald.ListQuery{Sort: "sha256"})
	wantCode(t, "ListMedia by an unknown column", err, herald.EINVALID)
}

// testMediaEdits checks RenameMedia, DeleteMedia and their audit entries.
func testMediaEdits(t *testing.T, f, other *fixture, cat *herald.Media) {
	t.Helper()
	noErr(t, "RenameMedia", f.s.RenameMedia(f.ctx, f.account.ID, cat.ID, "kitten.png"))
	got, err := f.s.Media(f.ctx, f.account.ID, cat.ID)
	noErr(t, "Media after rename", err)
	if got.Name != "kitten.png" || got.Key != cat.Key || got.Size != cat.Size {
		t.Errorf("after rename: %+v", got)
	}
	wantViolation(t, "RenameMedia to an empty name", f.s.RenameMedia(f.ctx, f.account.ID, cat.ID, " "), "name", herald.VRequired)
	wantCode(t, "RenameMedia in another account", f.s.RenameMedia(other.ctx, other.account.ID, cat.ID, "x.png"), herald.ENOTFOUND)

	_, err = f.s.DeleteMedia(other.ctx, other.account.ID, cat.ID)
	wantCode(t, "DeleteMedia in another account", err, herald.ENOTFOUND)
	old, err := f.s.DeleteMedia(f.ctx, f.account.ID, cat.ID)
	noErr(t, "DeleteMedia", err)
	if old.Key != cat.Key || old.Name != "kitten.png" {
		t.Errorf("DeleteMedia returned %+v, want the deleted record", old)
	}
	_, err = f.s.Media(f.ctx, f.account.ID, cat.ID)
	wantCode(t, "Media after delete", err, herald.ENOTFOUND)
	_, err = f.s.DeleteMedia(f.ctx, f.account.ID, cat.ID)
	wantCode(t, "DeleteMedia twice", err, herald.ENOTFOUND)

	actions := auditActions(t, f)
	for _, want := range []string{"Added new media", "Renamed media", "Deleted media"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit actions %v lack %q", actions, want)
		}
	}
	var keyInAudit bool
	err = f.s.EachAudit(f.ctx, f.account.ID, herald.ListQuery{}, func(e *herald.AuditEntry) error {
		for _, d := range e.Details {
			keyInAudit = keyInAudit || strings.Contains(d.OldValue+d.NewValue, cat.Key)
		}
		return nil
	})
	noErr(t, "EachAudit", err)
	if keyInAudit {
		t.Error("the audit log holds the blob key, which must stay secret")
	}
}
