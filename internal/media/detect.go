package media

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"github.com/richardlehane/mscfb"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/heraldhq/herald"
)

// Info is what Detect learned about a file from its content.
type Info struct {
	Kind   herald.MediaKind
	Format string // one of the Format constants
	MIME   string
	Width  int // pixels, when known
	Height int
}

// infoOf returns the Info of format with no pixel size.
func infoOf(format string) Info {
	s := spec(format)
	return Info{Kind: s.kind, Format: s.name, MIME: s.mime}
}

// sniffSize is how much of the start of a file the magic numbers and the
// text rules look at.
const sniffSize = 64 << 10

// Detect recognises a file of size bytes from its content: magic numbers
// first, then the directory of ZIP and compound files (to tell DOCX from
// XLSX, DOC from XLS), the boxes of MP4-like files, image headers for the
// pixel size, and last the text rules (SVG, CSV, plain text). Content no
// rule recognises is FormatBin, not an error. The error is EINVALID on
// "file" for an empty file or an image whose header cannot be read.
func Detect(ra io.ReaderAt, size int64) (Info, error) {
	if size <= 0 {
		return Info{}, fileError(herald.VRequired, "The file is empty.")
	}
	head := make([]byte, min(size, sniffSize))
	n, err := ra.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return Info{}, fmt.Errorf("reading the file: %w", err)
	}
	head = head[:n]
	info := infoOf(sniff(head, int64(n) == size))
	switch info.Format {
	case FormatJPEG, FormatPNG, FormatGIF, FormatWebP, FormatTIFF:
		err = imageSize(&info, io.NewSectionReader(ra, 0, size))
	case FormatBMP:
		info.Width, info.Height = bmpSize(head)
	case FormatSVG:
		info.Width, info.Height = svgSize(head)
	case FormatMP4, FormatM4A, Format3GP, Format3G2, FormatMOV, FormatHEIC, FormatAVIF:
		isoRefine(&info, ra, size)
	case FormatZIP:
		info = infoOf(zipFormat(ra, size))
	case FormatOLE:
		info = infoOf(compoundFormat(ra))
	}
	return info, err
}

// fileError is EINVALID with one violation on "file".
func fileError(code, format string, args ...any) error {
	var vs herald.Violations
	vs.Add("file", code, format, args...)
	return vs.Err()
}

// sniff names the format that head, the start of a file, announces by its
// magic number, or applies the text rules. whole tells whether head is the
// entire file.
func sniff(head []byte, whole bool) string {
	has := func(off int, sig string) bool {
		return len(head) >= off+len(sig) && string(head[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\xFF\xD8\xFF"):
		return FormatJPEG
	case has(0, "\x89PNG\r\n\x1a\n"):
		return FormatPNG
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return FormatGIF
	case has(0, "RIFF") && has(8, "WEBP"):
		return FormatWebP
	case has(0, "RIFF") && has(8, "WAVE"):
		return FormatWAV
	case has(0, "RIFF") && has(8, "AVI "):
		return FormatAVI
	case has(0, "BM") && isBMP(head):
		return FormatBMP
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return FormatTIFF
	case has(4, "ftyp"):
		return ftypFormat(head)
	case has(4, "moov"), has(4, "mdat"), has(4, "wide"):
		return FormatMOV // QuickTime files from before the ftyp box
	case has(0, "\x1A\x45\xDF\xA3"):
		if bytes.Contains(head[:min(len(head), 4096)], []byte("webm")) {
			return FormatWebM
		}
		return FormatMKV
	case has(0, "OggS"):
		return FormatOGG
	case has(0, "fLaC"):
		return FormatFLAC
	case has(0, "#!AMR"):
		return FormatAMR
	case has(0, "ID3"), isMP3Frame(head):
		return FormatMP3
	case isADTS(head):
		return FormatAAC
	case bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-")):
		return FormatPDF
	case has(0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"):
		return FormatOLE
	case has(0, "PK\x03\x04"), has(0, "PK\x05\x06"):
		return FormatZIP
	case has(0, `{\rtf`):
		return FormatRTF
	}
	return sniffText(head, whole)
}

// isBMP checks the size of the header after "BM", so that a text starting
// with "BM" is not taken for a bitmap.
func isBMP(head []byte) bool {
	if len(head) < 26 {
		return false
	}
	switch binary.LittleEndian.Uint32(head[14:]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// bmpSize reads a bitmap's width and height (negative heights mark
// top-down bitmaps).
func bmpSize(head []byte) (int, int) {
	if binary.LittleEndian.Uint32(head[14:]) == 12 {
		return int(binary.LittleEndian.Uint16(head[18:])), int(binary.LittleEndian.Uint16(head[20:]))
	}
	w, h := int32(binary.LittleEndian.Uint32(head[18:])), int32(binary.LittleEndian.Uint32(head[22:]))
	return int(abs(w)), int(abs(h))
}

func abs(n int32) int32 {
	if n < 0 {
		return -n
	}
	return n
}

// isMP3Frame reports whether head starts with an MPEG-1/2 layer III frame
// header.
func isMP3Frame(head []byte) bool {
	if len(head) < 4 || head[0] != 0xFF || head[1]&0xE0 != 0xE0 {
		return false
	}
	version, layer := head[1]>>3&3, head[1]>>1&3
	bitrate, rate := head[2]>>4, head[2]>>2&3
	return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
}

// isADTS reports whether head starts with an AAC ADTS frame header.
func isADTS(head []byte) bool {
	return len(head) >= 7 && head[0] == 0xFF && head[1]&0xF6 == 0xF0 && head[2]>>2&0xF < 13
}

// imageSize reads the pixel size from an image's header; a header that
// cannot be read means a damaged file.
func imageSize(info *Info, r io.Reader) error {
	var cfg image.Config
	var err error
	switch info.Format {
	case FormatJPEG:
		cfg, err = jpeg.DecodeConfig(r)
	case FormatPNG:
		cfg, err = png.DecodeConfig(r)
	case FormatGIF:
		cfg, err = gif.DecodeConfig(r)
	case FormatWebP:
		cfg, err = webp.DecodeConfig(r)
	case FormatTIFF:
		cfg, err = tiff.DecodeConfig(r)
	}
	if err != nil {
		return fileError(herald.VFormat, "The file starts like %s but cannot be read (%v); it may be damaged.", withArticle(Label(info.Format)), err)
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	return nil
}

// zipFormat tells the Office Open XML, OpenDocument and EPUB formats from
// a plain ZIP archive by the archive's entries.
func zipFormat(ra io.ReaderAt, size int64) string {
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return FormatZIP
	}
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			return FormatDOCX
		case "xl/workbook.xml":
			return FormatXLSX
		case "ppt/presentation.xml":
			return FormatPPTX
		case "mimetype":
			if format := zipMimetype(f); format != "" {
				return format
			}
		}
	}
	return FormatZIP
}

// zipMimetype reads the mimetype entry of OpenDocument and EPUB files.
func zipMimetype(f *zip.File) string {
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 128))
	switch strings.TrimSpace(string(b)) {
	case "application/vnd.oasis.opendocument.text":
		return FormatODT
	case "application/vnd.oasis.opendocument.spreadsheet":
		return FormatODS
	case "application/vnd.oasis.opendocument.presentation":
		return FormatODP
	case "application/epub+zip":
		return FormatEPUB
	}
	return ""
}

// compoundFormat tells Word, Excel and PowerPoint files from other
// compound documents by the streams in their directory.
func compoundFormat(ra io.ReaderAt) string {
	doc, err := mscfb.New(ra)
	if err != nil {
		return FormatOLE
	}
	for i := 0; i < 10000; i++ {
		e, err := doc.Next()
		if err != nil {
			break
		}
		switch e.Name {
		case "WordDocument":
			return FormatDOC
		case "Workbook", "Book":
			return FormatXLS
		case "PowerPoint Document":
			return FormatPPT
		}
	}
	return FormatOLE
}
