package emailblocks

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// Limits of the block model. E-mail has no standard for them: they keep a
// body inside what clients show without clipping (Gmail clips an HTML part
// over 102 KB) and the editor usable.
const (
	MaxBlocks      = 100   // blocks in a body, nested ones included
	MaxRichText    = 20000 // characters of one text block's HTML
	MaxAlt         = 255   // an image's alternative text
	MaxButtonText  = 100   // a button's label
	MaxURL         = 2048  // any address
	MaxSocialLinks = 12    // links of one social block
	MinColumns     = 2
	MaxColumns     = 3
	MaxWidth       = 600 // the e-mail's column, in pixels
)

// Where a list of blocks sits, which decides the blocks it may hold.
const (
	levelTop     = iota // the body: every type
	levelWrapper        // in a wrapper: all but wrappers
	levelColumn         // in a column: content blocks only
)

// checker collects violations while walking blocks.
type checker struct {
	vs    herald.Violations
	count int
}

// Check validates blocks, the body of an e-mail, and returns a violation
// per broken rule, each naming its field by path below prefix, such as
// "payload.blocks[1].columns[0].blocks[2].url". A body needs at least one
// block. Addresses and colours that hold a placeholder are checked when
// personalized (check again then).
func Check(prefix string, blocks []Block) herald.Violations {
	k := &checker{}
	path := prefix + ".blocks"
	if len(blocks) == 0 {
		k.vs.Add(path, herald.VRequired, "An e-mail needs at least one block.")
		return k.vs
	}
	k.list(path, blocks, levelTop)
	if k.count > MaxBlocks {
		k.vs.Add(path, herald.VTooLong, "An e-mail can have at most %d blocks (it has %d).", MaxBlocks, k.count)
	}
	return k.vs
}

// list checks the blocks at path.
func (k *checker) list(path string, blocks []Block, level int) {
	for i := range blocks {
		k.count++
		k.block(path+"["+strconv.Itoa(i)+"]", &blocks[i], level)
	}
}

// block checks one block.
func (k *checker) block(at string, b *Block, level int) {
	switch {
	case b.Type == "":
		k.vs.Add(at+".type", herald.VRequired, "Block type is required.")
		return
	case !isType(b.Type):
		k.vs.Add(at+".type", herald.VFormat, "Block type must be one of %s.", strings.Join(Types(), ", "))
		return
	case level == levelWrapper && b.Type == TypeWrapper:
		k.vs.Add(at+".type", herald.VFormat, "A wrapper cannot hold another wrapper.")
		return
	case level == levelColumn && (b.Type == TypeWrapper || b.Type == TypeColumns):
		k.vs.Add(at+".type", herald.VFormat, "A column holds content blocks, not a %s.", b.Type)
		return
	}
	k.unused(at, b)
	switch b.Type {
	case TypeText:
		k.text(at, b)
	case TypeImage:
		k.address(at+".src", b.Src, true, "Image address", false)
		k.length(at+".alt", b.Alt, MaxAlt, "Alternative text")
		k.address(at+".url", b.URL, false, "Image link", true)
		k.between(at+".width", b.Width, 16, MaxWidth, "Image width", true)
		k.align(at, b.Align)
		if b.MediaID < 0 {
			k.vs.Add(at+".mediaId", herald.VRange, "Media ID must be a media library file's ID.")
		}
	case TypeButton:
		k.required(at+".text", b.Text, "Button text")
		k.length(at+".text", b.Text, MaxButtonText, "Button text")
		k.address(at+".url", b.URL, true, "Button address", true)
		k.colour(at+".color", b.Color, "Text colour")
		k.colour(at+".background", b.Background, "Button colour")
		if b.Radius != nil {
			k.between(at+".radius", *b.Radius, 0, 40, "Corner radius", false)
		}
		k.align(at, b.Align)
	case TypeSocial:
		k.social(at, b)
	case TypeDivider:
		k.colour(at+".color", b.Color, "Line colour")
		k.between(at+".thickness", b.Thickness, 1, 10, "Line thickness", true)
	case TypeSpacer:
		k.between(at+".height", b.Height, 1, 200, "Height", true)
	case TypeWrapper:
		k.colour(at+".background", b.Background, "Background colour")
		k.between(at+".padding", b.Padding, 0, 64, "Padding", false)
		if len(b.Blocks) == 0 {
			k.vs.Add(at+".blocks", herald.VRequired, "A wrapper needs at least one block.")
		}
		k.list(at+".blocks", b.Blocks, levelWrapper)
	case TypeColumns:
		if n := len(b.Columns); n < MinColumns || n > MaxColumns {
			k.vs.Add(at+".columns", herald.VRange, "A columns block has %d or %d columns (it has %d).", MinColumns, MaxColumns, n)
		}
		for j := range b.Columns {
			k.list(at+".columns["+strconv.Itoa(j)+"].blocks", b.Columns[j].Blocks, levelColumn)
		}
	}
}

// isType reports a known block type.
func isType(t string) bool {
	for _, x := range Types() {
		if t == x {
			return true
		}
	}
	return false
}

// unused reports fields that b's type does not use.
func (k *checker) unused(at string, b *Block) {
	t := b.Type
	for _, f := range []struct {
		key  string
		set  bool
		used bool
	}{
		{"html", b.HTML != "", t == TypeText},
		{"fontSize", b.FontSize != 0, t == TypeText},
		{"src", b.Src != "", t == TypeImage},
		{"mediaId", b.MediaID != 0, t == TypeImage},
		{"alt", b.Alt != "", t == TypeImage},
		{"width", b.Width != 0, t == TypeImage},
		{"text", b.Text != "", t == TypeButton},
		{"url", b.URL != "", t == TypeButton || t == TypeImage},
		{"radius", b.Radius != nil, t == TypeButton},
		{"links", b.Links != nil, t == TypeSocial},
		{"thickness", b.Thickness != 0, t == TypeDivider},
		{"height", b.Height != 0, t == TypeSpacer},
		{"padding", b.Padding != 0, t == TypeWrapper},
		{"blocks", b.Blocks != nil, t == TypeWrapper},
		{"columns", b.Columns != nil, t == TypeColumns},
		{"align", b.Align != "", t == TypeText || t == TypeImage || t == TypeButton || t == TypeSocial},
		{"color", b.Color != "", t == TypeText || t == TypeButton || t == TypeDivider},
		{"background", b.Background != "", t == TypeButton || t == TypeWrapper},
	} {
		if f.set && !f.used {
			k.vs.Add(at+"."+f.key, herald.VUnknown, "%s blocks do not use %s.", capital(t), f.key)
		}
	}
}

// capital returns s with its first letter in upper case.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// text checks a text block's rich text and style.
func (k *checker) text(at string, b *Block) {
	k.colour(at+".color", b.Color, "Text colour")
	k.between(at+".fontSize", b.FontSize, 10, 48, "Font size", true)
	if b.Align != "" && b.Align != "justify" {
		k.align(at, b.Align)
	}
	field := at + ".html"
	if n := utf8.RuneCountInString(b.HTML); n > MaxRichText {
		k.vs.Add(field, herald.VTooLong, "Text must be at most %d characters of HTML (it has %d).", MaxRichText, n)
		return
	}
	tree, prob := parseRich(b.HTML)
	if prob != nil {
		k.vs.Add(field, herald.VFormat, "%s", prob.msg)
		return
	}
	if tree.visibleText() == "" {
		k.vs.Add(field, herald.VRequired, "Text is required.")
		return
	}
	for _, a := range tree.links() {
		if a.href == "" {
			k.vs.Add(field, herald.VFormat, "Each link in the text needs an address (href).")
			return
		}
		if msg := addressProblem(a.href, true); msg != "" {
			k.vs.Add(field, herald.VFormat, "Link %q: %s", a.href, msg)
			return
		}
	}
}

// social checks a social block's links.
func (k *checker) social(at string, b *Block) {
	k.align(at, b.Align)
	switch n := len(b.Links); {
	case n == 0:
		k.vs.Add(at+".links", herald.VRequired, "A social block needs at least one link.")
	case n > MaxSocialLinks:
		k.vs.Add(at+".links", herald.VTooLong, "A social block can have at most %d links (it has %d).", MaxSocialLinks, n)
	}
	for j, l := range b.Links {
		lat := at + ".links[" + strconv.Itoa(j) + "]"
		net, ok := network(l.Network)
		switch {
		case l.Network == "":
			k.vs.Add(lat+".network", herald.VRequired, "Network is required.")
		case !ok:
			k.vs.Add(lat+".network", herald.VFormat, "Network must be one of %s.", strings.Join(Networks(), ", "))
		}
		if net.Key == "email" {
			k.required(lat+".url", l.URL, "Address")
			if l.URL != "" && !templated(l.URL) && !strings.HasPrefix(strings.ToLower(l.URL), "mailto:") {
				k.vs.Add(lat+".url", herald.VFormat, "An e-mail link must start with mailto:.")
			}
			k.length(lat+".url", l.URL, MaxURL, "Address")
			continue
		}
		k.address(lat+".url", l.URL, true, "Address", false)
	}
}

// required reports a blank required field.
func (k *checker) required(field, value, label string) {
	if strings.TrimSpace(value) == "" {
		k.vs.Add(field, herald.VRequired, "%s is required.", label)
	}
}

// length reports a field over max characters.
func (k *checker) length(field, value string, max int, label string) {
	if n := utf8.RuneCountInString(value); n > max {
		k.vs.Add(field, herald.VTooLong, "%s must be at most %d characters (it has %d).", label, max, n)
	}
}

// between reports a number outside [lo, hi]; with zeroDefault 0 means
// the default and is accepted.
func (k *checker) between(field string, n, lo, hi int, label string, zeroDefault bool) {
	if n == 0 && zeroDefault {
		return
	}
	if n < lo || n > hi {
		k.vs.Add(field, herald.VRange, "%s must be between %d and %d pixels (it is %d).", label, lo, hi, n)
	}
}

// align checks a block's alignment.
func (k *checker) align(at, value string) {
	switch value {
	case "", "left", "center", "right":
	default:
		k.vs.Add(at+".align", herald.VFormat, "Alignment must be left, center or right.")
	}
}

// colour checks a colour: #rgb or #rrggbb.
func (k *checker) colour(field, value, label string) {
	if value != "" && !isColour(value) {
		k.vs.Add(field, herald.VFormat, "%s must be a colour such as #1a73e8.", label)
	}
}

// isColour reports #rgb or #rrggbb.
func isColour(s string) bool {
	if len(s) != 4 && len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// address checks a URL field: required or not, at most MaxURL characters,
// http or https (and, with mailTel, mailto and tel).
func (k *checker) address(field, value string, required bool, label string, mailTel bool) {
	if required {
		k.required(field, value, label)
	}
	if value == "" {
		return
	}
	k.length(field, value, MaxURL, label)
	if msg := addressProblem(value, mailTel); msg != "" {
		k.vs.Add(field, herald.VFormat, "%s %s", label, lowerFirst(msg))
	}
}

// lowerFirst lowers a message's first letter to follow a label.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// templated reports a placeholder, whose value is known when personalized.
func templated(s string) bool { return strings.Contains(s, "{{") }

// addressProblem returns why s is not an address a link may lead to, or ""
// for a good one. An address that starts with a placeholder waits for its
// value; one with a placeholder later must still start with its scheme.
func addressProblem(s string, mailTel bool) string {
	if strings.ContainsAny(s, " \t\r\n") && !templated(s) {
		return "Must not contain spaces."
	}
	if templated(s) {
		if strings.HasPrefix(s, "{{") || safeScheme(s, mailTel) {
			return ""
		}
	} else if safeScheme(s, mailTel) {
		if u, err := url.Parse(s); err == nil && (u.Host != "" || u.Scheme == "mailto" || u.Scheme == "tel") && u.Opaque+u.Host+u.Path != "" {
			return ""
		}
	}
	if mailTel {
		return "Must be a web address (http:// or https://), mailto: or tel:."
	}
	return "Must be a web address starting with http:// or https://."
}

// safeScheme reports whether s starts with a scheme links may use.
func safeScheme(s string, mailTel bool) bool {
	l := strings.ToLower(s)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return true
	}
	return mailTel && (strings.HasPrefix(l, "mailto:") || strings.HasPrefix(l, "tel:"))
}
