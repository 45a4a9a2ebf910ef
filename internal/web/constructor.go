package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/emailblocks"
	"github.com/heraldhq/herald/internal/sms"
)

// The message constructor (reference 001 section 7.4) is one partial
// template, "constructor", and the script constructor.js with its helpers
// (smscount.js, emaileditor.js). A page that builds a message includes the
// partial with constructorData; the form then posts "channel" and
// "payload", the channel's content as JSON, which the page's handler
// decodes with package content. Violations of payload fields go back to
// the partial (setErrors), and the script shows each beside its field.
//
// The routes under /constructor serve the script while the user edits: the
// server's check of a payload (violations, SMS counter), the e-mail preview
// and the media library picker.

// constructorChannels are the channels the constructor builds, in the
// reference's order.
func constructorChannels() []herald.Channel {
	return []herald.Channel{herald.ChannelSMS, herald.ChannelRCS, herald.ChannelViber, herald.ChannelWhatsApp,
		herald.ChannelEmail, herald.ChannelPush, herald.ChannelTTS, herald.ChannelMobilePush}
}

// constructorChannel reports whether the constructor builds ch.
func constructorChannel(ch herald.Channel) bool {
	for _, c := range constructorChannels() {
		if c == ch {
			return true
		}
	}
	return false
}

// MediaPicker is what the constructor's media picker needs from the media
// library (the media service has these methods): the account's files, one
// file, and a link channels can fetch a file from. Without one the
// constructor's media fields take addresses only.
type MediaPicker interface {
	List(ctx context.Context, accountID int64, q herald.ListQuery) (herald.Page[herald.Media], error)
	Media(ctx context.Context, accountID, id int64) (*herald.Media, error)
	PublicURL(m *herald.Media, ttl time.Duration) (string, time.Time)
}

// pickedLinkTTL is the lifetime of the link to a picked file that the
// constructor writes into a payload: templates live long, so the link must
// too.
const pickedLinkTTL = 5 * 365 * 24 * time.Hour

// constructorData is the data of the constructor partial.
type constructorData struct {
	Channel  herald.Channel
	Channels []herald.Channel
	// Payload is the content as JSON; "" starts the channel's empty form.
	Payload string
	// Errors are the payload's violations as JSON, for the script;
	// ErrorList the same for pages without scripts.
	Errors    string
	ErrorList []herald.Violation
	// Attributes are the account's attribute names as JSON, for the
	// attribute picker.
	Attributes string
	// Networks are the e-mail social networks as JSON.
	Networks string
	// Media enables the media library picker; UploadURL uploading to the
	// library ("" until the media library takes uploads from the portal).
	Media     bool
	UploadURL string
	// ReadOnly shows the content without letting it change.
	ReadOnly bool
	// ChannelName and PayloadName name the posted inputs ("channel" and
	// "payload" when empty); IDPrefix tells the element IDs of several
	// constructors on one page apart (a broadcast's chain steps).
	ChannelName, PayloadName, IDPrefix string
}

// newConstructor returns the constructor's data for channel ch and
// payload (JSON, may be empty) with the account's attributes.
func (p *Portal) newConstructor(r *http.Request, ch herald.Channel, payload string) (*constructorData, error) {
	d := &constructorData{Channel: ch, Channels: constructorChannels(), Payload: payload, Errors: "[]",
		Media: p.picker != nil, UploadURL: p.mediaUploadURL}
	names := []string{}
	if p.contacts != nil {
		attrs, err := p.contacts.Attributes(r.Context(), state(r).User.AccountID)
		if err != nil {
			return nil, err
		}
		for _, a := range attrs {
			names = append(names, a.Name)
		}
	}
	d.Attributes = mustJSON(names)
	d.Networks = mustJSON(emailblocks.NetworkList())
	return d, nil
}

// setErrors passes err's payload violations to the script, and returns the
// others, for the page's own fields.
func (d *constructorData) setErrors(err error) error {
	payload := []herald.Violation{}
	var rest herald.Violations
	for _, v := range herald.ErrorViolations(err) {
		if v.Field == "payload" || strings.HasPrefix(v.Field, "payload.") || strings.HasPrefix(v.Field, "payload[") {
			payload = append(payload, v)
			continue
		}
		rest = append(rest, v)
	}
	d.Errors, d.ErrorList = mustJSON(payload), payload
	if len(rest) == 0 && len(payload) > 0 {
		return herald.Errorf(herald.EINVALID, "Please correct the content marked below.")
	}
	if rest == nil {
		return err
	}
	return rest.Err()
}

// mustJSON encodes v, which is always encodable.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// checkInput is the body of POST /constructor/check.
type checkInput struct {
	Channel herald.Channel  `json:"channel"`
	Payload json.RawMessage `json:"payload"`
}

// smsCount is the SMS counter as the API's /sms/preview answers it.
type smsCount struct {
	Encoding       string   `json:"encoding"`
	Extended       bool     `json:"extended"`
	Units          int      `json:"units"`
	Segments       int      `json:"segments"`
	PerSegment     int      `json:"perSegment"`
	CharactersLeft int      `json:"charactersLeft"`
	UCS2Characters []string `json:"ucs2Characters"`
	Label          string   `json:"label"`
}

// checkResult is the answer of POST /constructor/check.
type checkResult struct {
	Violations []herald.Violation `json:"violations"`
	Preview    string             `json:"preview,omitempty"` // the table's one-line summary
	SMS        *smsCount          `json:"sms,omitempty"`
}

// maxCheckBody bounds the constructor's check and preview requests.
const maxCheckBody = 1 << 20

// checkContent answers the constructor's live check: the server's
// violations of a payload and, for SMS, the counter the server computes.
func (p *Portal) checkContent(w http.ResponseWriter, r *http.Request) {
	var in checkInput
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxCheckBody)).Decode(&in); err != nil {
		http.Error(w, "The check needs {channel, payload} as JSON.", http.StatusBadRequest)
		return
	}
	res := checkResult{Violations: []herald.Violation{}}
	c, err := content.Decode(in.Channel, in.Payload)
	switch {
	case err == nil:
		res.Preview = c.Preview()
	case herald.ErrorCode(err) == herald.EINVALID:
		res.Violations = herald.ErrorViolations(err)
	default:
		p.log.Error("checking content", "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	if in.Channel == herald.ChannelSMS {
		var s struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(in.Payload, &s) // a bad payload counts as empty text; its violations say why
		res.SMS = countSMS(s.Text)
	}
	writeJSON(w, res)
}

// countSMS returns the counter of text, as /api/v1/sms/preview does.
func countSMS(text string) *smsCount {
	info := sms.Analyze(text)
	c := &smsCount{Encoding: string(info.Encoding), Extended: info.Extended, Units: info.Units, Segments: info.Segments,
		PerSegment: info.PerSegment, CharactersLeft: info.Remaining, UCS2Characters: []string{}, Label: info.Label()}
	for _, r := range info.NonGSM {
		c.UCS2Characters = append(c.UCS2Characters, string(r))
	}
	return c
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

// emailPreview renders the e-mail of a posted payload for the
// constructor's preview frame. Blocks are drawn even when some break a rule
// (the renderer draws every field safely), so the preview follows the
// editing; an HTML part is shown as it is. The page may only be framed by
// the portal, runs no script and loads images from anywhere, as a mail
// client would.
func (p *Portal) emailPreview(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCheckBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The preview needs a payload.", http.StatusBadRequest)
		return
	}
	var e struct {
		Subject  string              `json:"subject"`
		Subtitle string              `json:"subtitle"`
		Blocks   []emailblocks.Block `json:"blocks"`
		HTML     string              `json:"html"`
		Text     string              `json:"text"`
	}
	_ = json.Unmarshal([]byte(r.PostForm.Get("payload")), &e) // what does not decode is not drawn
	doc := e.HTML
	switch {
	case e.Blocks != nil:
		doc = emailblocks.HTML(e.Blocks, emailblocks.Options{Title: e.Subject, Preheader: e.Subtitle})
	case doc == "" && e.Text != "":
		doc = "<!DOCTYPE html><pre style=\"white-space:pre-wrap;font-family:sans-serif\">" + html.EscapeString(e.Text) + "</pre>"
	case doc == "":
		doc = "<!DOCTYPE html><p style=\"font-family:sans-serif;color:#777;text-align:center;margin-top:40px\">Add blocks to see the e-mail.</p>"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src http: https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'; form-action 'none'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	_, _ = w.Write([]byte(doc))
}

// mediaItem is a media library file as the picker lists it.
type mediaItem struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	URL    string `json:"url"`
}

// pickMedia answers the media picker: a page of the account's media
// library, images only with ?kind=image, filtered by ?q= on the name, or
// the one file ?id= (the constructor asks for a file it just uploaded).
func (p *Portal) pickMedia(w http.ResponseWriter, r *http.Request) {
	if p.picker == nil {
		p.notFound(w, r)
		return
	}
	acc := state(r).User.AccountID
	v := r.URL.Query()
	var page herald.Page[herald.Media]
	if id, err := strconv.ParseInt(v.Get("id"), 10, 64); err == nil {
		m, err := p.picker.Media(r.Context(), acc, id)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		page.Items = []herald.Media{*m}
	} else {
		q := herald.ListQuery{Limit: 60, Sort: "createdAt", Desc: true, Cursor: v.Get("cursor")}
		if k := v.Get("kind"); k != "" {
			q.Filters = append(q.Filters, herald.Filter{Field: "kind", Op: herald.OpEq, Value: k})
		}
		if s := strings.TrimSpace(v.Get("q")); s != "" {
			q.Filters = append(q.Filters, herald.Filter{Field: "name", Op: herald.OpContains, Value: s})
		}
		if page, err = p.picker.List(r.Context(), acc, q); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	out := struct {
		Items []mediaItem `json:"items"`
		Next  string      `json:"next,omitempty"`
	}{Items: []mediaItem{}, Next: page.Next}
	for i := range page.Items {
		m := &page.Items[i]
		u, _ := p.picker.PublicURL(m, pickedLinkTTL)
		out.Items = append(out.Items, mediaItem{ID: m.ID, Name: m.Name, Kind: string(m.Kind), Format: m.Format,
			Size: m.Size, Width: m.Width, Height: m.Height, URL: u})
	}
	writeJSON(w, out)
}
