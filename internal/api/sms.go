package api

import (
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/sms"
)

func (h *Handler) smsRoutes() []Route {
	return []Route{
		{Method: "POST", Path: Prefix + "/sms/preview", Scope: herald.ScopeOmniAPI,
			Summary: "Count an SMS text: encoding, segments, characters left, characters that force UCS-2", handle: h.previewSMS},
	}
}

// previewInput is the body of POST /sms/preview.
type previewInput struct {
	Text string `json:"text"`
}

// preview is how a text travels as SMS.
type preview struct {
	Encoding       string   `json:"encoding"`       // GSM-7 or UCS-2
	Extended       bool     `json:"extended"`       // GSM-7 with extension characters (counted twice)
	Characters     int      `json:"characters"`     // user-perceived characters
	Units          int      `json:"units"`          // septets (GSM-7) or UTF-16 units (UCS-2)
	Segments       int      `json:"segments"`       // SMS parts
	PerSegment     int      `json:"perSegment"`     // 160, 153, 70 or 67
	CharactersLeft int      `json:"charactersLeft"` // room left in the last part
	UCS2Characters []string `json:"ucs2Characters"` // the characters that forced UCS-2
	Label          string   `json:"label"`          // the portal's counter, such as "7-bit (160) 12 characters / 1 SMS"
}

func (h *Handler) previewSMS(w http.ResponseWriter, r *http.Request, c *call) error {
	var in previewInput
	if err := decode(r, &in); err != nil {
		return err
	}
	info := sms.Analyze(in.Text)
	p := preview{Encoding: string(info.Encoding), Extended: info.Extended, Characters: info.Characters, Units: info.Units,
		Segments: info.Segments, PerSegment: info.PerSegment, CharactersLeft: info.Remaining, UCS2Characters: []string{},
		Label: info.Label()}
	for _, r := range info.NonGSM {
		p.UCS2Characters = append(p.UCS2Characters, string(r))
	}
	return writeJSON(w, http.StatusOK, p)
}
