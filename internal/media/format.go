package media

import (
	"path"
	"slices"
	"strings"

	"github.com/heraldhq/herald"
)

// Format names, as herald.Media.Format holds them.
const (
	FormatJPEG = "jpeg"
	FormatPNG  = "png"
	FormatGIF  = "gif"
	FormatWebP = "webp"
	FormatBMP  = "bmp"
	FormatTIFF = "tiff"
	FormatSVG  = "svg"
	FormatHEIC = "heic"
	FormatAVIF = "avif"

	FormatMP4  = "mp4"
	Format3GP  = "3gp"
	Format3G2  = "3g2"
	FormatMOV  = "mov"
	FormatWebM = "webm"
	FormatMKV  = "mkv"
	FormatAVI  = "avi"

	FormatMP3  = "mp3"
	FormatOGG  = "ogg"
	FormatWAV  = "wav"
	FormatAAC  = "aac"
	FormatM4A  = "m4a"
	FormatAMR  = "amr"
	FormatFLAC = "flac"

	FormatPDF  = "pdf"
	FormatDOC  = "doc"
	FormatXLS  = "xls"
	FormatPPT  = "ppt"
	FormatDOCX = "docx"
	FormatXLSX = "xlsx"
	FormatPPTX = "pptx"
	FormatODT  = "odt"
	FormatODS  = "ods"
	FormatODP  = "odp"
	FormatEPUB = "epub"
	FormatRTF  = "rtf"
	FormatCSV  = "csv"
	FormatTXT  = "txt"

	FormatZIP = "zip"
	FormatOLE = "ole" // a compound file that is not a Word, Excel or PowerPoint file
	FormatBin = "bin" // content no rule recognises
)

// formatSpec describes one format.
type formatSpec struct {
	name  string
	kind  herald.MediaKind
	mime  string
	label string   // for people: "PNG image"
	exts  []string // file name extensions that announce it, lower case
}

// formatTable lists every format the library recognises.
var formatTable = []formatSpec{
	{FormatJPEG, herald.MediaImage, "image/jpeg", "JPEG image", []string{"jpg", "jpeg", "jpe", "jfif"}},
	{FormatPNG, herald.MediaImage, "image/png", "PNG image", []string{"png"}},
	{FormatGIF, herald.MediaImage, "image/gif", "GIF image", []string{"gif"}},
	{FormatWebP, herald.MediaImage, "image/webp", "WebP image", []string{"webp"}},
	{FormatBMP, herald.MediaImage, "image/bmp", "BMP image", []string{"bmp", "dib"}},
	{FormatTIFF, herald.MediaImage, "image/tiff", "TIFF image", []string{"tif", "tiff"}},
	{FormatSVG, herald.MediaImage, "image/svg+xml", "SVG image", []string{"svg"}},
	{FormatHEIC, herald.MediaImage, "image/heic", "HEIC image", []string{"heic", "heif"}},
	{FormatAVIF, herald.MediaImage, "image/avif", "AVIF image", []string{"avif"}},

	{FormatMP4, herald.MediaVideo, "video/mp4", "MP4 video", []string{"mp4", "m4v"}},
	{Format3GP, herald.MediaVideo, "video/3gpp", "3GP video", []string{"3gp", "3gpp"}},
	{Format3G2, herald.MediaVideo, "video/3gpp2", "3G2 video", []string{"3g2"}},
	{FormatMOV, herald.MediaVideo, "video/quicktime", "QuickTime video", []string{"mov", "qt"}},
	{FormatWebM, herald.MediaVideo, "video/webm", "WebM video", []string{"webm"}},
	{FormatMKV, herald.MediaVideo, "video/x-matroska", "Matroska video", []string{"mkv"}},
	{FormatAVI, herald.MediaVideo, "video/x-msvideo", "AVI video", []string{"avi"}},

	{FormatMP3, herald.MediaAudio, "audio/mpeg", "MP3 audio", []string{"mp3"}},
	{FormatOGG, herald.MediaAudio, "audio/ogg", "Ogg audio", []string{"ogg", "oga", "opus"}},
	{FormatWAV, herald.MediaAudio, "audio/wav", "WAV audio", []string{"wav"}},
	{FormatAAC, herald.MediaAudio, "audio/aac", "AAC audio", []string{"aac"}},
	{FormatM4A, herald.MediaAudio, "audio/mp4", "M4A audio", []string{"m4a", "m4b"}},
	{FormatAMR, herald.MediaAudio, "audio/amr", "AMR audio", []string{"amr"}},
	{FormatFLAC, herald.MediaAudio, "audio/flac", "FLAC audio", []string{"flac"}},

	{FormatPDF, herald.MediaDocument, "application/pdf", "PDF document", []string{"pdf"}},
	{FormatDOC, herald.MediaDocument, "application/msword", "Word document (DOC)", []string{"doc", "dot"}},
	{FormatXLS, herald.MediaDocument, "application/vnd.ms-excel", "Excel workbook (XLS)", []string{"xls", "xlt"}},
	{FormatPPT, herald.MediaDocument, "application/vnd.ms-powerpoint", "PowerPoint presentation (PPT)", []string{"ppt", "pps", "pot"}},
	{FormatDOCX, herald.MediaDocument, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document (DOCX)", []string{"docx", "docm", "dotx"}},
	{FormatXLSX, herald.MediaDocument, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook (XLSX)", []string{"xlsx", "xlsm", "xltx"}},
	{FormatPPTX, herald.MediaDocument, "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation (PPTX)", []string{"pptx", "pptm", "ppsx", "potx"}},
	{FormatODT, herald.MediaDocument, "application/vnd.oasis.opendocument.text", "OpenDocument text", []string{"odt"}},
	{FormatODS, herald.MediaDocument, "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet", []string{"ods"}},
	{FormatODP, herald.MediaDocument, "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation", []string{"odp"}},
	{FormatEPUB, herald.MediaDocument, "application/epub+zip", "EPUB book", []string{"epub"}},
	{FormatRTF, herald.MediaDocument, "application/rtf", "RTF document", []string{"rtf"}},
	{FormatCSV, herald.MediaDocument, "text/csv", "CSV file", []string{"csv"}},
	{FormatTXT, herald.MediaDocument, "text/plain", "text file", []string{"txt", "text", "log"}},

	{FormatZIP, herald.MediaOther, "application/zip", "ZIP archive", []string{"zip"}},
	{FormatOLE, herald.MediaOther, "application/x-ole-storage", "compound document", nil},
	{FormatBin, herald.MediaOther, "application/octet-stream", "file of an unrecognised type", nil},
}

// spec returns the description of format name; unknown names describe
// unrecognised content.
func spec(name string) formatSpec {
	for _, f := range formatTable {
		if f.name == name {
			return f
		}
	}
	return spec(FormatBin)
}

// Label describes format name for people, such as "PNG image".
func Label(name string) string { return spec(name).label }

// withArticle returns label after "a" or "an", as it is said.
func withArticle(label string) string {
	first, _, _ := strings.Cut(label, " ")
	switch first {
	case "MP4", "MP3", "M4A", "HEIC", "SVG", "RTF", "AVIF", "AVI", "AAC", "AMR", "EPUB", "Excel", "Ogg", "OpenDocument":
		return "an " + label
	}
	return "a " + label
}

// sameFamily are formats that share a container and whose files are often
// named after one another (an MP4 holding only sound named .m4a, a CSV
// named .txt); a name announcing one accepts content of the others.
var sameFamily = [][]string{
	{FormatMP4, FormatM4A, Format3GP, Format3G2, FormatMOV},
	{FormatWebM, FormatMKV},
	{FormatCSV, FormatTXT},
	{FormatHEIC, FormatAVIF},
	{FormatDOC, FormatRTF},
}

// announced returns the formats whose extension name ends with, or nil
// when the extension announces no format the library knows.
func announced(name string) []string {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	if ext == "" {
		return nil
	}
	for _, f := range formatTable {
		if !slices.Contains(f.exts, ext) {
			continue
		}
		for _, fam := range sameFamily {
			if slices.Contains(fam, f.name) {
				return fam
			}
		}
		return []string{f.name}
	}
	return nil
}

// checkName refuses a file whose name announces a format its content is
// not, with a violation on field that names both.
func checkName(field, name string, info Info) error {
	want := announced(name)
	if want == nil || slices.Contains(want, info.Format) {
		return nil
	}
	var vs herald.Violations
	if info.Format == FormatBin {
		vs.Add(field, herald.VFormat, "%s is named as %s, but its content is not one.", name, withArticle(Label(want[0])))
	} else {
		vs.Add(field, herald.VFormat, "%s is named as %s, but its content is %s.", name, withArticle(Label(want[0])), withArticle(Label(info.Format)))
	}
	return vs.Err()
}
