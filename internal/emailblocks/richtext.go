package emailblocks

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// richTagList names the elements a text block may use, for messages.
const richTagList = "p, h1, h2, h3, ul, ol, li, br, b, strong, i, em, u, s, a"

// richTag reports whether a text block may use element tag.
func richTag(tag string) bool {
	switch tag {
	case "p", "h1", "h2", "h3", "ul", "ol", "li", "br", "b", "strong", "i", "em", "u", "s", "a":
		return true
	}
	return false
}

// blockTag reports whether tag is a rich text element that starts a line.
func blockTag(tag string) bool {
	switch tag {
	case "p", "h1", "h2", "h3", "ul", "ol", "li":
		return true
	}
	return false
}

// node is an element or a run of text of parsed rich text.
type node struct {
	tag      string // "" for text
	text     string // unescaped
	href     string // a's address
	children []*node
}

// richProblem is a fault of rich text, as a message.
type richProblem struct {
	msg string
}

// parseRich parses rich text into a tree of allowed elements. Elements left
// open are closed at the end, and end tags without their start are
// ignored: what a browser's editor writes is always well nested, and the
// tree renders well nested whatever came in. It reports the first
// disallowed element or attribute.
func parseRich(src string) (*node, *richProblem) {
	root := &node{tag: "#root"}
	stack := []*node{root}
	z := html.NewTokenizer(strings.NewReader(src))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return root, nil
			}
			return root, &richProblem{fmt.Sprintf("Text is not readable HTML: %v.", z.Err())}
		case html.TextToken:
			top := stack[len(stack)-1]
			top.children = append(top.children, &node{text: string(z.Text())})
		case html.StartTagToken, html.SelfClosingTagToken:
			n, prob := element(z)
			if prob != nil {
				return root, prob
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, n)
			if tt == html.StartTagToken && n.tag != "br" {
				stack = append(stack, n)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if !richTag(tag) {
				return root, &richProblem{unknownTag(tag)}
			}
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].tag == tag {
					stack = stack[:i]
					break
				}
			}
		case html.CommentToken:
			// Editors leave comments when pasting; they never reach the e-mail.
		case html.DoctypeToken:
			return root, &richProblem{"Text must not have a document type: give the text's HTML only."}
		}
	}
}

// element reads the start tag at z: an allowed tag with allowed attributes.
func element(z *html.Tokenizer) (*node, *richProblem) {
	name, hasAttr := z.TagName()
	n := &node{tag: string(name)}
	if !richTag(n.tag) {
		return nil, &richProblem{unknownTag(n.tag)}
	}
	for hasAttr {
		var key, val []byte
		key, val, hasAttr = z.TagAttr()
		switch {
		case n.tag == "a" && string(key) == "href":
			n.href = strings.TrimSpace(string(val))
		case n.tag == "a" && string(key) == "target", n.tag == "a" && string(key) == "rel":
			// Links always open in a new window; the renderer sets both.
		default:
			return nil, &richProblem{fmt.Sprintf("Text must not give <%s> the attribute %s: styles come from the block's settings.", n.tag, key)}
		}
	}
	return n, nil
}

// unknownTag is the message for a tag outside richTags.
func unknownTag(tag string) string {
	return fmt.Sprintf("Text must not use <%s>; it may use %s.", tag, richTagList)
}

// visibleText returns the text of n without tags, white space collapsed.
func (n *node) visibleText() string {
	var b strings.Builder
	n.walkText(&b)
	return strings.Join(strings.Fields(b.String()), " ")
}

func (n *node) walkText(b *strings.Builder) {
	if n.tag == "" {
		b.WriteString(n.text)
		return
	}
	if n.tag == "br" || blockTag(n.tag) {
		b.WriteByte(' ')
	}
	for _, c := range n.children {
		c.walkText(b)
	}
}

// links returns the addresses of n's links, in order.
func (n *node) links() []*node {
	var out []*node
	var walk func(*node)
	walk = func(n *node) {
		if n.tag == "a" {
			out = append(out, n)
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(n)
	return out
}
