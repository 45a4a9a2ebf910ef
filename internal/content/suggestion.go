package content

import (
	"strings"

	"github.com/heraldhq/herald"
)

// Suggestion types.
const (
	SuggestReply    = "reply"    // sends Text (or Postback) back
	SuggestURL      = "url"      // opens URL in the browser
	SuggestDial     = "dial"     // dials Phone
	SuggestMap      = "map"      // shows a place by coordinates or by query
	SuggestLocation = "location" // asks for the recipient's location (location push)
	SuggestCalendar = "calendar" // creates a calendar event
)

// Suggestion is a reply or an action button. Type says which fields apply.
type Suggestion struct {
	Type     string `json:"type"`
	Text     string `json:"text"`               // the button's call to action
	Postback string `json:"postback,omitempty"` // data sent back when tapped
	// url
	URL string `json:"url,omitempty"`
	// dial
	Phone string `json:"phone,omitempty"`
	Call  string `json:"call,omitempty"` // phone (the default), enriched or video
	// map, dial and calendar
	FallbackURL string `json:"fallbackUrl,omitempty"` // another app when the default one fails
	// map: coordinates (decimal degrees) or a query
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
	Query     string   `json:"query,omitempty"`
	Label     string   `json:"label,omitempty"` // the map's title
	// calendar: RFC 3339 times
	Start       string `json:"start,omitempty"`
	End         string `json:"end,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// readSuggestions reads a list of suggestions.
func readSuggestions(r *reader) []Suggestion {
	var out []Suggestion
	r.array(func(int) {
		var s Suggestion
		r.object(s.read(r))
		out = append(out, s)
	})
	return out
}

// read returns the field reader of a suggestion object.
func (s *Suggestion) read(r *reader) func([]byte) bool {
	return func(key []byte) bool {
		switch string(key) {
		case "type":
			s.Type = r.str()
		case "text":
			s.Text = r.str()
		case "postback":
			s.Postback = r.str()
		case "url":
			s.URL = r.str()
		case "phone":
			s.Phone = r.str()
		case "call":
			s.Call = r.str()
		case "fallbackUrl":
			s.FallbackURL = r.str()
		case "latitude":
			s.Latitude = readDecimal(r)
		case "longitude":
			s.Longitude = readDecimal(r)
		case "query":
			s.Query = r.str()
		case "label":
			s.Label = r.str()
		case "start":
			s.Start = r.str()
		case "end":
			s.End = r.str()
		case "title":
			s.Title = r.str()
		case "description":
			s.Description = r.str()
		default:
			return false
		}
		return true
	}
}

// readDecimal reads a decimal coordinate, nil for null or a bad value.
func readDecimal(r *reader) *float64 {
	f, ok := r.decimal()
	if !ok {
		return nil
	}
	return &f
}

// checkSuggestions checks a suggestion panel of at most max items.
func checkSuggestions(k *checker, list []Suggestion, max int, owner string) {
	if len(list) > max {
		k.addAt("suggestions", herald.VTooLong, "%s can have at most %d suggestions (it has %d).", owner, max, len(list))
	}
	n := k.enter("suggestions")
	for i := range list {
		m := k.enterIndex(i)
		list[i].check(k)
		k.leave(m)
	}
	k.leave(n)
}

func (s *Suggestion) check(k *checker) {
	k.oneOf("type", s.Type, true, "Suggestion type", SuggestReply, SuggestURL, SuggestDial, SuggestMap, SuggestLocation, SuggestCalendar)
	k.text("text", s.Text, true, maxCTAText, "CTA text")
	k.text("postback", s.Postback, false, maxPostback, "Postback data")
	s.checkFields(k)
	switch s.Type {
	case SuggestURL:
		k.webURL("url", s.URL, true, "URL")
	case SuggestDial:
		k.phone("phone", s.Phone, "Phone number")
		k.oneOf("call", s.Call, false, "Call type", "phone", "enriched", "video")
		k.appURL("fallbackUrl", s.FallbackURL, "Fallback URL")
	case SuggestMap:
		hasCoords := s.Latitude != nil || s.Longitude != nil
		switch {
		case hasCoords && s.Query != "":
			k.addAt("query", herald.VFormat, "Show a place by coordinates or by query, not both.")
		case !hasCoords && strings.TrimSpace(s.Query) == "":
			k.add(herald.VRequired, "A map action needs coordinates (latitude and longitude) or a query.")
		}
		k.coordinates(s.Latitude, s.Longitude, false)
		k.text("query", s.Query, false, maxURL, "Query")
		k.text("label", s.Label, false, maxMapLabel, "Map title")
		k.appURL("fallbackUrl", s.FallbackURL, "Fallback URL")
	case SuggestCalendar:
		start := k.timestamp("start", s.Start, true, "Start time")
		end := k.timestamp("end", s.End, true, "End time")
		if !start.IsZero() && !end.IsZero() && end.Before(start) {
			k.addAt("end", herald.VRange, "End time must not be before the start time.")
		}
		k.text("title", s.Title, true, maxCalendarTitle, "Event title")
		k.text("description", s.Description, false, maxCalendarDescr, "Event description")
		k.appURL("fallbackUrl", s.FallbackURL, "Fallback URL")
	}
}

// checkFields reports fields that the suggestion's type does not use.
func (s *Suggestion) checkFields(k *checker) {
	t := s.Type
	for _, f := range []struct {
		key  string
		set  bool
		used bool
	}{
		{"url", s.URL != "", t == SuggestURL},
		{"phone", s.Phone != "", t == SuggestDial},
		{"call", s.Call != "", t == SuggestDial},
		{"fallbackUrl", s.FallbackURL != "", t == SuggestDial || t == SuggestMap || t == SuggestCalendar},
		{"latitude", s.Latitude != nil, t == SuggestMap},
		{"longitude", s.Longitude != nil, t == SuggestMap},
		{"query", s.Query != "", t == SuggestMap},
		{"label", s.Label != "", t == SuggestMap},
		{"start", s.Start != "", t == SuggestCalendar},
		{"end", s.End != "", t == SuggestCalendar},
		{"title", s.Title != "", t == SuggestCalendar},
		{"description", s.Description != "", t == SuggestCalendar},
	} {
		if f.set && !f.used && t != "" {
			k.addAt(f.key, herald.VUnknown, "%s is not used by %s suggestions.", humanize(f.key), t)
		}
	}
}

// suggestionTexts visits the personalizable fields of suggestions.
func suggestionTexts(v *visitor, list []Suggestion) {
	n := v.enter("suggestions")
	for i := range list {
		m := v.enterIndex(i)
		s := &list[i]
		for _, f := range []struct {
			key string
			s   *string
		}{
			{"text", &s.Text}, {"postback", &s.Postback}, {"url", &s.URL}, {"phone", &s.Phone},
			{"fallbackUrl", &s.FallbackURL}, {"query", &s.Query}, {"label", &s.Label},
			{"start", &s.Start}, {"end", &s.End}, {"title", &s.Title}, {"description", &s.Description},
		} {
			v.visit(f.key, f.s, false)
		}
		v.leave(m)
	}
	v.leave(n)
}

// cloneSuggestions deep-copies suggestions (coordinates are pointers).
func cloneSuggestions(list []Suggestion) []Suggestion {
	out := cloneSlice(list)
	for i := range out {
		if out[i].Latitude != nil {
			lat := *out[i].Latitude
			out[i].Latitude = &lat
		}
		if out[i].Longitude != nil {
			lng := *out[i].Longitude
			out[i].Longitude = &lng
		}
	}
	return out
}
