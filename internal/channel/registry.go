package channel

import (
	"fmt"
	"sort"

	"github.com/heraldhq/herald"
)

// Factory builds the connector of one connection. conn's Secrets are
// opened; sink takes the connector's reports and inbound messages.
type Factory func(conn *herald.Connection, sink Sink) (Connector, error)

// Registry maps connector types to their factories. It is filled once in
// the wiring code and read-only afterwards.
type Registry struct {
	factories map[string]Factory
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register adds the factory of connector type typ; registering a type
// twice is an error.
func (r *Registry) Register(typ string, f Factory) error {
	if _, ok := r.factories[typ]; ok {
		return fmt.Errorf("connector type %q is registered twice", typ)
	}
	r.factories[typ] = f
	return nil
}

// Types returns the registered connector types, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.factories))
	for t := range r.factories {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Open builds the connector of conn. A connection whose type is not
// registered is a misconfiguration.
func (r *Registry) Open(conn *herald.Connection, sink Sink) (Connector, error) {
	f, ok := r.factories[conn.Type]
	if !ok {
		return nil, Misconfigured(fmt.Errorf("connection %q has the unknown connector type %q", conn.Name, conn.Type))
	}
	c, err := f(conn, sink)
	if err != nil {
		return nil, Misconfigured(fmt.Errorf("opening connection %q: %w", conn.Name, err))
	}
	return c, nil
}
