package render

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// attrPrefix introduces an attribute placeholder; it matches case-insensitively.
const attrPrefix = "attribute."

// Var is a placeholder a template refers to.
type Var struct {
	Name      string // the name as written, trimmed: "code", "Fecha de nacimiento"
	Attribute bool   // a contact attribute rather than a template parameter
}

// String returns the placeholder's key: "attribute.<name>" or the parameter
// name, the same spelling violations use after their "params." prefix.
func (v Var) String() string {
	if v.Attribute {
		return attrPrefix + v.Name
	}
	return v.Name
}

// part is a piece of a parsed template: literal text, or a placeholder.
type part struct {
	lit  string // literal text, when vi < 0
	vi   int    // index of the placeholder in Template.vars, or -1
	fold string // attributes: the name in lower case, for the common lookup
	key  string // attributes: "attribute."+name, the key of an explicit value in params
}

// Template is a parsed text. It is immutable and safe for concurrent use.
type Template struct {
	src     string
	parts   []part
	vars    []Var
	litSize int // bytes of literal text
}

// SyntaxError reports a malformed placeholder.
type SyntaxError struct {
	Offset int    // byte offset of the placeholder's "{{"
	Column int    // its position in characters, from 1
	Msg    string // what is wrong
}

// Error implements the error interface.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s (at character %d)", e.Msg, e.Column)
}

// Options tune rendering. The zero value is strict: every placeholder needs a
// value.
type Options struct {
	// EmptyMissingAttributes renders an attribute the contact lacks as empty
	// text instead of failing. Missing parameters still fail.
	EmptyMissingAttributes bool
	// HTML escapes substituted values for an HTML document. Literal text is
	// left alone: it is the document.
	HTML bool
}

// Parse parses text. It returns a *SyntaxError for a "{{" without its "}}"
// and for an empty or malformed placeholder name.
func Parse(text string) (*Template, error) {
	t := &Template{src: text}
	var lit []string // pieces of the literal text since the last placeholder
	flush := func() {
		if s := strings.Join(lit, ""); s != "" {
			t.parts = append(t.parts, part{lit: s, vi: -1})
			t.litSize += len(s)
		}
		lit = lit[:0]
	}
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "{{")
		if j < 0 {
			lit = append(lit, text[i:])
			break
		}
		j += i
		lit = append(lit, text[i:j])
		if strings.HasPrefix(text[j:], "{{{{") {
			lit = append(lit, "{{")
			i = j + 4
			continue
		}
		end, v, err := placeholder(text, j)
		if err != nil {
			return nil, err
		}
		flush()
		t.parts = append(t.parts, t.newPart(v))
		i = end
	}
	flush()
	return t, nil
}

// Check reports whether text parses, without building a template: it returns
// the *SyntaxError Parse would, or nil. It does not allocate for a valid text.
func Check(text string) error {
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "{{")
		if j < 0 {
			return nil
		}
		j += i
		if strings.HasPrefix(text[j:], "{{{{") {
			i = j + 4
			continue
		}
		end, _, err := placeholder(text, j)
		if err != nil {
			return err
		}
		i = end
	}
	return nil
}

// placeholder reads the placeholder whose "{{" is at text[start:] and returns
// the offset just past its "}}".
func placeholder(text string, start int) (int, Var, error) {
	fail := func(format string, args ...any) (int, Var, error) {
		col := utf8.RuneCountInString(text[:start]) + 1
		return 0, Var{}, &SyntaxError{Offset: start, Column: col, Msg: fmt.Sprintf(format, args...)}
	}
	k := strings.Index(text[start+2:], "}}")
	if k < 0 || strings.Contains(text[start+2:start+2+k], "{{") {
		return fail("placeholder {{ is not closed with }} (write {{{{ for a literal {{)")
	}
	inner := text[start+2 : start+2+k]
	name := strings.TrimSpace(inner)
	v := Var{Name: name}
	if len(name) >= len(attrPrefix) && strings.EqualFold(name[:len(attrPrefix)], attrPrefix) {
		v = Var{Name: strings.TrimSpace(name[len(attrPrefix):]), Attribute: true}
	}
	switch {
	case v.Name == "" && v.Attribute:
		return fail("placeholder {{%s}} has no attribute name", inner)
	case v.Name == "":
		return fail("placeholder {{%s}} has no name", inner)
	case strings.ContainsAny(v.Name, "{}") || strings.ContainsFunc(v.Name, isControl):
		return fail("placeholder name %q may not contain braces or control characters (write {{{{ for a literal {{)", v.Name)
	}
	return start + 2 + k + 2, v, nil
}

// isControl reports whether r is a C0 or C1 control character.
func isControl(r rune) bool { return r < 0x20 || r >= 0x7F && r < 0xA0 }

// newPart returns the part of placeholder v, recording v among the
// template's variables unless it is there already.
func (t *Template) newPart(v Var) part {
	p := part{vi: len(t.vars)}
	for i, w := range t.vars {
		if w == v || w.Attribute && v.Attribute && strings.EqualFold(w.Name, v.Name) {
			p.vi = i // attributes match regardless of case: the first spelling names them
			break
		}
	}
	if p.vi == len(t.vars) {
		t.vars = append(t.vars, v)
	}
	if v.Attribute {
		p.fold, p.key = strings.ToLower(v.Name), attrPrefix+v.Name
	}
	return p
}

// Text returns the source text the template was parsed from.
func (t *Template) Text() string { return t.src }

// Static reports whether the template has no placeholder: Render returns its
// text unchanged (with escapes resolved).
func (t *Template) Static() bool { return len(t.vars) == 0 }

// Variables returns the placeholders the template refers to, each once, in
// order of first appearance; attributes written in several cases are one,
// under their first spelling. The caller may modify the returned slice.
func (t *Template) Variables() []Var {
	return append([]Var(nil), t.vars...)
}

// Render returns the text with every placeholder replaced by its value,
// strictly: a missing value is an error (see Execute).
func (t *Template) Render(attrs, params map[string]string) (string, error) {
	return t.Execute(Options{}, attrs, params)
}

// RenderHTML is Render for an HTML document: substituted values are
// HTML-escaped, literal text is not.
func (t *Template) RenderHTML(attrs, params map[string]string) (string, error) {
	return t.Execute(Options{HTML: true}, attrs, params)
}

// Execute returns the text with every placeholder replaced by its value:
// parameters from params by exact name, attributes from params'
// "attribute.<name>" keys first, then from attrs, by name regardless of case.
// A missing value is an EINVALID *herald.Error whose violations name every
// missing placeholder ("params.<name>" or "attribute.<name>", code
// herald.VRequired), unless opts.EmptyMissingAttributes excuses attributes.
func (t *Template) Execute(opts Options, attrs, params map[string]string) (string, error) {
	if len(t.vars) == 0 {
		if len(t.parts) == 0 {
			return "", nil
		}
		return t.parts[0].lit, nil
	}
	explicit := hasAttributeKeys(params)
	var stack [16]string
	vals := stack[:0]
	size := t.litSize
	var missing herald.Violations
	for i := range t.parts {
		p := &t.parts[i]
		if p.vi < 0 {
			continue
		}
		v, ok := p.lookup(&t.vars[p.vi], attrs, params, explicit)
		if !ok && !(t.vars[p.vi].Attribute && opts.EmptyMissingAttributes) {
			addMissing(&missing, t.vars[p.vi])
		}
		if opts.HTML {
			v = html.EscapeString(v)
		}
		vals = append(vals, v)
		size += len(v)
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("rendering template: %w", missing.Err())
	}
	var b strings.Builder
	b.Grow(size)
	for i := range t.parts {
		if t.parts[i].vi < 0 {
			b.WriteString(t.parts[i].lit)
			continue
		}
		b.WriteString(vals[0])
		vals = vals[1:]
	}
	return b.String(), nil
}

// lookup finds the value of placeholder v (whose part is p). explicit
// reports whether params has attribute keys at all.
func (p *part) lookup(v *Var, attrs, params map[string]string, explicit bool) (string, bool) {
	if !v.Attribute {
		val, ok := params[v.Name]
		return val, ok
	}
	if explicit {
		if val, ok := params[p.key]; ok {
			return val, true
		}
		if val, ok := scanParams(v.Name, params); ok {
			return val, true
		}
	}
	return p.lookupAttrs(v.Name, attrs)
}

// LookupAttr returns the value of attribute name in attrs as a template
// finds it: under name as spelled, then in lower case, then under any key
// equal to it regardless of case.
func LookupAttr(name string, attrs map[string]string) (string, bool) {
	p := part{fold: strings.ToLower(name)}
	return p.lookupAttrs(name, attrs)
}

// lookupAttrs is the attrs part of lookup.
func (p *part) lookupAttrs(name string, attrs map[string]string) (string, bool) {
	if val, ok := attrs[name]; ok {
		return val, true
	}
	if val, ok := attrs[p.fold]; ok {
		return val, true
	}
	for k, val := range attrs {
		if strings.EqualFold(k, name) {
			return val, true
		}
	}
	return "", false
}

// hasAttributeKeys reports whether params holds an explicit attribute value.
func hasAttributeKeys(params map[string]string) bool {
	for k := range params {
		if len(k) > len(attrPrefix) && strings.EqualFold(k[:len(attrPrefix)], attrPrefix) {
			return true
		}
	}
	return false
}

// scanParams finds an explicit attribute value in params under a key
// "attribute.<name>" spelled in any case.
func scanParams(name string, params map[string]string) (string, bool) {
	for k, val := range params {
		if len(k) > len(attrPrefix) && strings.EqualFold(k[:len(attrPrefix)], attrPrefix) &&
			strings.EqualFold(strings.TrimSpace(k[len(attrPrefix):]), name) {
			return val, true
		}
	}
	return "", false
}

// addMissing records that placeholder v has no value, once per placeholder.
func addMissing(vs *herald.Violations, v Var) {
	if v.Attribute {
		if field := attrPrefix + v.Name; !vs.Has(field) {
			vs.Add(field, herald.VRequired, "Attribute %q has no value for this contact.", v.Name)
		}
		return
	}
	if field := "params." + v.Name; !vs.Has(field) {
		vs.Add(field, herald.VRequired, "Parameter %q is missing.", v.Name)
	}
}
