package smtp

import (
	"io"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

func TestRewriteLinks(t *testing.T) {
	in := `<p><A HREF="https://a.test/x?y=1&amp;z=2">a</A> <a class=b href='http://b.test'>b</a> <a href=https://c.test/>c</a>` +
		` <a href="mailto:m@x.test">m</a> <a href="#top">t</a> <link href="https://style.test/s.css"> <a data-href="https://no.test">n</a>` +
		` <area shape=rect href="https://d.test/map"></p>`
	got := rewriteLinks(in, func(u string) string { return "T(" + u + ")" })
	want := `<p><A HREF="T(https://a.test/x?y=1&amp;z=2)">a</A> <a class=b href='T(http://b.test)'>b</a> <a href=T(https://c.test/)>c</a>` +
		` <a href="mailto:m@x.test">m</a> <a href="#top">t</a> <link href="https://style.test/s.css"> <a data-href="https://no.test">n</a>` +
		` <area shape=rect href="T(https://d.test/map)"></p>`
	if got != want {
		t.Errorf("rewriteLinks:\n got %s\nwant %s", got, want)
	}
}

func TestQuotedPrintable(t *testing.T) {
	for _, s := range []string{
		"plain ascii",
		strings.Repeat("é", 100) + "\nnext line \n.leading dot\r\nend with space ",
		strings.Repeat("x", 300),
		"tab\tand = sign\n",
	} {
		enc := string(appendQP(nil, s))
		for _, line := range strings.Split(enc, "\r\n") {
			if len(line) > 76 {
				t.Errorf("line of %d characters: %q", len(line), line)
			}
			if strings.HasSuffix(line, " ") || strings.HasPrefix(line, ".") {
				t.Errorf("unsafe line %q", line)
			}
		}
		dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(enc)))
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
		if err != nil || string(dec) != want {
			t.Errorf("round trip of %q: %q, %v", s, dec, err)
		}
	}
}

func TestParseDSN(t *testing.T) {
	raw := "From: MAILER-DAEMON@relay.test (Mail Delivery System)\r\nTo: bounces@x.test\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status;\r\n boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nsorry\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.test\r\nArrival-Date: now\r\n\r\n" +
		"Final-Recipient: rfc822; a@x.test\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n" +
		"Final-Recipient: rfc822; b@x.test\r\nOriginal-Recipient: rfc822;b@x.test\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"Remote-MTA: dns; mx.x.test\r\nDiagnostic-Code: smtp; 550 5.1.1 <b@x.test>:\r\n    Recipient address rejected\r\n\r\n" +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <abc@shop.test>\r\nSubject: hi\r\n\r\n--B--\r\n"
	m, _ := readTestMail(raw)
	d, ok := parseDSN(m.Header, m.Body)
	if !ok || len(d.Recipients) != 2 || d.OriginalMessageID != "<abc@shop.test>" {
		t.Fatalf("parseDSN = %+v, %v", d, ok)
	}
	r := d.Recipients[1]
	if d.Recipients[0].Failed() || !r.Failed() || r.Status != "5.1.1" || r.Recipient != "b@x.test" ||
		r.Reason() != "mx.x.test said: 550 5.1.1 <b@x.test>: Recipient address rejected" {
		t.Errorf("recipients %+v, reason %q", d.Recipients, r.Reason())
	}
	if m, _ := readTestMail("Subject: hi\r\n\r\nbody"); m != nil {
		if _, ok := parseDSN(m.Header, m.Body); ok {
			t.Error("a plain mail parsed as a DSN")
		}
	}
}

func TestSignerRejectsForgeries(t *testing.T) {
	s, other := NewSigner(testKey), NewSigner([]byte("another key of thirty-two bytes!"))
	id := "01a1fe42-6c38-726c-ae4a-9339ca1debee"
	v := s.VERP("bounces@mail.shop.test", id)
	if got, ok := s.ParseVERP(strings.ToUpper(v)); !ok || got != id {
		t.Errorf("ParseVERP(%q) = %q, %v", v, got, ok)
	}
	if _, ok := other.ParseVERP(v); ok {
		t.Error("another key accepts the VERP address")
	}
	tok := s.token(linkClick, 3, id, "https://a.test")
	if _, _, ok := s.parseToken(linkClick, tok, "https://b.test"); ok {
		t.Error("a click token works for another URL")
	}
	if _, _, ok := s.parseToken(linkOpen, tok, "https://a.test"); ok {
		t.Error("a click token works as an open token")
	}
	if acc, msg, ok := s.parseToken(linkClick, tok, "https://a.test"); !ok || acc != 3 || msg != id {
		t.Errorf("parseToken = %d %q %v", acc, msg, ok)
	}
}

// readTestMail parses a raw message.
func readTestMail(raw string) (*mail.Message, error) { return mail.ReadMessage(strings.NewReader(raw)) }

func TestReadMail(t *testing.T) {
	raw := "From: =?ISO-8859-1?Q?Jos=E9?= <JOSE@Example.com>\r\nTo: news@shop.test\r\nSubject: =?ISO-8859-1?Q?Se=F1or?=\r\n" +
		"Message-ID: <r1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n" +
		"--o\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n" +
		"--i\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nSe=F1or, gracias\r\n" +
		"--i\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Se\xc3\xb1or</p>\r\n--i--\r\n" +
		"--o\r\nContent-Type: image/png; name=\"p.png\"\r\nContent-Disposition: attachment; filename=\"p.png\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\nGgo=\r\n--o--\r\n"
	m, err := readTestMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	in, err := readMail(m)
	if err != nil {
		t.Fatal(err)
	}
	if in.From.Address != "jose@example.com" || in.From.Name != "José" || in.Subject != "Señor" || in.MessageID != "<r1@example.com>" ||
		!strings.HasPrefix(in.Text, "Señor, gracias") || !strings.Contains(in.HTML, "Señor") ||
		len(in.Files) != 1 || in.Files[0].Name != "p.png" || in.Files[0].Type != "image/png" || string(in.Files[0].Data) != "\x89PNG\r\n\x1a\n" {
		t.Errorf("readMail = %+v", in)
	}
}

func TestTextFromHTML(t *testing.T) {
	in := `<html><head><title>T</title><style>p{color:red}</style></head><body><!-- hidden --><h1>Hola&nbsp;Ana,</h1>` +
		`<p>Autumn   offers<br>are here.</p><ul><li>Jackets</li><li>Boots</li></ul><p><a href="https://shop.test/sale?a=1&amp;b=2">See the <b>sale</b></a> ` +
		`or <a href="mailto:x@shop.test">write</a>.</p><script>alert(1)</script></body></html>`
	want := "Hola Ana,\r\n\r\nAutumn offers\r\nare here.\r\n\r\nJackets\r\nBoots\r\n\r\nSee the sale (https://shop.test/sale?a=1&b=2) or write."
	if got := textFromHTML(in); got != want {
		t.Errorf("textFromHTML:\n got %q\nwant %q", got, want)
	}
}

// TestQuotedPrintableRuns checks appendQP, which copies runs of plain
// bytes and inner blanks at once, against RFC 2045 on random text of the
// bytes that matter (blanks, dots, '=', line ends, UTF-8, long words) and
// on the column edge cases.
func TestQuotedPrintableRuns(t *testing.T) {
	alphabet := []string{"a", "word", "longerwordsfortheline", " ", "  ", "\t", ".", "=", "\n", "\r\n", "\r", "é", "\xff", "<a href=\"x\">"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for n := rng.IntN(80); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		checkQP(t, b.String())
	}
	checkQP(t, strings.Repeat("x", 74)+" yz") // a blank in column 75 before a plain byte
	checkQP(t, strings.Repeat("x", 75)+".x")
}

// checkQP checks appendQP's output for s against RFC 2045: lines of at
// most 76 characters, none ending in a blank or starting with a dot, and
// it decodes to s (line ends as CRLF).
func checkQP(t *testing.T, s string) {
	t.Helper()
	out := string(appendQP(nil, s))
	for _, line := range strings.Split(out, "\r\n") {
		if len(line) > 76 || strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") || strings.HasPrefix(line, ".") {
			t.Fatalf("appendQP(%q) has the line %q (%d characters)", s, line, len(line))
		}
	}
	dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(out)))
	want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	if err != nil || string(dec) != want {
		t.Fatalf("appendQP(%q) decodes to %q, %v", s, dec, err)
	}
}

// TestAppendHeaderFolding checks header folding against the words of
// strings.Split: empty values, runs of spaces, long words and values.
func TestAppendHeaderFolding(t *testing.T) {
	split := func(name, value string) string {
		buf := []byte(name + ":")
		line := len(name) + 1
		for i, word := range strings.Split(value, " ") {
			if i > 0 && line+1+len(word) > 78 {
				buf = append(buf, "\r\n"...)
				line = 0
			}
			buf = append(append(buf, ' '), word...)
			line += 1 + len(word)
		}
		return string(buf) + "\r\n"
	}
	long := strings.Repeat("word ", 40)
	for _, v := range []string{"", " ", "  ", "a", " a", "a ", "a  b", long, strings.TrimSpace(long), strings.Repeat("x", 100) + " y",
		"y " + strings.Repeat("x", 100), "\x00" + long, "Ofertas de otoño para ti, " + long} {
		want := v
		if strings.HasPrefix(v, "\x00") {
			want = v[1:]
		} else if !isPrintableASCII(v) {
			want = mime.QEncoding.Encode("UTF-8", v)
		}
		if got := string(appendHeader(nil, "Subject", v)); got != split("Subject", want) {
			t.Errorf("appendHeader(%q) = %q, want %q", v, got, split("Subject", want))
		}
	}
}

// TestBoundary checks that boundaries are the prefix and 32 hex digits,
// new each time.
func TestBoundary(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		b := boundary()
		s := string(b[:])
		if !strings.HasPrefix(s, boundaryPrefix) || len(strings.Trim(s[len(boundaryPrefix):], "0123456789abcdef")) != 0 || len(s) != len(boundaryPrefix)+32 {
			t.Fatalf("boundary %q", s)
		}
		if seen[s] {
			t.Fatalf("boundary %q twice", s)
		}
		seen[s] = true
	}
}

// TestQuotedPrintableWords checks qpRunEnd, which scans runs of plain
// bytes eight at a time, against a byte-by-byte scan on random texts of
// every byte class, from every plain byte and for every column, as a
// string and as bytes; and appendQP's output on them against RFC 2045.
func TestQuotedPrintableWords(t *testing.T) {
	classes := []string{"a", "Z", "0", "~", "!", " ", "\t", "=", ".", "\r\n", "\n", "\r", "é", "\x00", "\x7f", "\xff", "<p>", "  ", "xxxxxxxx"}
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(s string) {
		t.Helper()
		for i := range len(s) {
			if !qpPlain[s[i]] {
				continue
			}
			for col := 0; col < 75; col += 1 + rng.IntN(9) {
				lim := min(len(s), i+75-col)
				want := qpRunEndByByte(s, i+1, lim)
				if got := qpRunEnd(s, i+1, lim); got != want {
					t.Fatalf("qpRunEnd(%q, %d, %d) = %d, want %d", s, i+1, lim, got, want)
				}
				if got := qpRunEnd([]byte(s), i+1, lim); got != want {
					t.Fatalf("qpRunEnd([]byte(%q), %d, %d) = %d, want %d", s, i+1, lim, got, want)
				}
			}
		}
		checkQP(t, s)
	}
	for range 3000 {
		var b strings.Builder
		for n := rng.IntN(120); n > 0; n-- {
			b.WriteString(classes[rng.IntN(len(classes))])
		}
		check(b.String())
	}
	for col := 60; col <= 80; col++ {
		for _, tail := range []string{" \n", " \r\n", " x", " ", "\t=", ".", " =x"} {
			check(strings.Repeat("y", col) + tail + strings.Repeat("z", 90))
		}
	}
}

// qpRunEndByByte is qpRunEnd a byte at a time: a plain byte, or a blank
// followed by a byte that is not a line end, before lim's last column.
func qpRunEndByByte(s string, j, lim int) int {
	for j < lim {
		if d := s[j]; !qpPlain[d] && !((d == ' ' || d == '\t') && j+1 < lim && s[j+1] != '\n' && s[j+1] != '\r') {
			break
		}
		j++
	}
	return j
}
