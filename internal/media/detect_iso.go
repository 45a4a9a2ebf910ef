package media

import (
	"encoding/binary"
	"io"
	"slices"
	"strings"

	"github.com/heraldhq/herald"
)

// ISO base media files (MP4, 3GP, QuickTime, M4A, HEIC, AVIF) are trees
// of boxes: a 32-bit size (1: a 64-bit size follows; 0: to the end), a
// four-letter type, the content. The brand in the ftyp box names the
// family; the moov box's tracks say whether there is a picture and its
// size; HEIC and AVIF give their size in an ispe property.

// ftypFormat names the format of an ftyp box's brands.
func ftypFormat(head []byte) string {
	if len(head) < 12 {
		return FormatMP4
	}
	major := string(head[8:12])
	var compat []string
	if size := int(binary.BigEndian.Uint32(head)); size <= len(head) {
		for i := 16; i+4 <= size; i += 4 {
			compat = append(compat, string(head[i:i+4]))
		}
	}
	switch {
	case major == "qt  ":
		return FormatMOV
	case strings.HasPrefix(major, "3g2"):
		return Format3G2
	case strings.HasPrefix(major, "3g"):
		return Format3GP
	case major == "M4A " || major == "M4B " || major == "M4P ":
		return FormatM4A
	case major == "avif" || major == "avis" || slices.Contains(compat, "avif"):
		return FormatAVIF
	case slices.Contains([]string{"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"}, major):
		return FormatHEIC
	}
	return FormatMP4
}

// box is one box found by eachBox.
type box struct {
	typ       string
	start     int64 // where its content starts
	end       int64 // where it ends
	truncated bool
}

// maxBoxes bounds the boxes read at one level, against crafted files.
const maxBoxes = 4096

// eachBox calls fn for each box between off and end until fn returns
// false.
func eachBox(ra io.ReaderAt, off, end int64, fn func(b box) bool) {
	var hdr [16]byte
	for i := 0; i < maxBoxes && off+8 <= end; i++ {
		if n, _ := ra.ReadAt(hdr[:], off); n < 8 {
			return
		}
		size, start := int64(binary.BigEndian.Uint32(hdr[:4])), off+8
		switch size {
		case 0:
			size = end - off
		case 1:
			size, start = int64(binary.BigEndian.Uint64(hdr[8:])), off+16
		}
		if size < start-off {
			return
		}
		b := box{typ: string(hdr[4:8]), start: start, end: off + size}
		if b.end > end {
			b.end, b.truncated = end, true
		}
		if !fn(b) || b.truncated {
			return
		}
		off = b.end
	}
}

// child returns the first box of type typ between off and end.
func child(ra io.ReaderAt, off, end int64, typ string) (box, bool) {
	var found box
	ok := false
	eachBox(ra, off, end, func(b box) bool {
		if b.typ == typ {
			found, ok = b, true
		}
		return !ok
	})
	return found, ok
}

// isoRefine reads the pixel size of ISO base media files: the picture
// track's for video, the ispe property's for HEIC and AVIF. An MP4 with
// sound but no picture track is M4A audio.
func isoRefine(info *Info, ra io.ReaderAt, size int64) {
	if info.Kind == herald.MediaImage {
		info.Width, info.Height = ispeSize(ra, size)
		return
	}
	moov, ok := child(ra, 0, size, "moov")
	if !ok {
		return
	}
	sound := false
	eachBox(ra, moov.start, moov.end, func(b box) bool {
		if b.typ != "trak" {
			return true
		}
		switch handler(ra, b) {
		case "vide":
			info.Width, info.Height = trackSize(ra, b)
			sound = false
			return false
		case "soun":
			sound = true
		}
		return true
	})
	if sound && info.Width == 0 && info.Format == FormatMP4 {
		*info = infoOf(FormatM4A)
	}
}

// handler returns the handler type of a track (trak/mdia/hdlr).
func handler(ra io.ReaderAt, trak box) string {
	mdia, ok := child(ra, trak.start, trak.end, "mdia")
	if !ok {
		return ""
	}
	hdlr, ok := child(ra, mdia.start, mdia.end, "hdlr")
	if !ok {
		return ""
	}
	var t [4]byte
	if n, _ := ra.ReadAt(t[:], hdlr.start+8); n < 4 {
		return ""
	}
	return string(t[:])
}

// trackSize reads a track header's width and height (16.16 fixed point,
// after a version-dependent run of fields).
func trackSize(ra io.ReaderAt, trak box) (int, int) {
	tkhd, ok := child(ra, trak.start, trak.end, "tkhd")
	if !ok {
		return 0, 0
	}
	var b [104]byte
	n, _ := ra.ReadAt(b[:], tkhd.start)
	at := 76 // version 0: 32-bit times
	if b[0] == 1 {
		at = 88 // version 1: 64-bit times
	}
	if n < at+8 || tkhd.start+int64(at)+8 > tkhd.end {
		return 0, 0
	}
	return int(binary.BigEndian.Uint32(b[at:]) >> 16), int(binary.BigEndian.Uint32(b[at+4:]) >> 16)
}

// ispeSize reads an image's size from meta/iprp/ipco/ispe.
func ispeSize(ra io.ReaderAt, size int64) (int, int) {
	meta, ok := child(ra, 0, size, "meta")
	if !ok {
		return 0, 0
	}
	iprp, ok := child(ra, meta.start+4, meta.end, "iprp") // meta is a full box
	if !ok {
		return 0, 0
	}
	ipco, ok := child(ra, iprp.start, iprp.end, "ipco")
	if !ok {
		return 0, 0
	}
	ispe, ok := child(ra, ipco.start, ipco.end, "ispe")
	if !ok || ispe.end-ispe.start < 12 {
		return 0, 0
	}
	var b [12]byte
	if n, _ := ra.ReadAt(b[:], ispe.start); n < 12 || b[0] != 0 { // version 0 only
		return 0, 0
	}
	return int(binary.BigEndian.Uint32(b[4:])), int(binary.BigEndian.Uint32(b[8:]))
}
