package secret

import (
	"encoding/json"
	"fmt"
)

// SealJSON seals v encoded as JSON, the way connection secrets are stored.
// An empty map or nil seals to nil (nothing stored).
func (b *Box) SealJSON(v map[string]string) ([]byte, error) {
	if len(v) == 0 {
		return nil, nil
	}
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding secrets: %w", err)
	}
	return b.Seal(plain), nil
}

// OpenJSON opens what SealJSON returned; nil opens to an empty map.
func (b *Box) OpenJSON(sealed []byte) (map[string]string, error) {
	out := map[string]string{}
	if len(sealed) == 0 {
		return out, nil
	}
	plain, err := b.Open(sealed)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, fmt.Errorf("decoding secrets: %w", err)
	}
	return out, nil
}
