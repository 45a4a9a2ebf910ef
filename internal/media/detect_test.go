package media

import (
	"bytes"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func TestDetect(t *testing.T) {
	mp3Frame := []byte{0xFF, 0xFB, 0x90, 0x64}
	cases := []struct {
		name   string
		data   []byte
		format string
		kind   herald.MediaKind
		mime   string
		w, h   int
	}{
		{"jpeg", jpegFile(t, 64, 48), FormatJPEG, herald.MediaImage, "image/jpeg", 64, 48},
		{"png", pngFile(t, 40, 30), FormatPNG, herald.MediaImage, "image/png", 40, 30},
		{"gif", gifFile(t, 31, 17), FormatGIF, herald.MediaImage, "image/gif", 31, 17},
		{"webp", webpFile(314, 400), FormatWebP, herald.MediaImage, "image/webp", 314, 400},
		{"bmp", bmpFile(t, 12, 9), FormatBMP, herald.MediaImage, "image/bmp", 12, 9},
		{"tiff", tiffFile(t, 20, 10), FormatTIFF, herald.MediaImage, "image/tiff", 20, 10},
		{"svg", []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg" width="120px" height="80"><rect/></svg>`), FormatSVG, herald.MediaImage, "image/svg+xml", 120, 80},
		{"svg by viewBox", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 16"></svg>`), FormatSVG, herald.MediaImage, "image/svg+xml", 24, 16},
		{"heic", heifFile("heic", 4032, 3024), FormatHEIC, herald.MediaImage, "image/heic", 4032, 3024},
		{"avif", heifFile("avif", 800, 600), FormatAVIF, herald.MediaImage, "image/avif", 800, 600},

		{"mp4", mp4File("isom", trak("soun", 0, 0), trak("vide", 1280, 720)), FormatMP4, herald.MediaVideo, "video/mp4", 1280, 720},
		{"mp4 without moov", ftyp("mp42"), FormatMP4, herald.MediaVideo, "video/mp4", 0, 0},
		{"mp4 of sound only", mp4File("mp42", trak("soun", 0, 0)), FormatM4A, herald.MediaAudio, "audio/mp4", 0, 0},
		{"m4a", mp4File("M4A ", trak("soun", 0, 0)), FormatM4A, herald.MediaAudio, "audio/mp4", 0, 0},
		{"3gp", mp4File("3gp4", trak("vide", 176, 144)), Format3GP, herald.MediaVideo, "video/3gpp", 176, 144},
		{"3g2", mp4File("3g2a"), Format3G2, herald.MediaVideo, "video/3gpp2", 0, 0},
		{"mov", mp4File("qt  ", trak("vide", 1920, 1080)), FormatMOV, herald.MediaVideo, "video/quicktime", 1920, 1080},
		{"old mov", isoBox("moov", trak("vide", 640, 480)), FormatMOV, herald.MediaVideo, "video/quicktime", 640, 480},
		{"webm", ebmlFile("webm"), FormatWebM, herald.MediaVideo, "video/webm", 0, 0},
		{"mkv", ebmlFile("matroska"), FormatMKV, herald.MediaVideo, "video/x-matroska", 0, 0},
		{"avi", aviFile(), FormatAVI, herald.MediaVideo, "video/x-msvideo", 0, 0},

		{"mp3 with ID3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), mp3Frame...), FormatMP3, herald.MediaAudio, "audio/mpeg", 0, 0},
		{"mp3 frame", append(mp3Frame, make([]byte, 413)...), FormatMP3, herald.MediaAudio, "audio/mpeg", 0, 0},
		{"ogg", append([]byte("OggS\x00\x02"), make([]byte, 20)...), FormatOGG, herald.MediaAudio, "audio/ogg", 0, 0},
		{"wav", wavFile(), FormatWAV, herald.MediaAudio, "audio/wav", 0, 0},
		{"aac", []byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC, 0x21}, FormatAAC, herald.MediaAudio, "audio/aac", 0, 0},
		{"amr", []byte("#!AMR\n\x3c\x48\xf5\x1f"), FormatAMR, herald.MediaAudio, "audio/amr", 0, 0},
		{"flac", []byte("fLaC\x00\x00\x00\x22"), FormatFLAC, herald.MediaAudio, "audio/flac", 0, 0},

		{"pdf", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"), FormatPDF, herald.MediaDocument, "application/pdf", 0, 0},
		{"doc", cfbFile("WordDocument"), FormatDOC, herald.MediaDocument, "application/msword", 0, 0},
		{"xls", cfbFile("Workbook"), FormatXLS, herald.MediaDocument, "application/vnd.ms-excel", 0, 0},
		{"ppt", cfbFile("PowerPoint Document"), FormatPPT, herald.MediaDocument, "application/vnd.ms-powerpoint", 0, 0},
		{"other compound file", cfbFile("__properties_version1.0"), FormatOLE, herald.MediaOther, "application/x-ole-storage", 0, 0},
		{"docx", zipFile(t, "[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>"), FormatDOCX, herald.MediaDocument, spec(FormatDOCX).mime, 0, 0},
		{"xlsx", zipFile(t, "[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>"), FormatXLSX, herald.MediaDocument, spec(FormatXLSX).mime, 0, 0},
		{"pptx", zipFile(t, "[Content_Types].xml", "<Types/>", "ppt/presentation.xml", "<p/>"), FormatPPTX, herald.MediaDocument, spec(FormatPPTX).mime, 0, 0},
		{"odt", zipFile(t, "mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<x/>"), FormatODT, herald.MediaDocument, spec(FormatODT).mime, 0, 0},
		{"epub", zipFile(t, "mimetype", "application/epub+zip", "META-INF/container.xml", "<x/>"), FormatEPUB, herald.MediaDocument, "application/epub+zip", 0, 0},
		{"zip", zipFile(t, "notes/a.txt", "hello"), FormatZIP, herald.MediaOther, "application/zip", 0, 0},
		{"rtf", []byte(`{\rtf1\ansi Hello}`), FormatRTF, herald.MediaDocument, "application/rtf", 0, 0},
		{"csv", []byte("phone,name\n+34600111222,Luz\n+34600111333,\"Vega, Ana\"\n"), FormatCSV, herald.MediaDocument, "text/csv", 0, 0},
		{"csv by semicolons", []byte("phone;name\r\n1;a\r\n2;b"), FormatCSV, herald.MediaDocument, "text/csv", 0, 0},
		{"txt", []byte("Dear customer,\nthank you for your order.\n"), FormatTXT, herald.MediaDocument, "text/plain", 0, 0},
		{"utf-16 txt", []byte("\xFF\xFEH\x00i\x00"), FormatTXT, herald.MediaDocument, "text/plain", 0, 0},
		{"binary", []byte{0x00, 0x01, 0x02, 0x03, 0xFE, 0x10}, FormatBin, herald.MediaOther, "application/octet-stream", 0, 0},
		{"text starting with BM", []byte("BM is a monogram.\nNothing more.\n"), FormatTXT, herald.MediaDocument, "text/plain", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info, err := Detect(bytes.NewReader(c.data), int64(len(c.data)))
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			want := Info{Kind: c.kind, Format: c.format, MIME: c.mime, Width: c.w, Height: c.h}
			if info != want {
				t.Errorf("Detect = %+v, want %+v", info, want)
			}
		})
	}
}

// TestDetectLarge checks that text and CSV rules look at the start of a
// file bigger than what they read, and that a long text is still text.
func TestDetectLarge(t *testing.T) {
	csv := []byte(strings.Repeat("+34600111222,Luz,Madrid\n", 10000))
	info, err := Detect(bytes.NewReader(csv), int64(len(csv)))
	if err != nil || info.Format != FormatCSV {
		t.Errorf("Detect(large CSV) = %+v, %v; want csv", info, err)
	}
}

func TestDetectRefuses(t *testing.T) {
	damaged := append(pngFile(t, 10, 10)[:16], "garbage garbage"...)
	cases := []struct {
		name string
		data []byte
		code string
		msg  string
	}{
		{"empty", nil, herald.VRequired, "empty"},
		{"damaged png", damaged, herald.VFormat, "starts like a PNG image but cannot be read"},
		{"damaged jpeg", []byte("\xFF\xD8\xFF\xE0 not really"), herald.VFormat, "JPEG image"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Detect(bytes.NewReader(c.data), int64(len(c.data)))
			vs := herald.ErrorViolations(err)
			if herald.ErrorCode(err) != herald.EINVALID || len(vs) != 1 || vs[0].Field != "file" || vs[0].Code != c.code || !strings.Contains(vs[0].Message, c.msg) {
				t.Errorf("Detect = %v; want a %s violation on file saying %q", err, c.code, c.msg)
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	pdf := infoOf(FormatPDF)
	cases := []struct {
		name string
		info Info
		msg  string // "" when the name fits
	}{
		{"terms.pdf", pdf, ""},
		{"TERMS.PDF", pdf, ""},
		{"terms", pdf, ""},
		{"terms.dat", pdf, ""},
		{"photo.png", pdf, "photo.png is named as a PNG image, but its content is a PDF document."},
		{"song.mp3", infoOf(FormatMP4), "song.mp3 is named as an MP3 audio, but its content is an MP4 video."},
		{"clip.m4a", infoOf(FormatMP4), ""},
		{"list.txt", infoOf(FormatCSV), ""},
		{"photo.jpg", infoOf(FormatBin), "photo.jpg is named as a JPEG image, but its content is not one."},
		{"report.docx", infoOf(FormatZIP), "report.docx is named as a Word document (DOCX), but its content is a ZIP archive."},
	}
	for _, c := range cases {
		err := checkName("file", c.name, c.info)
		if c.msg == "" {
			if err != nil {
				t.Errorf("checkName(%q, %s) = %v, want nil", c.name, c.info.Format, err)
			}
			continue
		}
		vs := herald.ErrorViolations(err)
		if len(vs) != 1 || vs[0].Field != "file" || vs[0].Message != c.msg {
			t.Errorf("checkName(%q, %s) = %v, want %q on file", c.name, c.info.Format, err, c.msg)
		}
	}
}

func TestCleanName(t *testing.T) {
	long := strings.Repeat("n", 300) + ".jpeg"
	cases := map[string]string{
		"photo.jpg":            "photo.jpg",
		`C:\Users\ann\cat.png`: "cat.png",
		"../../etc/passwd":     "passwd",
		" spaced .png ":        "spaced .png",
		"tab\tbed.txt":         "tabbed.txt",
		"":                     "upload",
		"/":                    "upload",
		long:                   strings.Repeat("n", herald.MaxMediaName-5) + ".jpeg",
		"Ñandú-ğüşıöç 写真.webp": "Ñandú-ğüşıöç 写真.webp",
	}
	for in, want := range cases {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHumanSize(t *testing.T) {
	cases := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KB", 269875: "263.55 KB", 500 << 20: "500 MB", 3 << 30: "3 GB"}
	for n, want := range cases {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
