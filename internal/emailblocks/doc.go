// Package emailblocks is the e-mail block editor's model: an e-mail body as
// a list of blocks (text, image, button, social links, divider, spacer,
// wrapper, columns), the rules a list must follow, and its rendering into
// an HTML part that e-mail clients display alike and a plain-text part.
//
// The model is JSON (Block's tags). The portal's block editor builds it and
// the API takes it as an e-mail payload's "blocks"; package content reads
// the payload, calls Check for the rules and renders the two parts with
// HTML and Text.
//
// Text blocks hold limited rich text: a small HTML subset (paragraphs,
// headings, lists, bold, italic, underline, strike-through, line breaks and
// links), checked tag by tag; the renderer writes it again with inline
// styles, so nothing the author typed reaches the e-mail unparsed. Colours
// are #rgb or #rrggbb, sizes whole pixels in ranges, addresses http, https,
// mailto or tel: a style attribute never carries author text.
//
// The HTML is built for e-mail clients: nested tables for layout, inline
// styles, a 600-pixel column centred on a grey page, bulletproof buttons,
// and columns that stack on screens narrower than 620 pixels by a media
// query in the head (clients that ignore it keep the columns side by side).
//
// Text fields may hold personalization placeholders such as
// {{attribute.name}}; this package treats them as text. Fields lists the
// fields personalization reaches, so that content can fill them and render
// again.
package emailblocks
