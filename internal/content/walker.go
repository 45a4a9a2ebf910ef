package content

import (
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// walker tracks the JSON path of the field being read or checked, such as
// payload.card.suggestions[4].text, in a reused buffer, and collects
// violations at that path. It builds a path string only to report one.
type walker struct {
	path []byte
	vs   herald.Violations
}

// enter appends a field name to the path and returns the mark to leave to.
// A name that is not a plain identifier is written as ["name"].
func (w *walker) enter(key string) int {
	n := len(w.path)
	if plainKey(key) {
		w.path = append(w.path, '.')
		w.path = append(w.path, key...)
	} else {
		w.path = append(w.path, '[')
		w.path = strconv.AppendQuote(w.path, key)
		w.path = append(w.path, ']')
	}
	return n
}

// enterIndex appends a list index to the path.
func (w *walker) enterIndex(i int) int {
	n := len(w.path)
	w.path = append(w.path, '[')
	w.path = strconv.AppendInt(w.path, int64(i), 10)
	w.path = append(w.path, ']')
	return n
}

// leave returns the path to mark n.
func (w *walker) leave(n int) { w.path = w.path[:n] }

// in runs fn with field key appended to the path.
func (w *walker) in(key string, fn func()) {
	n := w.enter(key)
	fn()
	w.leave(n)
}

// add records a violation at the current path.
func (w *walker) add(code, format string, args ...any) {
	w.vs.Add(string(w.path), code, format, args...)
}

// addAt records a violation at field key below the current path.
func (w *walker) addAt(key, code, format string, args ...any) {
	n := w.enter(key)
	w.add(code, format, args...)
	w.leave(n)
}

// plainKey reports whether key can follow a dot in a path.
func plainKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// label names the field at the current path for a message: "fallbackUrl"
// reads "Fallback URL", and a list item "Item 3 of cards".
func (w *walker) label() string {
	p := string(w.path)
	if strings.HasSuffix(p, "]") {
		open := strings.LastIndexByte(p, '[')
		idx, err := strconv.Atoi(p[open+1 : len(p)-1])
		if err == nil {
			return "Item " + strconv.Itoa(idx+1) + " of " + strings.ToLower(humanize(lastKey(p[:open])))
		}
		return "Field " + p[open+1:len(p)-1]
	}
	return humanize(lastKey(p))
}

// lastKey returns the last dotted name of path.
func lastKey(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

// humanize turns a camelCase JSON name into words: "imageAlignment" reads
// "Image alignment", "fallbackUrl" "Fallback URL".
func humanize(name string) string {
	var words []string
	start := 0
	for i := 1; i <= len(name); i++ {
		if i == len(name) || name[i] >= 'A' && name[i] <= 'Z' {
			words = append(words, strings.ToLower(name[start:i]))
			start = i
		}
	}
	for i, w := range words {
		switch w {
		case "url", "id", "cta", "html":
			words[i] = strings.ToUpper(w)
		}
	}
	s := strings.Join(words, " ")
	if s == "" {
		return "Payload"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
