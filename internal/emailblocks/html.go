package emailblocks

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Style defaults of the rendered e-mail.
const (
	fontStack     = "Arial,Helvetica,sans-serif"
	textColour    = "#222222"
	linkColour    = "#1a73e8"
	pageColour    = "#f4f4f4"
	bodyColour    = "#ffffff"
	buttonColour  = "#1a73e8"
	buttonText    = "#ffffff"
	dividerColour = "#dddddd"
	defaultFont   = 16
	defaultSpacer = 24
	defaultRadius = 4
	edgePadding   = 24 // between the body's edge and top-level content
	columnPadding = 8  // each side of a column's content
	// stackBelow is the screen width under which columns stack.
	stackBelow = 620
)

// Options are the document's settings outside the blocks.
type Options struct {
	// Title is the document's title: the e-mail's subject.
	Title string
	// Preheader is the text inboxes show after the subject (the e-mail's
	// subtitle); it is hidden in the body.
	Preheader string
}

// frame is where a list of blocks is drawn: the width of its rows and the
// horizontal padding of content blocks in them.
type frame struct {
	width int
	pad   int
}

// inner is the width content has in the frame.
func (f frame) inner() int { return f.width - 2*f.pad }

// htmlWriter builds the HTML part.
type htmlWriter struct {
	strings.Builder
}

// HTML renders blocks as a complete HTML document for e-mail clients.
// Blocks are expected to have passed Check; fields that break a rule
// anyway are drawn safely (a bad colour takes the default, a link to an
// address of another scheme is dropped), never pasted.
func HTML(blocks []Block, o Options) string {
	w := &htmlWriter{}
	w.Grow(4096)
	w.head(o)
	w.rows(blocks, frame{width: MaxWidth, pad: edgePadding})
	w.WriteString(foot)
	return w.String()
}

// head writes everything up to the first block row.
func (w *htmlWriter) head(o Options) {
	w.WriteString(`<!DOCTYPE html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>`)
	w.WriteString(html.EscapeString(o.Title))
	w.WriteString(`</title>
<style type="text/css">
body{margin:0;padding:0;width:100%;-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%;}
table,td{border-collapse:collapse;mso-table-lspace:0pt;mso-table-rspace:0pt;}
img{border:0;outline:none;text-decoration:none;-ms-interpolation-mode:bicubic;}
a img{border:0;}
@media only screen and (max-width:`)
	w.WriteString(strconv.Itoa(stackBelow - 1))
	w.WriteString(`px){
.h-body{width:100% !important;}
.h-col{display:block !important;width:100% !important;max-width:100% !important;}
}
</style>
</head>
<body style="margin:0;padding:0;background-color:` + pageColour + `;">
`)
	if o.Preheader != "" {
		w.WriteString(`<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;">`)
		w.WriteString(html.EscapeString(o.Preheader))
		w.WriteString("</div>\n")
	}
	w.WriteString(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="` + pageColour + `" style="background-color:` + pageColour + `;">
<tr><td align="center" style="padding:16px 0;">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" class="h-body" width="600" cellpadding="0" cellspacing="0" border="0" bgcolor="` + bodyColour + `" style="width:600px;max-width:600px;background-color:` + bodyColour + `;">
`)
}

// foot closes what head opened.
const foot = `</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`

// table opens a layout table.
const table = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">`

// rows writes one table row per block.
func (w *htmlWriter) rows(blocks []Block, f frame) {
	for i := range blocks {
		w.block(&blocks[i], f)
	}
}

// block writes one block's row.
func (w *htmlWriter) block(b *Block, f frame) {
	switch b.Type {
	case TypeText:
		w.text(b, f)
	case TypeImage:
		w.image(b, f)
	case TypeButton:
		w.button(b, f)
	case TypeSocial:
		w.social(b, f)
	case TypeDivider:
		w.printf(`<tr><td style="padding:8px %dpx;">`, f.pad)
		w.WriteString(table)
		w.printf(`<tr><td style="border-top:%dpx solid %s;height:0;font-size:0;line-height:0;mso-line-height-rule:exactly;">&nbsp;</td></tr></table></td></tr>`+"\n",
			orInt(clamp(b.Thickness, 1, 10), 1), colour(b.Color, dividerColour))
	case TypeSpacer:
		h := orInt(clamp(b.Height, 1, 200), defaultSpacer)
		w.printf(`<tr><td height="%d" style="height:%dpx;font-size:0;line-height:0;mso-line-height-rule:exactly;">&nbsp;</td></tr>`+"\n", h, h)
	case TypeWrapper:
		p := clamp(b.Padding, 0, 64)
		bg := colour(b.Background, "")
		w.WriteString(`<tr><td`)
		if bg != "" {
			w.printf(` bgcolor="%s"`, bg)
		}
		w.printf(` style="padding:%dpx;`, p)
		if bg != "" {
			w.printf(`background-color:%s;`, bg)
		}
		w.WriteString("\">\n" + table + "\n")
		w.rows(b.Blocks, frame{width: f.width - 2*p})
		w.WriteString("</table>\n</td></tr>\n")
	case TypeColumns:
		w.columns(b, f)
	}
}

// printf writes a formatted string; the callers escape text values.
func (w *htmlWriter) printf(format string, args ...any) {
	fmt.Fprintf(&w.Builder, format, args...)
}

// text writes a text block.
func (w *htmlWriter) text(b *Block, f frame) {
	size := orInt(clamp(b.FontSize, 10, 48), defaultFont)
	align := b.Align
	if align != "center" && align != "right" && align != "justify" {
		align = "left"
	}
	c := colour(b.Color, textColour)
	w.printf(`<tr><td style="padding:8px %dpx;font-family:%s;font-size:%dpx;line-height:1.5;color:%s;text-align:%s;">`,
		f.pad, fontStack, size, c, align)
	tree, prob := parseRich(b.HTML)
	if prob == nil {
		last := lastBlockChild(tree)
		for _, n := range tree.children {
			w.rich(n, n == last, colour(b.Color, linkColour))
		}
	} else {
		w.WriteString(html.EscapeString(b.HTML)) // Check refuses it; never pasted
	}
	w.WriteString("</td></tr>\n")
}

// lastBlockChild returns the last of root's block elements, whose bottom
// margin the cell's padding replaces.
func lastBlockChild(root *node) *node {
	for i := len(root.children) - 1; i >= 0; i-- {
		if blockTag(root.children[i].tag) {
			return root.children[i]
		}
	}
	return nil
}

// richStyle is the inline style of each rich text element.
func richStyle(tag string, last bool) string {
	margin := "margin:0 0 12px 0;"
	if last {
		margin = "margin:0;"
	}
	switch tag {
	case "p":
		return margin
	case "h1":
		return margin + "font-size:28px;line-height:1.25;font-weight:bold;"
	case "h2":
		return margin + "font-size:22px;line-height:1.3;font-weight:bold;"
	case "h3":
		return margin + "font-size:18px;line-height:1.35;font-weight:bold;"
	case "ul", "ol":
		return margin + "padding:0 0 0 24px;"
	case "li":
		return "margin:0 0 4px 0;"
	}
	return ""
}

// rich writes a node of rich text with inline styles.
func (w *htmlWriter) rich(n *node, last bool, link string) {
	if n.tag == "" {
		w.WriteString(html.EscapeString(n.text))
		return
	}
	tag := n.tag
	switch tag {
	case "br":
		w.WriteString("<br>")
		return
	case "b":
		tag = "strong"
	case "i":
		tag = "em"
	case "a":
		href := safeAddress(n.href, true)
		if href == "" {
			w.richChildren(n, link)
			return
		}
		w.printf(`<a href="%s" target="_blank" rel="noopener" style="color:%s;text-decoration:underline;">`, html.EscapeString(href), link)
		w.richChildren(n, link)
		w.WriteString("</a>")
		return
	}
	w.WriteString("<" + tag)
	if s := richStyle(tag, last); s != "" {
		w.WriteString(` style="` + s + `"`)
	}
	w.WriteString(">")
	w.richChildren(n, link)
	w.WriteString("</" + tag + ">")
}

// richChildren writes n's children.
func (w *htmlWriter) richChildren(n *node, link string) {
	for _, c := range n.children {
		w.rich(c, false, link)
	}
}

// cell opens a content block's row with its alignment.
func (w *htmlWriter) cell(f frame, align string) {
	w.printf(`<tr><td align="%s" style="padding:8px %dpx;">`, align, f.pad)
}

// image writes an image block.
func (w *htmlWriter) image(b *Block, f frame) {
	width := f.inner()
	if b.Width > 0 && b.Width < width {
		width = max(b.Width, 16)
	}
	align := alignment(b.Align, "left")
	w.cell(f, align)
	href := safeAddress(b.URL, true)
	if href != "" {
		w.printf(`<a href="%s" target="_blank" rel="noopener">`, html.EscapeString(href))
	}
	margin := map[string]string{"left": "0", "center": "0 auto", "right": "0 0 0 auto"}[align]
	w.printf(`<img src="%s" alt="%s" width="%d" style="display:block;width:100%%;max-width:%dpx;height:auto;border:0;margin:%s;">`,
		html.EscapeString(safeAddress(b.Src, false)), html.EscapeString(b.Alt), width, width, margin)
	if href != "" {
		w.WriteString("</a>")
	}
	w.WriteString("</td></tr>\n")
}

// button writes a button block: a table cell with the button's colour
// around a padded link, which Outlook draws too.
func (w *htmlWriter) button(b *Block, f frame) {
	align := alignment(b.Align, "center")
	bg := colour(b.Background, buttonColour)
	radius := defaultRadius
	if b.Radius != nil {
		radius = clamp(*b.Radius, 0, 40)
	}
	w.cell(f, align)
	w.printf(`<table role="presentation" align="%s" cellpadding="0" cellspacing="0" border="0"><tr><td align="center" bgcolor="%s" style="border-radius:%dpx;background-color:%s;">`,
		align, bg, radius, bg)
	w.printf(`<a href="%s" target="_blank" rel="noopener" style="display:inline-block;padding:12px 24px;font-family:%s;font-size:16px;font-weight:bold;line-height:1.2;color:%s;text-decoration:none;border-radius:%dpx;">%s</a>`,
		html.EscapeString(safeAddress(b.URL, true)), fontStack, colour(b.Color, buttonText), radius, html.EscapeString(b.Text))
	w.WriteString("</td></tr></table></td></tr>\n")
}

// social writes a social block: a row of round badges.
func (w *htmlWriter) social(b *Block, f frame) {
	align := alignment(b.Align, "center")
	w.cell(f, align)
	w.printf(`<table role="presentation" align="%s" cellpadding="0" cellspacing="0" border="0"><tr>`, align)
	for _, l := range b.Links {
		n, ok := network(l.Network)
		href := safeAddress(l.URL, true)
		if !ok || href == "" {
			continue
		}
		w.printf(`<td style="padding:0 4px;"><a href="%s" target="_blank" rel="noopener" title="%s" style="display:inline-block;width:32px;height:32px;line-height:32px;border-radius:16px;background-color:%s;color:#ffffff;font-family:%s;font-size:13px;font-weight:bold;text-align:center;text-decoration:none;">%s</a></td>`,
			html.EscapeString(href), html.EscapeString(n.Label), n.Colour, fontStack, html.EscapeString(n.Mark))
	}
	w.WriteString("</tr></table></td></tr>\n")
}

// columns writes a columns block: one row of cells that stack on narrow
// screens (class h-col).
func (w *htmlWriter) columns(b *Block, f frame) {
	n := len(b.Columns)
	if n == 0 {
		return
	}
	edge := max(f.pad-columnPadding, 0)
	colWidth := (f.width - 2*edge) / n
	pct := 100 / n
	w.printf(`<tr><td style="padding:0 %dpx;">`, edge)
	w.WriteString("\n" + table + "<tr>\n")
	for _, c := range b.Columns {
		w.printf(`<td class="h-col" width="%d" valign="top" style="width:%d%%;max-width:%dpx;vertical-align:top;">`, colWidth, pct, colWidth)
		w.WriteString("\n" + table + "\n")
		w.rows(c.Blocks, frame{width: colWidth, pad: columnPadding})
		w.WriteString("</table>\n</td>\n")
	}
	w.WriteString("</tr></table>\n</td></tr>\n")
}

// alignment returns a known alignment or def.
func alignment(a, def string) string {
	switch a {
	case "left", "center", "right":
		return a
	}
	return def
}

// colour returns c when it is a colour, else def.
func colour(c, def string) string {
	if isColour(c) {
		return strings.ToLower(c)
	}
	return def
}

// clamp bounds n to [lo, hi], keeping 0 (the default).
func clamp(n, lo, hi int) int {
	if n == 0 {
		return 0
	}
	return min(max(n, lo), hi)
}

// orInt returns n, or def for 0.
func orInt(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// safeAddress returns s when a link may lead there (http, https and, with
// mailTel, mailto and tel) or when it is a placeholder yet to be filled,
// and "" otherwise.
func safeAddress(s string, mailTel bool) string {
	s = strings.TrimSpace(s)
	if safeScheme(s, mailTel) || strings.HasPrefix(s, "{{") {
		return s
	}
	return ""
}
