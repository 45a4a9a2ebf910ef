package content

import (
	"math"

	"github.com/heraldhq/herald/internal/emailblocks"
)

// readBlocks reads an e-mail's list of blocks (package emailblocks); the
// rules are emailblocks.Check's. A list item that is not an object reads as
// an empty block, so the later items keep their indexes.
//
// null reads as no blocks (nil); any other value as a list, empty when it is
// not one (the reader has said why), so the e-mail is still judged by its
// blocks.
func readBlocks(r *reader) []emailblocks.Block {
	if r.ws() == 'n' {
		r.literal("null")
		return nil
	}
	out := []emailblocks.Block{}
	r.array(func(int) {
		var b emailblocks.Block
		r.object(func(key []byte) bool { return readBlockField(r, &b, string(key)) })
		out = append(out, b)
	})
	return out
}

// readBlockField reads field key of block b; false for an unknown field.
func readBlockField(r *reader, b *emailblocks.Block, key string) bool {
	switch key {
	case "type":
		b.Type = r.str()
	case "html":
		b.HTML = r.str()
	case "src":
		b.Src = r.str()
	case "alt":
		b.Alt = r.str()
	case "text":
		b.Text = r.str()
	case "url":
		b.URL = r.str()
	case "align":
		b.Align = r.str()
	case "color":
		b.Color = r.str()
	case "background":
		b.Background = r.str()
	case "mediaId":
		n, _ := r.integer()
		b.MediaID = n
	case "fontSize":
		b.FontSize = readPixels(r)
	case "width":
		b.Width = readPixels(r)
	case "thickness":
		b.Thickness = readPixels(r)
	case "height":
		b.Height = readPixels(r)
	case "padding":
		b.Padding = readPixels(r)
	case "radius":
		if n, ok := r.integer(); ok {
			px := clampInt(n)
			b.Radius = &px
		}
	case "links":
		b.Links = readSocialLinks(r)
	case "blocks":
		b.Blocks = readBlocks(r)
	case "columns":
		b.Columns = []emailblocks.Column{}
		r.array(func(int) {
			var c emailblocks.Column
			r.object(func(key []byte) bool {
				if string(key) != "blocks" {
					return false
				}
				c.Blocks = readBlocks(r)
				return true
			})
			b.Columns = append(b.Columns, c)
		})
	default:
		return false
	}
	return true
}

// readPixels reads a whole number of pixels; a bad value reads as 0 (the
// reader has recorded why).
func readPixels(r *reader) int {
	n, _ := r.integer()
	return clampInt(n)
}

// clampInt narrows n to an int far outside every limit, so an absurd value
// is reported as out of range rather than wrapped into it.
func clampInt(n int64) int {
	return int(max(min(n, math.MaxInt32), math.MinInt32))
}

// readSocialLinks reads a social block's links.
func readSocialLinks(r *reader) []emailblocks.SocialLink {
	out := []emailblocks.SocialLink{}
	r.array(func(int) {
		var l emailblocks.SocialLink
		r.object(func(key []byte) bool {
			switch string(key) {
			case "network":
				return r.into(&l.Network)
			case "url":
				return r.into(&l.URL)
			}
			return false
		})
		out = append(out, l)
	})
	return out
}
