package app

import (
	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/templates"
)

// templates returns the service that checks and keeps content and
// conversation templates in the store. Conversation templates attach files
// from the store's media library when the store has one.
func (m *Main) templates() *templates.Service {
	var media herald.MediaStore
	if ms, ok := any(m.Store).(herald.MediaStore); ok {
		media = ms
	}
	return templates.New(m.Store, media)
}
