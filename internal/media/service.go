package media

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// Store is what the service needs from the database: the library's
// records, and one lookup across accounts for public links (whose
// signature is checked against the record before anything is served).
type Store interface {
	herald.MediaStore
	MediaByID(ctx context.Context, id int64) (*herald.Media, error)
}

// Service is the media library. It is safe for concurrent use.
type Service struct {
	store   Store
	blobs   herald.BlobStore
	urlKey  []byte
	baseURL string
	clock   herald.Clock
	log     *slog.Logger
	maxSize int64
	linkTTL time.Duration
}

// Option changes a Service.
type Option func(*Service)

// WithMaxSize sets the largest file Upload takes (herald.MaxMediaSize by
// default); tests use a small one.
func WithMaxSize(n int64) Option { return func(s *Service) { s.maxSize = n } }

// WithClock sets the clock that public links expire by.
func WithClock(c herald.Clock) Option { return func(s *Service) { s.clock = c } }

// WithLogger sets where failures to remove stored bytes are logged.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithLinkTTL sets how long the public links of API answers and the
// portal's "copy link" last (DefaultLinkTTL by default).
func WithLinkTTL(d time.Duration) Option { return func(s *Service) { s.linkTTL = d } }

// DefaultLinkTTL is how long a public link lasts unless the caller asks
// for another lifetime.
const DefaultLinkTTL = 7 * 24 * time.Hour

// New returns the media library over store and blobs. urlKey signs public
// links (derive it from the server's secret key); baseURL is the public
// address links start with, such as "https://herald.example.com".
func New(store Store, blobs herald.BlobStore, urlKey []byte, baseURL string, opts ...Option) *Service {
	s := &Service{store: store, blobs: blobs, urlKey: urlKey, baseURL: strings.TrimSuffix(baseURL, "/"),
		clock: herald.SystemClock{}, log: slog.New(slog.DiscardHandler), maxSize: herald.MaxMediaSize, linkTTL: DefaultLinkTTL}
	for _, o := range opts {
		o(s)
	}
	return s
}

// MaxSize returns the largest file Upload takes.
func (s *Service) MaxSize() int64 { return s.maxSize }

// LinkTTL returns the lifetime of the links PublicURL makes by default.
func (s *Service) LinkTTL() time.Duration { return s.linkTTL }

// TooLarge is the ETOOLARGE error of a file over the limit, with a
// violation on "file".
func (s *Service) TooLarge() error {
	msg := fmt.Sprintf("The file is larger than %s, the most the media library takes.", HumanSize(s.maxSize))
	return &herald.Error{Code: herald.ETOOLARGE, Message: msg,
		Violations: []herald.Violation{{Field: "file", Code: herald.VTooLarge, Message: msg}}}
}

// CheckDeclared refuses an upload whose declared length (a request's
// Content-Length; -1 when unknown) is over the limit, before any of it is
// read. A multipart body carries some bytes around the file, which slack
// allows for.
func (s *Service) CheckDeclared(length, slack int64) error {
	if length > s.maxSize+slack {
		return s.TooLarge()
	}
	return nil
}

// Upload streams r into the library as the account's file name: the bytes
// go to the blob store as they arrive (never all in memory) and past the
// size limit the upload stops with ETOOLARGE. The kind, format, MIME type
// and pixel size come from the content; a name whose extension announces
// another format is refused (EINVALID on "file"). The creator is the
// actor in ctx.
func (s *Service) Upload(ctx context.Context, accountID int64, name string, r io.Reader) (*herald.Media, error) {
	name = CleanName(name)
	key, err := newKey(accountID)
	if err != nil {
		return nil, err
	}
	sum := sha256.New()
	n, err := s.blobs.Put(ctx, key, io.TeeReader(r, sum), s.maxSize)
	if herald.ErrorCode(err) == herald.ETOOLARGE {
		return nil, s.TooLarge()
	} else if err != nil {
		s.discard(key)
		return nil, fmt.Errorf("storing upload: %w", err)
	}
	info, err := s.detectStored(ctx, key, n)
	if err == nil {
		info = byName(info, name)
		err = checkName("file", name, info)
	}
	if err != nil {
		s.discard(key)
		return nil, err
	}
	m := &herald.Media{AccountID: accountID, Name: name, Kind: info.Kind, Format: info.Format, MIME: info.MIME,
		Size: n, Width: info.Width, Height: info.Height, SHA256: hex.EncodeToString(sum.Sum(nil)), Key: key,
		CreatedBy: herald.ActorFrom(ctx).UserID}
	if err := s.store.CreateMedia(ctx, m); err != nil {
		s.discard(key)
		return nil, err
	}
	return m, nil
}

// detectStored recognises the stored bytes under key.
func (s *Service) detectStored(ctx context.Context, key string, size int64) (Info, error) {
	rc, err := s.blobs.Open(ctx, key)
	if err != nil {
		return Info{}, fmt.Errorf("reading upload: %w", err)
	}
	defer rc.Close()
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		ra = &seekReaderAt{rs: rc}
	}
	return Detect(ra, size)
}

// byName settles what content alone cannot: whether text is a CSV table
// or plain text, when the name says which.
func byName(info Info, name string) Info {
	want := announced(name)
	if (info.Format == FormatCSV || info.Format == FormatTXT) && len(want) > 0 && (want[0] == FormatCSV || want[0] == FormatTXT) {
		switch strings.ToLower(path.Ext(name)) {
		case ".csv":
			return infoOf(FormatCSV)
		default:
			return infoOf(FormatTXT)
		}
	}
	return info
}

// discard removes bytes that no record will point to.
func (s *Service) discard(key string) {
	if err := s.blobs.Delete(context.Background(), key); err != nil {
		s.log.Warn("removing media file", "key", key, "err", err)
	}
}

// Media returns one file of the account, or ENOTFOUND.
func (s *Service) Media(ctx context.Context, accountID, id int64) (*herald.Media, error) {
	return s.store.Media(ctx, accountID, id)
}

// List returns one page of the account's library (herald.MediaColumns).
func (s *Service) List(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Media], error) {
	return s.store.ListMedia(ctx, accountID, q)
}

// Rename gives the account's file id a new name, which must announce the
// same format as the content (EINVALID on "name"), and returns the file.
func (s *Service) Rename(ctx context.Context, accountID, id int64, name string) (*herald.Media, error) {
	m, err := s.store.Media(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if err := herald.ValidateMediaName(name); err != nil {
		return nil, err
	}
	info := Info{Kind: m.Kind, Format: m.Format, MIME: m.MIME}
	if err := checkName("name", name, info); err != nil {
		return nil, err
	}
	if err := s.store.RenameMedia(ctx, accountID, id, name); err != nil {
		return nil, err
	}
	m.Name = name
	return m, nil
}

// Delete removes the account's file id: the record, then the bytes.
func (s *Service) Delete(ctx context.Context, accountID, id int64) error {
	m, err := s.store.DeleteMedia(ctx, accountID, id)
	if err != nil {
		return err
	}
	s.discard(m.Key)
	return nil
}

// Open returns m's bytes; the caller must Close them.
func (s *Service) Open(ctx context.Context, m *herald.Media) (io.ReadSeekCloser, error) {
	return s.blobs.Open(ctx, m.Key)
}

// newKey returns a new blob key for the account: 128 random bits, so keys
// cannot be guessed, below a directory per account and per first byte.
func newKey(accountID int64) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a media key: %w", err)
	}
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("a%d/%s/%s", accountID, h[:2], h), nil
}

// CleanName keeps the base name of an uploaded file, without control
// characters or surrounding spaces, at most herald.MaxMediaName characters
// (keeping the extension); an empty name becomes "upload".
func CleanName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name))
	if name == "." || name == "/" || name == "" {
		return "upload"
	}
	if r := []rune(name); len(r) > herald.MaxMediaName {
		ext := []rune(path.Ext(name))
		if len(ext) > 16 {
			ext = nil
		}
		name = strings.TrimSpace(string(r[:herald.MaxMediaName-len(ext)])) + string(ext)
	}
	return name
}

// HumanSize writes a byte count the way the portal shows weights:
// "263.55 KB", "500 MB".
func HumanSize(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f, i = f/1024, i+1
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	s := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
	return s + " " + units[i]
}

// seekReaderAt reads at offsets through Seek and Read, for blob stores
// whose readers are no io.ReaderAt.
type seekReaderAt struct {
	mu sync.Mutex
	rs io.ReadSeeker
}

// ReadAt implements io.ReaderAt.
func (s *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.rs.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s.rs, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}
