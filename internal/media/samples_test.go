package media

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
	"unicode/utf16"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// The sample files of the detection tests: images encoded by the standard
// library and golang.org/x/image, the other formats built by hand from
// their specifications, small but real enough for the readers that look
// at them (x/image/webp, mscfb, archive/zip).

// picture is a w×h image with a gradient, so encoders have work to do.
func picture(w, h int) image.Image {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return m
}

// encoded returns m encoded by enc.
func encoded(t *testing.T, enc func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngFile is a w×h PNG image.
func pngFile(t *testing.T, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, picture(w, h)) })
}

func jpegFile(t *testing.T, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, picture(w, h), nil) })
}

func gifFile(t *testing.T, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer) error { return gif.Encode(b, picture(w, h), nil) })
}

func bmpFile(t *testing.T, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer) error { return bmp.Encode(b, picture(w, h)) })
}

func tiffFile(t *testing.T, w, h int) []byte {
	return encoded(t, func(b *bytes.Buffer) error { return tiff.Encode(b, picture(w, h), nil) })
}

// riff wraps chunks in a RIFF file of form typ.
func riff(typ string, chunks ...[]byte) []byte {
	body := []byte(typ)
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), le32(uint32(len(body)))...), body...)
}

// chunk is a RIFF chunk, padded to an even length.
func chunk(id string, data []byte) []byte {
	c := append(append([]byte(id), le32(uint32(len(data)))...), data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// webpFile is a lossless WebP whose VP8L header says w×h.
func webpFile(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14 // no alpha, version 0
	return riff("WEBP", chunk("VP8L", append([]byte{0x2f}, le32(bits)...)))
}

// wavFile is a WAV file of a few silent 8 kHz samples.
func wavFile() []byte {
	fmtData := []byte{1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0}
	return riff("WAVE", chunk("fmt ", fmtData), chunk("data", make([]byte, 32)))
}

// aviFile is the start of an AVI file.
func aviFile() []byte {
	return riff("AVI ", chunk("LIST", append([]byte("hdrl"), chunk("avih", make([]byte, 56))...)))
}

// isoBox is an ISO base media box.
func isoBox(typ string, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	return append(append(be32(uint32(8+len(body))), typ...), body...)
}

// ftyp is an ftyp box with a major brand and compatible brands.
func ftyp(major string, compat ...string) []byte {
	b := append([]byte(major), be32(0)...)
	for _, c := range compat {
		b = append(b, c...)
	}
	return isoBox("ftyp", b)
}

// trak is a track of handler ("vide" or "soun") whose header says w×h.
func trak(handler string, w, h int) []byte {
	tkhd := make([]byte, 84) // version 0
	copy(tkhd[76:], be32(uint32(w)<<16))
	copy(tkhd[80:], be32(uint32(h)<<16))
	hdlr := append(make([]byte, 8), handler...)
	hdlr = append(hdlr, make([]byte, 13)...)
	return isoBox("trak", isoBox("tkhd", tkhd), isoBox("mdia", isoBox("hdlr", hdlr)))
}

// mp4File is an MP4 of brand major with the tracks given, moov after mdat
// as cameras write it.
func mp4File(major string, tracks ...[]byte) []byte {
	return bytes.Join([][]byte{ftyp(major, "isom", "mp41"), isoBox("mdat", make([]byte, 64)), isoBox("moov", tracks...)}, nil)
}

// heifFile is a HEIF image of brand major, w×h by its ispe property.
func heifFile(major string, w, h int) []byte {
	ispe := append(be32(0), append(be32(uint32(w)), be32(uint32(h))...)...)
	meta := isoBox("meta", be32(0), isoBox("hdlr", make([]byte, 24)), isoBox("iprp", isoBox("ipco", isoBox("ispe", ispe))))
	return bytes.Join([][]byte{ftyp(major, "mif1", major), meta, isoBox("mdat", make([]byte, 16))}, nil)
}

// ebmlFile is a Matroska file header of doctype.
func ebmlFile(doctype string) []byte {
	body := []byte{0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04, 0x42, 0xF3, 0x81, 0x08,
		0x42, 0x82, 0x80 | byte(len(doctype))}
	body = append(body, doctype...)
	body = append(body, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02)
	return append(append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | byte(len(body))}, body...), 0x18, 0x53, 0x80, 0x67, 0x80)
}

// zipFile is a ZIP archive of the given entries (name, content pairs).
func zipFile(t *testing.T, entries ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(entries); i += 2 {
		w, err := zw.Create(entries[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(entries[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// cfbFile is a compound file (version 3, 512-byte sectors) holding one
// empty stream named stream: the header, one FAT sector and one
// directory sector.
func cfbFile(stream string) []byte {
	const (
		endOfChain = 0xFFFFFFFE
		freeSect   = 0xFFFFFFFF
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	f := make([]byte, 512*3)
	put16 := func(off int, v uint16) { binary.LittleEndian.PutUint16(f[off:], v) }
	put32 := func(off int, v uint32) { binary.LittleEndian.PutUint32(f[off:], v) }
	copy(f, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
	put16(24, 0x3E)
	put16(26, 3)
	put16(28, 0xFFFE)
	put16(30, 9)
	put16(32, 6)
	put32(44, 1) // FAT sectors
	put32(48, 1) // first directory sector
	put32(56, 0x1000)
	put32(60, endOfChain)
	put32(68, endOfChain)
	put32(76, 0) // DIFAT[0]: the FAT is sector 0
	for i := 1; i < 109; i++ {
		put32(76+4*i, freeSect)
	}
	fat := 512
	for i := 0; i < 128; i++ {
		put32(fat+4*i, freeSect)
	}
	put32(fat, fatSect)
	put32(fat+4, endOfChain)
	entry := func(i int, name string, typ byte, child uint32) {
		off := 1024 + 128*i
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			put16(off+2*j, c)
		}
		if name != "" {
			put16(off+64, uint16(2*len(u)+2))
		}
		f[off+66], f[off+67] = typ, 1
		put32(off+68, noStream)
		put32(off+72, noStream)
		put32(off+76, child)
		put32(off+116, endOfChain)
	}
	entry(0, "Root Entry", 5, 1)
	entry(1, stream, 2, noStream)
	entry(2, "", 0, noStream)
	entry(3, "", 0, noStream)
	return f
}
