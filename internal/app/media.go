package app

import (
	"path/filepath"
	"strconv"

	"github.com/heraldhq/herald/internal/media"
	"github.com/heraldhq/herald/internal/secret"
)

// openMedia builds the media library: files in <data dir>/media, public
// links signed with a key derived from the server's secret key and
// starting with the public URL.
func (m *Main) openMedia(key []byte) error {
	blobs, err := media.NewLocal(filepath.Join(m.Config.DataDir, "media"))
	if err != nil {
		return err
	}
	m.Blobs = blobs
	m.Media = media.New(m.Store, blobs, secret.Derive(key, "media-links"), m.Config.PublicURL(),
		media.WithClock(m.Clock), media.WithLogger(m.Log.With("component", "media")))
	return nil
}

// mediaURL is where the portal shows a media library file to its account's
// users (the sender ID preview's logo and background).
func mediaURL(id int64) string { return "/media/" + strconv.FormatInt(id, 10) + "/content" }
