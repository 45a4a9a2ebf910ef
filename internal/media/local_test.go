package media

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func TestLocal(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "media")
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("NewLocal created %s before any file: %v", dir, err)
	}
	n, err := l.Put(ctx, "a1/ab/abc123", strings.NewReader("hello"), 5)
	if err != nil || n != 5 {
		t.Fatalf("Put = %d, %v", n, err)
	}
	rc, err := l.Open(ctx, "a1/ab/abc123")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	_ = rc.Close()
	if string(b) != "hello" {
		t.Errorf("Open read %q", b)
	}
	if _, err := l.Put(ctx, "a1/ab/big", strings.NewReader("hello!"), 5); herald.ErrorCode(err) != herald.ETOOLARGE {
		t.Errorf("Put over the limit = %v, want ETOOLARGE", err)
	}
	if _, err := l.Open(ctx, "a1/ab/big"); !herald.IsNotFound(err) {
		t.Errorf("a refused Put left a file: %v", err)
	}
	for _, bad := range []string{"", "../x", "a1/../../x", "a1//x", "A1/x", "a1/x.png", "/etc/passwd", `a1\x`} {
		if _, err := l.Put(ctx, bad, strings.NewReader("x"), 5); err == nil {
			t.Errorf("Put(%q) accepted a key outside the rules", bad)
		}
	}
	if err := l.Delete(ctx, "a1/ab/abc123"); err != nil {
		t.Fatal(err)
	}
	if err := l.Delete(ctx, "a1/ab/abc123"); err != nil {
		t.Errorf("Delete of a missing key = %v, want nil", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "a1", "ab"))
	if len(entries) != 0 {
		t.Errorf("left in the directory: %v", entries)
	}
}
