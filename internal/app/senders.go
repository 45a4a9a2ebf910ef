package app

import (
	"github.com/heraldhq/herald/internal/senders"
)

// senderService builds sender ID registration on the store. The images of
// RCS requests come from the media library when the store keeps one;
// routing changes reach this process's engine at once.
func (m *Main) senderService() *senders.Service {
	media, _ := any(m.Store).(senders.Media)
	var router senders.Router
	if m.Messaging != nil && m.Messaging.Engine != nil {
		router = m.Messaging.Engine
	}
	return senders.New(m.Store, media, router)
}
