package herald

import (
	"context"
	"io"
	"strings"
	"time"
	"unicode"
)

// MaxMediaSize is the largest file the media library takes (500 MB).
const MaxMediaSize = 500 << 20

// MaxMediaName is the longest media file name, in characters.
const MaxMediaName = 255

// MediaKind is the broad type of a media file, detected from its content.
type MediaKind string

// Media kinds.
const (
	MediaImage    MediaKind = "image"
	MediaVideo    MediaKind = "video"
	MediaAudio    MediaKind = "audio"
	MediaDocument MediaKind = "document"
	MediaOther    MediaKind = "other"
)

// Media is a file in an account's media library (reference 001 section
// 12.1). Kind, Format, Width, Height and Size are detected from the
// content, never taken from the name.
type Media struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"-"`
	Name      string    `json:"name"`   // the file name as uploaded, for people
	Kind      MediaKind `json:"kind"`   // image, video, audio, document, other
	Format    string    `json:"format"` // lower-case format such as jpeg, png, gif, mp4, pdf
	MIME      string    `json:"mimeType"`
	Size      int64     `json:"size"`             // bytes
	Width     int       `json:"width,omitempty"`  // pixels, images (and video when known)
	Height    int       `json:"height,omitempty"` // pixels
	SHA256    string    `json:"sha256"`
	// Key locates the bytes in the BlobStore.
	Key       string    `json:"-"`
	CreatedBy int64     `json:"-"` // user ID; 0 for an API key
	CreatedAt time.Time `json:"createdAt"`
}

// ValidateMediaName checks a media file's name: required, at most
// MaxMediaName characters, no path separators or control characters.
// Violations name the field "name".
func ValidateMediaName(name string) error {
	var vs Violations
	vs.CheckLen("name", name, true, MaxMediaName)
	switch {
	case vs.Has("name"):
	case strings.ContainsAny(name, `/\`):
		vs.Add("name", VFormat, "The name must not contain / or \\.")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		vs.Add("name", VFormat, "The name must not contain control characters.")
	case name != strings.TrimSpace(name):
		vs.Add("name", VFormat, "The name must not start or end with spaces.")
	}
	return vs.Err()
}

// MediaStore keeps the media library's records (the bytes are in a
// BlobStore). Methods are scoped to accountID.
type MediaStore interface {
	// CreateMedia validates m's name and inserts m (its bytes already
	// stored under m.Key), setting its ID and CreatedAt.
	CreateMedia(ctx context.Context, m *Media) error
	// Media returns one file's record, or ENOTFOUND.
	Media(ctx context.Context, accountID, id int64) (*Media, error)
	// ListMedia returns one page of the library (MediaColumns).
	ListMedia(ctx context.Context, accountID int64, q ListQuery) (Page[Media], error)
	// RenameMedia validates and sets a file's display name. ENOTFOUND.
	RenameMedia(ctx context.Context, accountID, id int64, name string) error
	// DeleteMedia removes the record and returns it so the caller can
	// remove the bytes. ENOTFOUND.
	DeleteMedia(ctx context.Context, accountID, id int64) (*Media, error)
}

// BlobStore keeps file bytes: a directory on disk in the embedded setup,
// an S3-compatible bucket when scaled out.
type BlobStore interface {
	// Put stores r under key, reading at most limit bytes: more is an
	// ETOOLARGE error and nothing is kept. It returns the bytes written.
	Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, error)
	// Open returns the bytes under key, or ENOTFOUND.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// MediaColumns are the columns of the media library table.
func MediaColumns() []Column {
	return []Column{
		{Key: "name", Label: "Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "kind", Label: "Type", Type: ColEnum, Options: []string{string(MediaImage), string(MediaVideo), string(MediaAudio), string(MediaDocument), string(MediaOther)}, Sortable: true, Filterable: true},
		{Key: "format", Label: "Format", Type: ColText, Sortable: true, Filterable: true},
		{Key: "size", Label: "Weight", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "createdAt", Label: "Uploaded", Type: ColTime, Sortable: true, Filterable: true},
	}
}
