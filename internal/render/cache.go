package render

import (
	"fmt"
	"strings"
	"sync"
)

// cacheLimit bounds a Cache: past it, new texts are parsed but not kept.
const cacheLimit = 4096

// Cache parses each distinct text once. It is meant for the fields of the
// contents one sender is working through (a broadcast, a content template),
// not for arbitrary texts: it keeps at most 4096 templates and forgets
// nothing, so drop it with the work. The zero value is ready; a Cache is safe
// for concurrent use.
type Cache struct {
	mu sync.RWMutex
	m  map[string]*Template
}

// Parse returns the template of text, parsing it on first use. Parse errors
// are not cached.
func (c *Cache) Parse(text string) (*Template, error) {
	c.mu.RLock()
	t, ok := c.m[text]
	c.mu.RUnlock()
	if ok {
		return t, nil
	}
	t, err := Parse(text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*Template)
	}
	if len(c.m) < cacheLimit {
		c.m[text] = t
	}
	return t, nil
}

// Renderer personalizes text after text for one recipient: give its Text
// and HTML methods to a content's Render. A text without "{{" is returned as
// it is, without parsing.
type Renderer struct {
	Cache   *Cache // parses each text once; nil parses every time
	Options Options
	Attrs   map[string]string // the contact's attributes
	Params  map[string]string // the message's template parameters
	// Personalized is set once a text held a placeholder: until then the
	// output depends on neither Attrs nor Params.
	Personalized bool
}

// Text renders a plain-text field.
func (r *Renderer) Text(text string) (string, error) {
	return r.execute(text, r.Options)
}

// HTML renders an HTML field: substituted values are HTML-escaped.
func (r *Renderer) HTML(text string) (string, error) {
	opts := r.Options
	opts.HTML = true
	return r.execute(text, opts)
}

// execute parses text (through the cache) and renders it with opts.
func (r *Renderer) execute(text string, opts Options) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	r.Personalized = true
	var (
		t   *Template
		err error
	)
	if r.Cache != nil {
		t, err = r.Cache.Parse(text)
	} else {
		t, err = Parse(text)
	}
	if err != nil {
		return "", fmt.Errorf("parsing template: %w", err)
	}
	return t.Execute(opts, r.Attrs, r.Params)
}
