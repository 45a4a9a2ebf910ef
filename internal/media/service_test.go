package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/storetest"
)

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is the service over a real SQLite store and a Local blob store
// in a temporary directory, with one account.
type fixture struct {
	svc     *Service
	store   *store.Store
	dir     string
	clock   *testClock
	account int64
	ctx     context.Context
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	s := storetest.OpenSQLite(t)
	dir := filepath.Join(t.TempDir(), "media")
	blobs, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	acc := &herald.Account{Name: "Acme", Status: herald.AccountActive, TimeZone: "UTC"}
	if err := s.CreateAccount(context.Background(), acc); err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 3, 1, 10, 20, 0, 0, time.UTC)}
	opts = append([]Option{WithClock(clock)}, opts...)
	f := &fixture{svc: New(s, blobs, []byte("0123456789abcdef0123456789abcdef"), "https://herald.example.com/", opts...),
		store: s, dir: dir, clock: clock, account: acc.ID}
	f.ctx = herald.WithActor(context.Background(), herald.Actor{AccountID: acc.ID, UserID: 42, Login: "ann"})
	return f
}

// files returns the regular files below the blob directory.
func (f *fixture) files(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(f.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUpload(t *testing.T) {
	f := newFixture(t)
	data := pngFile(t, 339, 360)
	m, err := f.svc.Upload(f.ctx, f.account, `C:\photos\thumb-welcome.png`, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := herald.Media{ID: m.ID, AccountID: f.account, Name: "thumb-welcome.png", Kind: herald.MediaImage, Format: FormatPNG,
		MIME: "image/png", Size: int64(len(data)), Width: 339, Height: 360, SHA256: hex.EncodeToString(sum[:]), Key: m.Key,
		CreatedBy: 42, CreatedAt: m.CreatedAt}
	if *m != want {
		t.Errorf("Upload = %+v\nwant %+v", *m, want)
	}
	if !strings.HasPrefix(m.Key, "a"+strconv.FormatInt(f.account, 10)+"/") || len(m.Key) < 32 {
		t.Errorf("key %q: want a random key below the account's directory", m.Key)
	}
	stored, err := f.svc.Media(f.ctx, f.account, m.ID)
	if err != nil || *stored != *m {
		t.Errorf("Media = %+v, %v; want the uploaded record", stored, err)
	}
	rc, err := f.svc.Open(f.ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	_ = rc.Close()
	if !bytes.Equal(got, data) {
		t.Error("the stored bytes differ from the upload")
	}
	if n := len(f.files(t)); n != 1 {
		t.Errorf("%d files in the blob directory, want 1", n)
	}

	csv, err := f.svc.Upload(f.ctx, f.account, "contacts.txt", strings.NewReader("phone,name\n1,a\n2,b\n"))
	if err != nil || csv.Format != FormatTXT {
		t.Errorf("a table named .txt = %+v, %v; want txt", csv, err)
	}
	csv, err = f.svc.Upload(f.ctx, f.account, "numbers.csv", strings.NewReader("+34600111222\n+34600111333\n"))
	if err != nil || csv.Format != FormatCSV || csv.MIME != "text/csv" {
		t.Errorf("one column named .csv = %+v, %v; want csv", csv, err)
	}
}

// TestUploadMismatch refuses a file whose content contradicts its name,
// and keeps nothing of it.
func TestUploadMismatch(t *testing.T) {
	f := newFixture(t)
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
	_, err := f.svc.Upload(f.ctx, f.account, "cake.png", bytes.NewReader(pdf))
	vs := herald.ErrorViolations(err)
	if herald.ErrorCode(err) != herald.EINVALID || len(vs) != 1 || vs[0].Field != "file" ||
		!strings.Contains(vs[0].Message, "PNG image") || !strings.Contains(vs[0].Message, "PDF document") {
		t.Fatalf("Upload(PDF named .png) = %v; want a violation on file naming both formats", err)
	}
	_, err = f.svc.Upload(f.ctx, f.account, "empty.txt", strings.NewReader(""))
	if vs := herald.ErrorViolations(err); len(vs) != 1 || vs[0].Code != herald.VRequired {
		t.Errorf("Upload(empty) = %v; want file required", err)
	}
	if files := f.files(t); len(files) != 0 {
		t.Errorf("refused uploads left %v", files)
	}
	page, err := f.svc.List(f.ctx, f.account, herald.ListQuery{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("List = %+v, %v; want nothing", page.Items, err)
	}
}

// countingReader yields n bytes of 'x' (forever when n < 0) and counts
// what was read.
type countingReader struct {
	n, read int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.n >= 0 && r.read >= r.n {
		return 0, io.EOF
	}
	k := int64(len(p))
	if r.n >= 0 {
		k = min(k, r.n-r.read)
	}
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.read += k
	return int(k), nil
}

// TestUploadTooLarge stops reading an upload as soon as it passes the
// limit, even one that never ends, and keeps nothing.
func TestUploadTooLarge(t *testing.T) {
	const limit = 100 << 10
	f := newFixture(t, WithMaxSize(limit))
	for _, n := range []int64{limit + 1, 10 * limit, -1} {
		r := &countingReader{n: n}
		_, err := f.svc.Upload(f.ctx, f.account, "big.txt", r)
		vs := herald.ErrorViolations(err)
		if herald.ErrorCode(err) != herald.ETOOLARGE || len(vs) != 1 || vs[0].Field != "file" || vs[0].Code != herald.VTooLarge {
			t.Fatalf("Upload(%d bytes) = %v; want ETOOLARGE on file", n, err)
		}
		if !strings.Contains(err.Error(), "100 KB") {
			t.Errorf("message %q does not name the limit", herald.ErrorMessage(err))
		}
		if r.read > limit+1 {
			t.Errorf("read %d bytes of a %d-byte upload; want at most the limit and one more", r.read, n)
		}
	}
	if _, err := f.svc.Upload(f.ctx, f.account, "fits.txt", &countingReader{n: limit}); err != nil {
		t.Errorf("Upload(exactly the limit) = %v", err)
	}
	if files := f.files(t); len(files) != 1 {
		t.Errorf("files after the refusals: %v; want the one that fit", files)
	}
	if err := f.svc.CheckDeclared(limit+1, 0); herald.ErrorCode(err) != herald.ETOOLARGE {
		t.Errorf("CheckDeclared(limit+1) = %v", err)
	}
	if err := f.svc.CheckDeclared(limit+500, 1024); err != nil {
		t.Errorf("CheckDeclared(limit+500, slack 1024) = %v", err)
	}
	if err := f.svc.CheckDeclared(-1, 0); err != nil {
		t.Errorf("CheckDeclared(unknown) = %v", err)
	}
}

// TestUploadCancelled keeps nothing of an upload whose request ends.
func TestUploadCancelled(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(f.ctx)
	r := io.MultiReader(strings.NewReader("hello"), readerFunc(func(p []byte) (int, error) {
		cancel()
		return copy(p, "more"), nil
	}), strings.NewReader("and more"))
	if _, err := f.svc.Upload(ctx, f.account, "x.txt", r); err == nil {
		t.Fatal("Upload with a cancelled context succeeded")
	}
	if files := f.files(t); len(files) != 0 {
		t.Errorf("a cancelled upload left %v", files)
	}
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestRenameAndDelete(t *testing.T) {
	f := newFixture(t)
	m, err := f.svc.Upload(f.ctx, f.account, "cake.jpg", bytes.NewReader(jpegFile(t, 259, 194)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Rename(f.ctx, f.account, m.ID, " birthday cake.JPEG ")
	if err != nil || got.Name != "birthday cake.JPEG" {
		t.Fatalf("Rename = %+v, %v", got, err)
	}
	_, err = f.svc.Rename(f.ctx, f.account, m.ID, "cake.pdf")
	if vs := herald.ErrorViolations(err); len(vs) != 1 || vs[0].Field != "name" || !strings.Contains(vs[0].Message, "JPEG image") {
		t.Errorf("Rename to .pdf = %v; want a violation on name", err)
	}
	_, err = f.svc.Rename(f.ctx, f.account, m.ID, "a/b.jpg")
	if vs := herald.ErrorViolations(err); len(vs) != 1 || vs[0].Field != "name" {
		t.Errorf("Rename with a slash = %v; want a violation on name", err)
	}
	if _, err := f.svc.Rename(f.ctx, f.account+1, m.ID, "x.jpg"); !herald.IsNotFound(err) {
		t.Errorf("Rename in another account = %v", err)
	}
	if err := f.svc.Delete(f.ctx, f.account+1, m.ID); !herald.IsNotFound(err) {
		t.Errorf("Delete in another account = %v", err)
	}
	if err := f.svc.Delete(f.ctx, f.account, m.ID); err != nil {
		t.Fatal(err)
	}
	if files := f.files(t); len(files) != 0 {
		t.Errorf("Delete left %v", files)
	}
	if _, err := f.svc.Media(f.ctx, f.account, m.ID); !herald.IsNotFound(err) {
		t.Errorf("Media after Delete = %v", err)
	}
}
