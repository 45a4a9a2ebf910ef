// Package render personalizes message text.
//
// A text is a template with two kinds of placeholder:
//
//	{{attribute.Fecha de nacimiento}}  a contact attribute: the prefix and the
//	                                   name match case-insensitively, and the
//	                                   name may hold spaces and letters of any
//	                                   language
//	{{code}}, {{1}}                    a template parameter: matches exactly
//
// Spaces just inside the braces are trimmed: {{ code }} is {{code}}. A name
// may not contain braces or control characters.
//
// The escape rule is one: "{{{{" writes a literal "{{". Nothing else is
// special; a lone "{", "}" or "}}" is plain text. A "{{" without its "}}"
// is a syntax error that gives the character position.
//
// Parse a text once into a Template, then Render it for each message: Render
// does not scan the text again, it only looks values up and copies. A
// missing value is an error naming every missing placeholder, as
// herald.Violations with fields "params.<name>" and "attribute.<name>";
// Options.EmptyMissingAttributes renders missing attributes as empty text
// instead, since contacts often lack some. Values are pasted as they are,
// except by RenderHTML, which HTML-escapes them for e-mail bodies.
//
// An attribute can also be given in params under the key "attribute.<name>",
// as the API's template params do ({"attribute.name": "Ana"}); such an
// explicit value wins over the contact's stored attribute.
//
// Templates are immutable and safe for concurrent use. Cache and Renderer
// let a sender parse each field of a content once and personalize it for
// many recipients.
package render
