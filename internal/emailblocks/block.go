package emailblocks

import "strconv"

// Block types.
const (
	TypeText    = "text"    // rich text
	TypeImage   = "image"   // an image, optionally a link
	TypeButton  = "button"  // a button that opens URL
	TypeSocial  = "social"  // a row of social network links
	TypeDivider = "divider" // a horizontal line
	TypeSpacer  = "spacer"  // empty space
	TypeWrapper = "wrapper" // a background and padding around blocks
	TypeColumns = "columns" // two or three columns of blocks
)

// Types lists the block types in the editor's order.
func Types() []string {
	return []string{TypeText, TypeImage, TypeButton, TypeSocial, TypeDivider, TypeSpacer, TypeWrapper, TypeColumns}
}

// Block is one element of an e-mail body. Type says which fields apply;
// Check refuses the others. Zero values take the defaults given below.
type Block struct {
	Type string `json:"type"`

	// HTML is a text block's rich text (see package doc).
	HTML string `json:"html,omitempty"`
	// FontSize is a text block's size in pixels, 10 to 48; 16 by default.
	FontSize int `json:"fontSize,omitempty"`

	// Src is an image's address; MediaID the media library file it was
	// picked from, for the editor (Src is what the e-mail shows).
	Src     string `json:"src,omitempty"`
	MediaID int64  `json:"mediaId,omitempty"`
	// Alt is an image's text for readers that do not load images.
	Alt string `json:"alt,omitempty"`
	// Width is an image's width in pixels, 16 to 600; the column's width
	// by default. Narrow screens scale it down.
	Width int `json:"width,omitempty"`

	// Text is a button's label.
	Text string `json:"text,omitempty"`
	// URL is where a button or an image leads (an image needs none).
	URL string `json:"url,omitempty"`
	// Radius rounds a button's corners, 0 to 40 pixels; 4 by default.
	Radius *int `json:"radius,omitempty"`

	// Links are a social block's networks, in order.
	Links []SocialLink `json:"links,omitempty"`

	// Thickness is a divider's line width, 1 to 10 pixels; 1 by default.
	Thickness int `json:"thickness,omitempty"`
	// Height is a spacer's height, 1 to 200 pixels; 24 by default.
	Height int `json:"height,omitempty"`

	// Padding is a wrapper's space around its blocks, 0 to 64 pixels.
	Padding int `json:"padding,omitempty"`
	// Blocks are a wrapper's blocks.
	Blocks []Block `json:"blocks,omitempty"`

	// Columns are a columns block's two or three columns.
	Columns []Column `json:"columns,omitempty"`

	// Align places a text, image, button or social block: left, center or
	// right (text also justify); left by default, center for buttons and
	// social links.
	Align string `json:"align,omitempty"`
	// Color is the text colour of a text block or button, or a divider's
	// line colour.
	Color string `json:"color,omitempty"`
	// Background is a button's or a wrapper's background colour.
	Background string `json:"background,omitempty"`
}

// Column is one column of a columns block.
type Column struct {
	Blocks []Block `json:"blocks"`
}

// SocialLink is one network of a social block.
type SocialLink struct {
	Network string `json:"network"` // one of Networks()
	URL     string `json:"url"`
}

// Clone returns a deep copy of blocks (nil stays nil).
func Clone(blocks []Block) []Block {
	if blocks == nil {
		return nil
	}
	out := make([]Block, len(blocks))
	for i, b := range blocks {
		if b.Radius != nil {
			r := *b.Radius
			b.Radius = &r
		}
		if b.Links != nil {
			b.Links = append([]SocialLink(nil), b.Links...)
		}
		b.Blocks = Clone(b.Blocks)
		if b.Columns != nil {
			cols := make([]Column, len(b.Columns))
			for j, c := range b.Columns {
				cols[j] = Column{Blocks: Clone(c.Blocks)}
			}
			b.Columns = cols
		}
		out[i] = b
	}
	return out
}

// Fields calls fn with each field of blocks that personalization reaches:
// its path below the blocks' parent, such as "blocks[2].columns[0].blocks[1].url",
// its JSON name, a pointer to change it through, and whether it is rich
// text (HTML, whose inserted values must be escaped).
func Fields(blocks []Block, fn func(path, key string, value *string, rich bool)) {
	fields("blocks", blocks, fn)
}

// fields visits the blocks at path.
func fields(path string, blocks []Block, fn func(path, key string, value *string, rich bool)) {
	for i := range blocks {
		b := &blocks[i]
		at := path + "[" + strconv.Itoa(i) + "]"
		visit := func(key string, s *string, rich bool) {
			if *s != "" {
				fn(at+"."+key, key, s, rich)
			}
		}
		visit("html", &b.HTML, true)
		visit("src", &b.Src, false)
		visit("alt", &b.Alt, false)
		visit("text", &b.Text, false)
		visit("url", &b.URL, false)
		for j := range b.Links {
			if b.Links[j].URL != "" {
				fn(at+".links["+strconv.Itoa(j)+"].url", "url", &b.Links[j].URL, false)
			}
		}
		fields(at+".blocks", b.Blocks, fn)
		for j := range b.Columns {
			fields(at+".columns["+strconv.Itoa(j)+"].blocks", b.Columns[j].Blocks, fn)
		}
	}
}
