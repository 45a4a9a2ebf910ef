package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/render"
	"github.com/heraldhq/herald/internal/sms"
)

// Content is what a message says on one channel.
type Content interface {
	// Channel returns the channel the content is for.
	Channel() herald.Channel
	// Text returns the message's main text, for SMS fallbacks, logs and
	// EDRs; empty for content without text, such as a file.
	Text() string
	// Preview returns a one-line summary of at most 60 characters for
	// tables, such as "Rich card: Autumn sale".
	Preview() string
	// Render returns a copy with f applied to every text field that
	// personalization reaches (texts, titles, button texts, URLs, phone
	// numbers, ...), or the first error, wrapped with the field's path.
	// HTML fields need an escaping renderer: see Personalize.
	Render(f func(string) (string, error)) (Content, error)

	read(r *reader)   // decodes the payload's fields
	check(k *checker) // validates the channel's rules
	texts(v *visitor) // visits each personalizable field
	clone() Content   // deep copy, for Render
}

// DefaultMaxSMSSegments is the longest SMS Decode accepts by default.
const DefaultMaxSMSSegments = 10

// maxURL bounds every URL field: 2048 characters, what browsers, RBM and
// Viber accept.
const maxURL = 2048

// Decoder decodes payloads with configurable limits. The zero value uses the
// defaults.
type Decoder struct {
	// MaxSMSSegments refuses SMS texts that take more segments; 0 means
	// DefaultMaxSMSSegments.
	MaxSMSSegments int
}

// Decode decodes raw, the "payload" of a message on channel ch, with the
// default limits. See Decoder.Decode.
func Decode(ch herald.Channel, raw json.RawMessage) (Content, error) {
	return Decoder{}.Decode(ch, raw)
}

// Decode decodes raw, the "payload" of a message on channel ch, into that
// channel's Content (*SMS for ChannelSMS, and so on) and validates it. The
// error is an EINVALID *herald.Error (wrapped) whose violations name every
// unknown field, wrong type and broken rule by JSON path from "payload", or
// the one syntax error; an unknown channel is a violation of "channel".
func (d Decoder) Decode(ch herald.Channel, raw json.RawMessage) (Content, error) {
	c := newContent(ch)
	if c == nil {
		var vs herald.Violations
		vs.Add("channel", herald.VUnknown, "Unknown channel %d.", int(ch))
		return nil, fmt.Errorf("decoding payload: %w", vs.Err())
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "null" {
		var vs herald.Violations
		vs.Add("payload", herald.VRequired, "Payload is required.")
		return nil, fmt.Errorf("decoding %s payload: %w", ch, vs.Err())
	}
	st := &decodeState{}
	r := &st.r
	r.data = raw
	r.path = append(st.buf[:0], "payload"...)
	c.read(r)
	r.end()
	if r.bad {
		var vs herald.Violations
		vs.Add("payload", herald.VFormat, "Payload is not valid JSON: %s at byte %d.", r.errMsg, r.errPos)
		return nil, fmt.Errorf("decoding %s payload: %w", ch, vs.Err())
	}
	if r.vs.Has("payload") { // not an object: there are no fields to check
		return nil, fmt.Errorf("decoding %s payload: %w", ch, r.vs.Err())
	}
	vs := d.validate(c, st)
	// A field of the wrong type was read as empty: its other faults are
	// consequences, not news.
	for _, viol := range vs {
		if !r.vs.Has(viol.Field) {
			r.vs = append(r.vs, viol)
		}
	}
	if len(r.vs) > 0 {
		return nil, fmt.Errorf("decoding %s payload: %w", ch, r.vs.Err())
	}
	return c, nil
}

// decodeState holds what one Decode or Check works with, in one allocation:
// the reader, then the checker, then the visitor, which use the one path
// buffer in turn.
type decodeState struct {
	r   reader
	k   checker
	v   visitor
	buf [128]byte
}

// validate runs c's rules and the placeholder syntax check.
func (d Decoder) validate(c Content, st *decodeState) herald.Violations {
	st.k = checker{walker: walker{path: append(st.buf[:0], "payload"...)}, maxSMSSegments: d.maxSMSSegments()}
	c.check(&st.k)
	st.v = visitor{walker: walker{path: st.k.path[:len("payload")], vs: st.k.vs}, checking: true}
	c.texts(&st.v)
	return st.v.vs
}

// Check validates c against its channel's rules, as Decode does after
// reading: use it on content after Render, when placeholders have their
// values. It refreshes derived data (an SMS's Info). The error is an
// EINVALID *herald.Error (wrapped) naming every broken rule.
func (d Decoder) Check(c Content) error {
	if vs := d.validate(c, &decodeState{}); len(vs) > 0 {
		return fmt.Errorf("checking %s content: %w", c.Channel(), vs.Err())
	}
	return nil
}

// maxSMSSegments returns the configured limit or the default.
func (d Decoder) maxSMSSegments() int {
	if d.MaxSMSSegments > 0 {
		return d.MaxSMSSegments
	}
	return DefaultMaxSMSSegments
}

// newContent returns an empty content of channel ch, nil for an unknown one.
func newContent(ch herald.Channel) Content {
	switch ch {
	case herald.ChannelSMS:
		return &SMS{}
	case herald.ChannelRCS:
		return &RCS{}
	case herald.ChannelViber:
		return &Viber{}
	case herald.ChannelWhatsApp:
		return &WhatsApp{}
	case herald.ChannelEmail:
		return &Email{}
	case herald.ChannelPush:
		return &Push{}
	case herald.ChannelTTS:
		return &TTS{}
	case herald.ChannelMobilePush:
		return &MobilePush{}
	case herald.ChannelWeChat:
		return &WeChat{}
	case herald.ChannelTelegram:
		return &Telegram{}
	case herald.ChannelWebChat:
		return &WebChat{}
	}
	return nil
}

// Personalize returns a copy of c with text applied to every plain-text
// field and html to every HTML field (an e-mail's HTML part), for example a
// render.Renderer's Text and HTML methods. A nil html leaves HTML fields
// without placeholders alone and fails on one with placeholders, rather than
// paste unescaped values into HTML. An SMS's Info is recomputed, and an
// e-mail made of blocks is rendered again from its personalized blocks
// (their rich text takes html, their other fields text).
func Personalize(c Content, text, html func(string) (string, error)) (Content, error) {
	out := c.clone()
	st := &struct {
		v   visitor
		buf [96]byte
	}{}
	v := &st.v
	*v = visitor{walker: walker{path: append(st.buf[:0], "payload"...)}, text: text, html: html}
	out.texts(v)
	if v.err != nil {
		return nil, v.err
	}
	switch c := out.(type) {
	case *SMS:
		c.Info = sms.Analyze(c.Body)
	case *Email:
		if c.Blocks != nil {
			c.renderBlocks()
		}
	}
	return out, nil
}

// visitor walks a content's personalizable fields, either personalizing
// them in place (text, html) or checking their placeholder syntax
// (checking, recording violations).
type visitor struct {
	walker
	text, html func(string) (string, error)
	checking   bool
	err        error // the first personalization error; stops the walk
}

// visit handles field key holding *s; html marks an HTML field.
func (v *visitor) visit(key string, s *string, html bool) {
	if *s == "" || v.err != nil {
		return
	}
	n := v.enter(key)
	defer v.leave(n)
	v.here(key, s, html)
}

// visitPath handles the field at rel, a path below the current one such as
// "blocks[2].url" whose last name is key.
func (v *visitor) visitPath(rel, key string, s *string, html bool) {
	if *s == "" || v.err != nil {
		return
	}
	n := len(v.path)
	v.path = append(append(v.path, '.'), rel...)
	defer v.leave(n)
	v.here(key, s, html)
}

// here handles the field at the current path, named key.
func (v *visitor) here(key string, s *string, html bool) {
	if v.checking {
		v.placeholders(*s, key)
		return
	}
	f := v.text
	if html {
		f = v.html
	}
	if f == nil {
		if templated(*s) {
			v.err = fmt.Errorf("personalizing %s: an HTML field needs an HTML-escaping renderer (use Personalize)", v.path)
		}
		return
	}
	out, err := f(*s)
	if err != nil {
		v.err = fmt.Errorf("personalizing %s: %w", v.path, err)
		return
	}
	*s = out
}

// placeholders checks the placeholder syntax of the text at the current
// path, field key.
func (w *walker) placeholders(value, key string) {
	err := render.Check(value)
	if err == nil {
		return
	}
	var se *render.SyntaxError
	if errors.As(err, &se) {
		w.add(herald.VFormat, "%s has a malformed placeholder at character %d: %s.", humanize(key), se.Column, se.Msg)
		return
	}
	w.add(herald.VFormat, "%s has a malformed placeholder: %v.", humanize(key), err)
}

// preview turns s into one line of at most 60 characters: white space runs
// become one space, and a cut ends with "…".
func preview(s string) string {
	const max = 60
	line := strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(line) <= max {
		return line
	}
	n := 0
	for i := range line {
		if n == max-1 {
			return line[:i] + "…"
		}
		n++
	}
	return line
}

// labeled returns a preview "kind: detail", or kind alone without detail.
func labeled(kind, detail string) string {
	if detail = strings.TrimSpace(detail); detail == "" {
		return kind
	}
	return preview(kind + ": " + detail)
}

// cloneSlice returns a copy of s (nil stays nil).
func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
