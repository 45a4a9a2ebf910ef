package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/channel"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/render"
	"github.com/heraldhq/herald/internal/store"
)

// A broadcast's first messages are stored as a reference to their step's
// content (store.SharedContent) plus each recipient's values of the
// attributes it uses, not as a rendered payload: the content is written
// once per step, in the transaction of the first batch that needs it.
// The messages in memory keep what BuildBulk made (a payload, or an
// e-mail with slots and the recipient's values, see content.EmailFill),
// so the dispatcher and the connectors never render again; readers of
// the database get the same bytes back through StoredPayloads.

// sharedContent is a bulk step's content as it is stored once.
type sharedContent struct {
	c     store.SharedContent // as given (payload or template), without its ID
	attrs []string            // the attributes the content uses, as spelled in it
	id    atomic.Int64        // the store's ID once committed; 0 before
}

// newSharedContent returns the shared content of a step whose content
// c uses vars; nil when c's payload, parameters or attribute names are
// not all UTF-8, which the store (JSON, PostgreSQL's TEXT) would not keep
// unchanged: its messages then keep their payloads.
func newSharedContent(c store.SharedContent, vars []render.Var) *sharedContent {
	if !utf8.Valid(c.Payload) {
		return nil
	}
	sc := &sharedContent{c: c}
	for k, v := range c.Params {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil
		}
	}
	for _, v := range vars {
		if !utf8.ValidString(v.Name) {
			return nil
		}
		if v.Attribute {
			sc.attrs = append(sc.attrs, v.Name)
		}
	}
	return sc
}

// values returns the recipient's values of the attributes the content
// uses, looked up in attrs as the renderer looks them up: as stored (a
// JSON object without the attributes attrs lacks, which rendering leaves
// empty), and in the order of sc.attrs ("" for those it lacks).
func (sc *sharedContent) values(attrs map[string]string) (json.RawMessage, []string) {
	vals := make(map[string]string, len(sc.attrs))
	list := make([]string, len(sc.attrs))
	for i, name := range sc.attrs {
		if v, ok := render.LookupAttr(name, attrs); ok {
			vals[name], list[i] = v, v
		}
	}
	b, _ := json.Marshal(vals) // a map of strings always encodes
	return b, list
}

// slotted returns c (an e-mail) rendered with content.Slot(i) for the
// value of sc.attrs[i], for the connectors to prepare once (see
// content.EmailFill); nil when c is no e-mail, has blocks, uses no
// attribute or too many, or has slot characters of its own.
func (sc *sharedContent) slotted(c content.Content, params map[string]string) *content.Email {
	e, ok := c.(*content.Email)
	if !ok || e.Blocks != nil || len(sc.attrs) == 0 || len(sc.attrs) > content.MaxSlots ||
		content.HasSlots(e.Subject) || content.HasSlots(e.Subtitle) || content.HasSlots(e.HTML) || content.HasSlots(e.Body) {
		return nil
	}
	for _, v := range params {
		if content.HasSlots(v) {
			return nil
		}
	}
	slots := make(map[string]string, len(sc.attrs))
	for i, name := range sc.attrs {
		slots[name] = content.Slot(i)
	}
	out, err := content.Personalize(c, bulkRenderer(params, slots).Text, bulkRenderer(params, slots).HTML)
	if err != nil {
		return nil
	}
	s, ok := out.(*content.Email)
	if !ok || !utf8Email(s) {
		return nil
	}
	return s
}

// storeContents stores the shared contents of items that have none yet,
// in x, and sets the rows' references. It returns the contents it stored,
// whose IDs hold once the transaction commits (see keepContents).
func storeContents(ctx context.Context, x *store.MessageTx, items []*BulkItem, rows []store.MessageRow) (map[*sharedContent]int64, error) {
	fresh := map[*sharedContent]int64{}
	for i, it := range items {
		sc := it.shared
		if sc == nil {
			continue
		}
		id := sc.id.Load()
		if id == 0 {
			id = fresh[sc]
		}
		if id == 0 {
			c := sc.c
			if err := x.InsertContent(ctx, &c); err != nil {
				return nil, err
			}
			id, fresh[sc] = c.ID, c.ID
		}
		rows[i].ContentID, rows[i].ContentValues = id, it.values
	}
	return fresh, nil
}

// keepContents records the IDs of the contents a committed transaction
// stored, for the next batches.
func keepContents(fresh map[*sharedContent]int64) {
	for sc, id := range fresh {
		sc.id.CompareAndSwap(0, id)
	}
}

// payloadFor sets the payload of m, a broadcast's message handed on
// decoded without one, unless conn reads the decoded content.
func payloadFor(conn channel.Connector, m *herald.Message) error {
	f, ok := m.Content.(*content.EmailFill)
	if !ok || len(m.Payload) > 0 {
		return nil
	}
	if ct, ok := conn.(channel.ContentTaker); ok && ct.TakesContent() {
		return nil
	}
	e, err := f.Render()
	if err != nil {
		return fmt.Errorf("rendering the payload: %w", err)
	}
	m.Payload, err = encodeContent(e)
	return err
}

// StoredPayloads renders the payloads of messages stored as a reference
// to a shared content: give its Render to store.Store.SetPayloadRenderer.
// It keeps the decoded contents by ID. Safe for concurrent use.
type StoredPayloads struct {
	mu      sync.Mutex
	decoded map[int64]*decodedContent
}

// decodedContent is a shared content decoded for rendering.
type decodedContent struct {
	c      content.Content
	params map[string]string
}

// decodedLimit bounds the contents StoredPayloads keeps.
const decodedLimit = 256

// Render returns the payload of a message that refers to c with values:
// the bytes BuildBulk rendered for it.
func (sp *StoredPayloads) Render(c *store.SharedContent, values json.RawMessage) (json.RawMessage, error) {
	d, err := sp.decode(c)
	if err != nil {
		return nil, err
	}
	var attrs map[string]string
	if len(values) > 0 {
		if err := json.Unmarshal(values, &attrs); err != nil {
			return nil, fmt.Errorf("decoding the values of content %d: %w", c.ID, err)
		}
	}
	pc, err := personalize(d.c, bulkRenderer(d.params, attrs))
	if err != nil {
		return nil, fmt.Errorf("rendering content %d: %w", c.ID, err)
	}
	return pc.payload, nil
}

// decode returns c decoded, from the cache when it is there.
func (sp *StoredPayloads) decode(c *store.SharedContent) (*decodedContent, error) {
	sp.mu.Lock()
	d, ok := sp.decoded[c.ID]
	sp.mu.Unlock()
	if ok {
		return d, nil
	}
	cc, err := content.Decode(c.Channel, c.Payload)
	if err != nil {
		return nil, fmt.Errorf("decoding content %d: %w", c.ID, err)
	}
	d = &decodedContent{c: cc, params: c.Params}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.decoded == nil || len(sp.decoded) >= decodedLimit {
		sp.decoded = make(map[int64]*decodedContent)
	}
	sp.decoded[c.ID] = d
	return d, nil
}

// bulkRenderer returns the renderer of a broadcast recipient's content:
// attributes the recipient lacks are left empty.
func bulkRenderer(params, attrs map[string]string) *render.Renderer {
	return &render.Renderer{Options: render.Options{EmptyMissingAttributes: true}, Params: params, Attrs: attrs}
}
