package main

import (
	"context"

	"github.com/heraldhq/herald/bench/internal/child"
)

// server is the herald child process this benchmark drives.
type server struct{ *child.Server }

// newServer builds herald and prepares its environment and database.
func newServer(ctx context.Context, o options) (*server, error) {
	cs, err := child.New(ctx, child.Options{Name: "broadcast", Engine: o.engine, PostgresURL: o.pgURL, CPUProfile: o.cpu})
	if cs == nil {
		return nil, err
	}
	return &server{cs}, err
}
