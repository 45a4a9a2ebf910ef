package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/heraldhq/herald"
)

// Local is a herald.BlobStore in a directory (<data dir>/media in the
// embedded setup). A key such as "a7/3f/3f9c..." is a path below the
// directory. Put writes to a temporary file next to the final one and
// renames it into place after an fsync, so a reader never sees half a file
// and a crash leaves at most a temporary file behind. It is safe for
// concurrent use.
type Local struct {
	root string
}

var _ herald.BlobStore = (*Local)(nil)

// NewLocal returns a store in dir. The directory is created (mode 0700)
// with the first file, so commands that store nothing leave no trace.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("media: no directory for the media files")
	}
	return &Local{root: dir}, nil
}

// path returns the file of key. Keys are lower-case letters, digits and
// dashes in segments separated by slashes, so they cannot leave the root.
func (l *Local) path(key string) (string, error) {
	if key == "" {
		return "", errors.New("media: empty blob key")
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || strings.Trim(seg, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return "", fmt.Errorf("media: invalid blob key %q", key)
		}
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// Put stores r under key, reading at most limit bytes: past that it stops
// reading, removes what it wrote and returns ETOOLARGE.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, error) {
	dst, err := l.path(key)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, fmt.Errorf("creating media directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".upload-*")
	if err != nil {
		return 0, fmt.Errorf("creating media file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	n, err := io.CopyBuffer(tmp, &capReader{ctx: ctx, r: r, left: limit}, make([]byte, 256<<10))
	if err != nil {
		if herald.ErrorCode(err) == herald.ETOOLARGE {
			return n, err
		}
		return n, fmt.Errorf("writing media file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return n, fmt.Errorf("writing media file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return n, fmt.Errorf("writing media file: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return n, fmt.Errorf("placing media file: %w", err)
	}
	done = true
	return n, nil
}

// Open returns the file under key, or ENOTFOUND. The caller must Close it.
func (l *Local) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, herald.Errorf(herald.ENOTFOUND, "The media file's content is missing.")
	} else if err != nil {
		return nil, fmt.Errorf("opening media file: %w", err)
	}
	return f, nil
}

// Delete removes the file under key; a missing file is not an error.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("deleting media file: %w", err)
	}
	return nil
}

// capReader reads r until ctx ends or more than left bytes arrive; then
// it fails with ETOOLARGE without passing the extra bytes on.
type capReader struct {
	ctx  context.Context
	r    io.Reader
	left int64
}

// Read implements io.Reader.
func (c *capReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.left <= 0 {
		// At the limit: one more byte means the file is too large.
		var probe [1]byte
		n, err := c.r.Read(probe[:])
		if n > 0 {
			return 0, herald.Errorf(herald.ETOOLARGE, "The file is larger than the limit.")
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
