package smtp

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textFromHTML returns the plain-text alternative of an HTML part: the
// text of the document with paragraphs, line breaks, list items and table
// rows as line breaks, links followed by their URL, and no style, script,
// head or comment content. It scans once, for campaign throughput.
func textFromHTML(doc string) string {
	var b strings.Builder
	b.Grow(len(doc) / 2)
	space, lines := false, 0 // a pending space; line breaks written in a row
	link := ""               // the URL of the link being read
	emit := func(s string) {
		if s == "" {
			return
		}
		space = space || isSpaceByte(s[0])
		text := s
		if strings.IndexByte(text, '&') >= 0 {
			text = html.UnescapeString(text)
		}
		for i := 0; ; i++ {
			var f string
			if f, text = nextField(text); f == "" {
				break
			}
			if (i > 0 || space) && lines == 0 && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(f)
			space, lines = false, 0
		}
		space = space || isSpaceByte(s[len(s)-1])
	}
	brk := func(n int) {
		for ; lines < n && b.Len() > 0; lines++ {
			b.WriteString("\r\n")
		}
		space = false
	}
	for len(doc) > 0 {
		i := strings.IndexByte(doc, '<')
		if i < 0 {
			emit(doc)
			break
		}
		emit(doc[:i])
		doc = doc[i:]
		end := strings.IndexByte(doc, '>')
		if end < 0 {
			break
		}
		tag := doc[1:end]
		doc = doc[end+1:]
		name, closing := tagName(tag)
		switch name {
		case "!--":
			if j := strings.Index(doc, "-->"); j >= 0 && !strings.HasSuffix(tag, "--") {
				doc = doc[j+3:]
			}
		case "style", "script", "head", "title":
			if !closing {
				if j := indexFold(doc, "</"+name); j >= 0 {
					doc = doc[j:]
				}
			}
		case "br":
			brk(1)
		case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote":
			brk(2)
		case "tr", "li":
			brk(1)
		case "a":
			if !closing {
				link = ""
				if href := attr(tag, "href"); trackedScheme(href) {
					link = href
				}
			} else if link != "" {
				b.WriteString(" (" + link + ")")
				space, lines, link = true, 0, ""
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// nextField returns the first run of s between white space (as
// strings.Fields splits, without allocating) and what follows it.
func nextField(s string) (field, rest string) {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		size, sp := 1, asciiSpace[c]
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			sp = unicode.IsSpace(r)
		}
		switch {
		case sp && start >= 0:
			return s[start:i], s[i:]
		case !sp && start < 0:
			start = i
		}
		i += size
	}
	if start < 0 {
		return "", ""
	}
	return s[start:], ""
}

// asciiSpace marks the ASCII white space strings.Fields splits at.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// tagName returns a tag's lower-case name and whether it closes.
func tagName(tag string) (string, bool) {
	if strings.HasPrefix(tag, "!--") {
		return "!--", false
	}
	closing := strings.HasPrefix(tag, "/")
	tag = strings.TrimPrefix(tag, "/")
	n := 0
	for n < len(tag) && !isSpaceByte(tag[n]) && tag[n] != '/' {
		n++
	}
	return strings.ToLower(tag[:n]), closing
}

// attr returns the value of attribute name in tag, unescaped.
func attr(tag, name string) string {
	lower := strings.ToLower(tag)
	for from := 0; ; {
		j := strings.Index(lower[from:], name)
		if j < 0 {
			return ""
		}
		j += from
		from = j + len(name)
		if j == 0 || !isSpaceByte(lower[j-1]) {
			continue
		}
		k := j + len(name)
		for k < len(tag) && isSpaceByte(tag[k]) {
			k++
		}
		if k >= len(tag) || tag[k] != '=' {
			continue
		}
		k++
		for k < len(tag) && isSpaceByte(tag[k]) {
			k++
		}
		start, stop := valueBounds(tag+">", k)
		if start < 0 {
			return ""
		}
		return html.UnescapeString(tag[start:min(stop, len(tag))])
	}
}

// isSpaceByte reports whether c is HTML white space.
func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
