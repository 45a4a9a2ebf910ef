package emailblocks

import (
	"strconv"
	"strings"
)

// Text renders blocks as the e-mail's plain-text part: every text, every
// button, image link and social link with its address, blocks apart by a
// blank line, a divider as a line of dashes. Rich text keeps its paragraphs
// and list items; a link reads "label (address)".
func Text(blocks []Block) string {
	t := &textWriter{}
	t.blocks(blocks)
	return strings.TrimSpace(t.b.String()) + "\n"
}

// textWriter builds plain text, collapsing white space as HTML does and
// keeping at most one blank line between paragraphs.
type textWriter struct {
	b        strings.Builder
	lineOpen bool // the current line has text
	space    bool // a space is due before the next word
	breaks   int  // newlines written since the last text
}

// word writes s, collapsing its white space runs into single spaces.
func (t *textWriter) word(s string) {
	if s == "" {
		return
	}
	if isSpace(s[0]) && t.lineOpen {
		t.space = true
	}
	for i, f := range strings.Fields(s) {
		if i > 0 {
			t.space = true
		}
		if t.space && t.lineOpen {
			t.b.WriteByte(' ')
		}
		t.b.WriteString(f)
		t.lineOpen, t.space, t.breaks = true, false, 0
	}
	if isSpace(s[len(s)-1]) && t.lineOpen {
		t.space = true
	}
}

// isSpace reports an HTML white space byte.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// line writes s as a line of its own.
func (t *textWriter) line(s string) {
	t.newline()
	t.b.WriteString(s)
	t.lineOpen, t.space, t.breaks = true, false, 0
	t.newline()
}

// newline ends the current line, if it has text.
func (t *textWriter) newline() {
	if t.lineOpen {
		t.b.WriteByte('\n')
		t.lineOpen, t.space, t.breaks = false, false, 1
	}
}

// hardBreak writes a line break even on an empty line (a <br>).
func (t *textWriter) hardBreak() {
	t.b.WriteByte('\n')
	t.lineOpen, t.space = false, false
	t.breaks++
}

// paragraph leaves one blank line before the next text.
func (t *textWriter) paragraph() {
	t.newline()
	if t.b.Len() > 0 && t.breaks < 2 {
		t.b.WriteByte('\n')
		t.breaks = 2
	}
}

// blocks writes each block as a paragraph.
func (t *textWriter) blocks(blocks []Block) {
	for i := range blocks {
		t.block(&blocks[i])
	}
}

// block writes one block.
func (t *textWriter) block(b *Block) {
	switch b.Type {
	case TypeText:
		t.paragraph()
		if tree, prob := parseRich(b.HTML); prob == nil {
			t.rich(tree, "")
		}
	case TypeImage:
		label := strings.TrimSpace(b.Alt)
		href := strings.TrimSpace(b.URL)
		switch {
		case href != "" && label != "":
			t.paragraph()
			t.line(label + ": " + href)
		case href != "":
			t.paragraph()
			t.line(href)
		case label != "":
			t.paragraph()
			t.line("[" + label + "]")
		}
	case TypeButton:
		t.paragraph()
		t.line(strings.TrimSpace(b.Text) + ": " + strings.TrimSpace(b.URL))
	case TypeSocial:
		t.paragraph()
		for _, l := range b.Links {
			label := l.Network
			if n, ok := network(l.Network); ok {
				label = n.Label
			}
			t.line(label + ": " + strings.TrimSpace(l.URL))
		}
	case TypeDivider:
		t.paragraph()
		t.line(strings.Repeat("-", 40))
	case TypeSpacer:
		t.paragraph()
	case TypeWrapper:
		t.blocks(b.Blocks)
	case TypeColumns:
		for _, c := range b.Columns {
			t.blocks(c.Blocks)
		}
	}
}

// rich writes rich text; list is "ul" or "ol" inside a list.
func (t *textWriter) rich(n *node, list string) {
	if n.tag == "" {
		t.word(n.text)
		return
	}
	switch n.tag {
	case "br":
		t.hardBreak()
		return
	case "p", "h1", "h2", "h3":
		t.paragraph()
		t.children(n, list)
		t.paragraph()
		return
	case "ul", "ol":
		t.paragraph()
		item := 0
		for _, c := range n.children {
			if c.tag == "li" {
				item++
				t.newline()
				if n.tag == "ol" {
					t.word(strconv.Itoa(item) + ".")
				} else {
					t.word("-")
				}
				t.space = true
				t.children(c, n.tag)
				continue
			}
			t.rich(c, n.tag)
		}
		t.paragraph()
		return
	case "li":
		t.newline()
		t.word("-")
		t.space = true
		t.children(n, list)
		t.newline()
		return
	case "a":
		label := n.visibleText()
		href := n.href
		if l := strings.ToLower(href); strings.HasPrefix(l, "mailto:") || strings.HasPrefix(l, "tel:") {
			if i := strings.IndexByte(href, ':'); label == href[i+1:] {
				t.word(label)
				return
			}
		}
		t.children(n, list)
		if href != "" && label != href {
			t.space = t.lineOpen
			t.word("(" + href + ")")
		}
		return
	}
	t.children(n, list)
}

// children writes n's children.
func (t *textWriter) children(n *node, list string) {
	for _, c := range n.children {
		t.rich(c, list)
	}
}
