package content

import (
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// File is a file sent as a message or shown in one: where to fetch it and,
// when known, its name and size. The format is taken from the name's
// extension, or the URL path's when there is no name.
type File struct {
	URL  string `json:"url"`
	Name string `json:"name,omitempty"`
	Size int64  `json:"size,omitempty"` // bytes; 0 when unknown
}

// fileRules are a channel's limits for a kind of file.
type fileRules struct {
	label   string   // "File", "Image", ...
	formats []string // allowed extensions, lower case, without the dot; nil allows any
	maxSize int64    // bytes; 0 for no limit
	sizeMsg string   // the limit as people read it, "200 MB"
}

// mb is a megabyte as the portals count file sizes: 1024 × 1024 bytes.
const mb = 1 << 20

// viberFileRules: reference 7.4.3, Viber files, at most 200 MB.
func viberFileRules() fileRules {
	return fileRules{label: "File", maxSize: 200 * mb, sizeMsg: "200 MB", formats: []string{
		"jpg", "jpeg", "png", "bmp", "gif", "svg", "mp4", "csv", "doc", "docx", "dot", "dotx", "eps",
		"fods", "fodt", "info", "odf", "ods", "odt", "pdax", "pdf", "rtf", "txt", "xls", "xlsx", "xltx", "xps",
	}}
}

// viberImageRules: the image of a text+media+button message. The reference
// is silent; Viber business messages take JPG, JPEG and PNG images.
func viberImageRules() fileRules {
	return fileRules{label: "Image", formats: []string{"jpg", "jpeg", "png"}}
}

// whatsAppFileRules: reference 7.4.4's formats: images JPG, JPEG, PNG, WEBP;
// audio OGG, AMR, 3GP, AAC, MPEG (mp3 or mpeg files); documents PDF, DOC,
// DOCX, PPTX, XLSX; video MP4. The reference gives no size; WhatsApp's
// largest media limit is 100 MB (documents), and the connector applies the
// per-type limits (images 5 MB, audio and video 16 MB) once the type is known.
func whatsAppFileRules() fileRules {
	return fileRules{label: "File", maxSize: 100 * mb, sizeMsg: "100 MB", formats: []string{
		"jpg", "jpeg", "png", "webp", "ogg", "amr", "3gp", "aac", "mp3", "mpeg", "pdf", "doc", "docx", "pptx", "xlsx", "mp4",
	}}
}

// whatsAppHeaderRules: a card's header media, an image, video or document.
func whatsAppHeaderRules() fileRules {
	r := whatsAppFileRules()
	r.label = "Media"
	r.formats = []string{"jpg", "jpeg", "png", "webp", "mp4", "pdf", "doc", "docx", "pptx", "xlsx"}
	return r
}

// rcsFileRules: the reference is silent; RBM takes files up to 100 MB of
// any type it can fetch (images, videos, PDF), so the format is not checked.
func rcsFileRules() fileRules {
	return fileRules{label: "File", maxSize: 100 * mb, sizeMsg: "100 MB"}
}

// check validates f at the current path.
func (f *File) check(k *checker, rules fileRules) {
	k.webURL("url", f.URL, true, rules.label+" URL")
	k.text("name", f.Name, false, 255, rules.label+" name")
	if f.Size < 0 {
		k.addAt("size", herald.VRange, "%s size must be a number of bytes.", rules.label)
	}
	if rules.maxSize > 0 && f.Size > rules.maxSize {
		has := megabytes(f.Size)
		if has == megabytes(rules.maxSize) {
			has = strconv.FormatInt(f.Size, 10) + " bytes" // just over: MB would read as the limit
		}
		k.addAt("size", herald.VTooLong, "%s must be at most %s (it has %s).", rules.label, rules.sizeMsg, has)
	}
	if rules.formats == nil || templated(f.Name) || f.Name == "" && templated(f.URL) {
		return
	}
	ext, key := f.extension()
	for _, allowed := range rules.formats {
		if ext == allowed {
			return
		}
	}
	if ext == "" {
		k.addAt(key, herald.VFormat, "%s needs a name with an extension, one of %s.", rules.label, strings.Join(rules.formats, ", "))
		return
	}
	k.addAt(key, herald.VFormat, "%s format .%s is not accepted; use one of %s.", rules.label, ext, strings.Join(rules.formats, ", "))
}

// extension returns the file's lower-case extension and the field it came
// from ("name" or "url").
func (f *File) extension() (ext, key string) {
	name, key := f.Name, "name"
	if name == "" {
		key = "url"
		if u, err := url.Parse(f.URL); err == nil {
			name = u.Path
		}
	}
	return strings.ToLower(strings.TrimPrefix(path.Ext(name), ".")), key
}

// megabytes formats a size for a message: "250.5 MB".
func megabytes(n int64) string {
	s := strconv.FormatFloat(float64(n)/mb, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + " MB"
}

// readFile reads a File object into *dst, leaving it nil for null.
func readFile(r *reader, dst **File) {
	f := &File{}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "url":
			f.URL = r.str()
		case "name":
			f.Name = r.str()
		case "size":
			f.Size, _ = r.integer()
		default:
			return false
		}
		return true
	})
	if ok {
		*dst = f
	}
}

// texts visits the file's personalizable fields.
func (f *File) texts(v *visitor) {
	v.visit("url", &f.URL, false)
	v.visit("name", &f.Name, false)
}

// cloneFile copies a file pointer.
func cloneFile(f *File) *File {
	if f == nil {
		return nil
	}
	out := *f
	return &out
}

// fileName names a file for previews.
func fileName(f *File) string {
	if f.Name != "" {
		return f.Name
	}
	return f.URL
}
