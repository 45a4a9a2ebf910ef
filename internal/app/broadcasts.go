package app

import "github.com/heraldhq/herald/internal/broadcast"

// broadcasts returns the broadcast service once messaging is open, for the
// broadcast jobs (registered before it exists).
func (m *Main) broadcasts() *broadcast.Service {
	if m.Messaging == nil {
		return nil
	}
	return m.Messaging.Broadcasts
}
