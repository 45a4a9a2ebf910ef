package importer

import (
	"io"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// decoder returns r decoded from enc to UTF-8, with a byte order mark
// removed. An unknown enc is read as UTF-8.
func decoder(r io.Reader, enc string) io.Reader {
	switch enc {
	case EncUTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case EncUTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	case EncWindows1252:
		return transform.NewReader(r, charmap.Windows1252.NewDecoder())
	case EncISO88599:
		return transform.NewReader(r, charmap.ISO8859_9.NewDecoder())
	}
	return transform.NewReader(r, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
}
