package smtp

import (
	"html"
	"net/url"
	"strings"
)

// UnsubscribeTag marks where an e-mail's unsubscribe link goes, in its HTML
// part (as an href, or as text) and its text part. Without it the link is
// added at the end of each part.
const UnsubscribeTag = "*|UNSUB|*"

// links makes the signed URLs of one message.
type links struct {
	signer  *Signer
	base    string // public base URL, without a trailing slash
	account int64
	message string
}

// open returns the URL of the message's tracking pixel.
func (l links) open() string {
	return l.base + "/email/o/" + l.signer.token(linkOpen, l.account, l.message, "") + ".gif"
}

// click returns the tracked URL that redirects to target.
func (l links) click(target string) string {
	b := make([]byte, 0, len(l.base)+len(l.message)+3*len(target)+96)
	b = append(b, l.base...)
	b = append(b, "/email/c/"...)
	b = l.signer.appendToken(b, linkClick, l.account, l.message, target)
	b = append(b, "?u="...)
	return string(append(b, url.QueryEscape(target)...))
}

// unsubscribe returns the unsubscribe URL with the scope it opts out of.
func (l links) unsubscribe(scope string) string {
	return l.base + "/email/u/" + l.signer.token(linkUnsubscribe, l.account, l.message, scope) + "?s=" + scope
}

// trackedScheme reports whether a link's target is a web page worth
// tracking (not mailto:, tel:, an anchor or the unsubscribe link).
func trackedScheme(u string) bool {
	u = strings.TrimSpace(u)
	return len(u) > 8 && (strings.EqualFold(u[:7], "http://") || strings.EqualFold(u[:8], "https://"))
}

// rewriteLinks replaces the href of every <a> and <area> tag that points
// to a web page with rewrite's URL for it. It scans tags without parsing
// the document: attribute values in double, single or no quotes.
func rewriteLinks(doc string, rewrite func(string) string) string {
	var b strings.Builder
	b.Grow(len(doc) + len(doc)/2)
	writeLinks(&b, doc, rewrite)
	return b.String()
}

// writeLinks is rewriteLinks writing into b.
func writeLinks(b *strings.Builder, doc string, rewrite func(string) string) {
	for {
		i := strings.IndexByte(doc, '<')
		if i < 0 || i+2 >= len(doc) {
			b.WriteString(doc)
			return
		}
		b.WriteString(doc[:i])
		doc = doc[i:]
		end := strings.IndexByte(doc, '>')
		if end < 0 {
			b.WriteString(doc)
			return
		}
		tag := doc[:end+1]
		doc = doc[end+1:]
		if linkTag(tag) {
			tag = rewriteHref(tag, rewrite)
		}
		b.WriteString(tag)
	}
}

// linkTag reports whether tag (from '<' to '>') opens an a or area element.
func linkTag(tag string) bool {
	name := tag[1:]
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '>' || c == '/' {
			name = name[:i]
			break
		}
	}
	return strings.EqualFold(name, "a") || strings.EqualFold(name, "area")
}

// rewriteHref rewrites the href attribute of one tag.
func rewriteHref(tag string, rewrite func(string) string) string {
	lower := strings.ToLower(tag)
	for from := 0; ; {
		j := strings.Index(lower[from:], "href")
		if j < 0 {
			return tag
		}
		j += from
		from = j + 4
		if c := lower[j-1]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			continue // part of another attribute's name or value
		}
		k := j + 4
		for k < len(tag) && (tag[k] == ' ' || tag[k] == '\t') {
			k++
		}
		if k >= len(tag) || tag[k] != '=' {
			continue
		}
		k++
		for k < len(tag) && (tag[k] == ' ' || tag[k] == '\t') {
			k++
		}
		start, stop := valueBounds(tag, k)
		if start < 0 {
			return tag
		}
		target := html.UnescapeString(tag[start:stop])
		if !trackedScheme(target) {
			return tag
		}
		return tag[:start] + html.EscapeString(rewrite(target)) + tag[stop:]
	}
}

// valueBounds returns the bounds of an attribute value starting at k
// (after '='), without its quotes; -1 when there is none.
func valueBounds(tag string, k int) (int, int) {
	if k >= len(tag) {
		return -1, -1
	}
	if q := tag[k]; q == '"' || q == '\'' {
		e := strings.IndexByte(tag[k+1:], q)
		if e < 0 {
			return -1, -1
		}
		return k + 1, k + 1 + e
	}
	e := k
	for e < len(tag) && tag[e] != ' ' && tag[e] != '>' && tag[e] != '\t' && tag[e] != '\n' {
		e++
	}
	return k, e
}

// insertBeforeBodyEnd inserts s before the document's </body>, or appends
// it when there is none.
func insertBeforeBodyEnd(doc, s string) string {
	if i := lastIndexFold(doc, "</body>"); i >= 0 {
		return doc[:i] + s + doc[i:]
	}
	return doc + s
}

// insertAfterBodyStart inserts s after the document's <body ...> tag, or
// prepends it when there is none.
func insertAfterBodyStart(doc, s string) string {
	if i := indexFold(doc, "<body"); i >= 0 {
		if j := strings.IndexByte(doc[i:], '>'); j >= 0 {
			return doc[:i+j+1] + s + doc[i+j+1:]
		}
	}
	return s + doc
}

// indexFold is strings.Index ignoring ASCII case, for needles that start
// with '<' (tags).
func indexFold(s, sub string) int {
	for from := 0; ; {
		i := strings.IndexByte(s[from:], sub[0])
		if i < 0 {
			return -1
		}
		i += from
		if i+len(sub) <= len(s) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
		from = i + 1
	}
}

// lastIndexFold is strings.LastIndex ignoring ASCII case, for needles
// that start with '<'.
func lastIndexFold(s, sub string) int {
	for end := len(s); ; {
		i := strings.LastIndexByte(s[:end], sub[0])
		if i < 0 {
			return -1
		}
		if i+len(sub) <= len(s) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
		end = i
	}
}
