package smtp

import (
	"encoding/json"
	"hash/maphash"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/content"
)

// A campaign sends one payload to many recipients: only the links, the
// pixel and the headers differ from one e-mail to the next. A prepared
// payload is the work compose does on the payload alone, done once: the
// decoded content, the text part drawn from the HTML, and the HTML part
// compiled into static segments with slots for the tracked links and the
// footer. Filling the slots gives the bytes htmlPart writes.

// Bounds of a connector's preparedCache.
const (
	preparedMax = 32   // prepared payloads kept
	seenMax     = 4096 // payloads seen once, remembered by hash
)

// prepared is a payload made ready to compose; it is not changed once
// made, so that concurrent sends share it.
type prepared struct {
	payload string // the payload it was made of
	base    string // the public base URL it was compiled for
	e       content.Email
	text    string // the text part before the unsubscribe link
	textTag bool   // text has UnsubscribeTag
	textCut int    // where the unsubscribe line goes in text without the tag
	// textMarks says text has "*|" or "</": filled with values (see
	// fill.go), it might hold UnsubscribeTag or </body>.
	textMarks bool
	html      []htmlSeg // the compiled HTML part; nil to compose it per message
	size      int       // the bytes of the static segments
}

// segKind says what an htmlSeg writes.
type segKind uint8

const (
	segStatic segKind = iota // text, as it is
	segClick                 // the tracked URL of text (a link's target)
	segFooter                // the unsubscribe footer and open pixel
)

// htmlSeg is a segment of a compiled HTML part.
type htmlSeg struct {
	kind  segKind
	text  string
	query string // segClick: the target query-escaped
	slots bool   // segStatic: text has slots to fill (see fill.go)
}

// preparedCache keeps a connector's prepared payloads. A payload is
// prepared the second time it is seen, so that personalised content (a
// payload per recipient) costs a hash and no preparation.
type preparedCache struct {
	mu      sync.Mutex
	seed    maphash.Seed
	entries map[uint64]*prepared
	seen    map[uint64]struct{}
	slots   map[*content.Email]*prepared // broadcast steps with slots, nil for those that cannot be filled (see fill.go)
}

// get returns the prepared payload for payload under base, preparing it
// with prepare when it was seen before; nil when compose must work from
// the payload itself.
func (pc *preparedCache) get(payload []byte, base string, prepare func([]byte, string) *prepared) *prepared {
	pc.mu.Lock()
	if pc.entries == nil {
		pc.seed = maphash.MakeSeed()
		pc.entries, pc.seen = map[uint64]*prepared{}, map[uint64]struct{}{}
	}
	h := maphash.Bytes(pc.seed, payload)
	if p := pc.entries[h]; p != nil && p.payload == string(payload) && p.base == base {
		pc.mu.Unlock()
		return p
	}
	if _, ok := pc.seen[h]; !ok {
		if len(pc.seen) >= seenMax {
			clear(pc.seen)
		}
		pc.seen[h] = struct{}{}
		pc.mu.Unlock()
		return nil
	}
	pc.mu.Unlock()
	p := prepare(payload, base)
	if p == nil {
		return nil
	}
	pc.mu.Lock()
	if _, ok := pc.entries[h]; !ok && len(pc.entries) >= preparedMax {
		for k := range pc.entries { // any one: campaigns run one or a few payloads at a time
			delete(pc.entries, k)
			break
		}
	}
	pc.entries[h] = p
	pc.mu.Unlock()
	return p
}

// len returns the number of prepared and seen payloads.
func (pc *preparedCache) len() (entries, seen int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.entries), len(pc.seen)
}

// Sentinels stand for the slots while an HTML part is compiled: a NUL, the
// slot number, a NUL. Documents with a NUL are not compiled.
const slotMark = "\x00"

// prepare decodes payload and compiles its HTML part for links under
// base; nil when the payload is not valid content (compose reports it).
func (c *Connector) prepare(payload []byte, base string) *prepared {
	p := &prepared{payload: string(payload), base: base}
	if err := json.Unmarshal(payload, &p.e); err != nil {
		return nil
	}
	c.compile(p)
	return p
}

// compile sets p's text part and compiles its HTML part, from p.e.
func (c *Connector) compile(p *prepared) {
	base := p.base
	p.text = p.e.Body
	if p.text == "" {
		p.text = textFromHTML(p.e.HTML)
	}
	p.textTag, p.textCut = strings.Contains(p.text, UnsubscribeTag), len(p.text)
	p.textMarks = strings.Contains(p.text, "*|") || strings.Contains(p.text, "</")
	if i := lastIndexFold(p.text, "</body>"); i >= 0 {
		p.textCut = i
	}
	doc := p.e.HTML
	if strings.TrimSpace(doc) == "" || strings.Contains(doc, UnsubscribeTag) ||
		strings.Contains(doc, slotMark) || strings.Contains(p.e.Subtitle, slotMark) {
		return
	}
	var targets []string
	click := func(target string) string {
		targets = append(targets, target)
		return slotMark + strconv.Itoa(len(targets)-1) + slotMark
	}
	footer := slotMark + "f" + slotMark
	out := c.htmlPartWith(doc, p.e.Subtitle, base != "" && on(c.settings.TrackClicks), click, footer)
	for {
		i := strings.Index(out, slotMark)
		if i < 0 {
			break
		}
		j := i + 1 + strings.Index(out[i+1:], slotMark)
		if i > 0 {
			p.html = append(p.html, htmlSeg{kind: segStatic, text: out[:i]})
			p.size += i
		}
		if slot := out[i+1 : j]; slot == "f" {
			p.html = append(p.html, htmlSeg{kind: segFooter})
		} else {
			n, _ := strconv.Atoi(slot)
			p.html = append(p.html, htmlSeg{kind: segClick, text: targets[n], query: url.QueryEscape(targets[n])})
		}
		out = out[j+1:]
	}
	if out != "" {
		p.html = append(p.html, htmlSeg{kind: segStatic, text: out})
		p.size += len(out)
	}
}

// fillHTML appends the HTML part of p for the message of l to buf: what
// htmlPart returns for p's document, subtitle and unsub.
func (c *Connector) fillHTML(buf []byte, p *prepared, l links, unsub string, vals []string) []byte {
	buf = slices.Grow(buf, p.size+len(p.html)*(len(l.base)+len(l.message)+64)+len(unsub)+512)
	// The tracked URL is base, a token of the account, message and a
	// signature, and the escaped target: only base and message can hold
	// what HTML escapes.
	plain := !strings.ContainsAny(l.base, `<>&'"`) && !strings.ContainsAny(l.message, `<>&'"`)
	for _, s := range p.html {
		switch s.kind {
		case segStatic:
			if s.slots {
				buf = appendFilled(buf, s.text, vals)
				continue
			}
			buf = append(buf, s.text...)
		case segClick:
			if !plain {
				buf = append(buf, html.EscapeString(l.click(s.text))...)
				continue
			}
			buf = append(buf, l.base...)
			buf = append(buf, "/email/c/"...)
			buf = l.signer.appendToken(buf, linkClick, l.account, l.message, s.text)
			buf = append(buf, "?u="...)
			buf = append(buf, s.query...)
		case segFooter:
			if unsub != "" {
				buf = append(buf, unsubFooter(html.EscapeString(unsub))...)
			}
			if l.base != "" && on(c.settings.TrackOpens) {
				buf = append(buf, openPixel(l.open())...)
			}
		}
	}
	return buf
}

// htmlFromPrepared sets msg's HTML part from p, written in a pooled
// buffer that msg.release gives back.
func (c *Connector) htmlFromPrepared(msg *message, p *prepared, l links, unsub string, vals []string) {
	pb := bufPool.Get().(*[]byte)
	b := c.fillHTML((*pb)[:0], p, l, unsub, vals)
	if !utf8.Valid(b) {
		msg.html = strings.ToValidUTF8(string(b), "\uFFFD")
		*pb = b[:0]
		bufPool.Put(pb)
		return
	}
	*pb = b
	msg.htmlBytes, msg.pooled = b, pb
}

// release gives msg's pooled buffers back once msg is rendered; msg's
// text and HTML parts must not be used after.
func (m *message) release() {
	putBuf(m.pooled)
	putBuf(m.textPooled)
	m.pooled, m.htmlBytes, m.textPooled, m.textBytes = nil, nil, nil, nil
}

// putBuf gives a buffer back to bufPool unless it is nil or too large to
// keep.
func putBuf(b *[]byte) {
	if b == nil {
		return
	}
	*b = (*b)[:0]
	if cap(*b) <= 1<<20 {
		bufPool.Put(b)
	}
}
