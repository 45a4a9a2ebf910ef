package content

import (
	"strings"

	"github.com/heraldhq/herald"
)

// WhatsApp limits. Those marked "reference" are section 7.4.4's; the others
// are the WhatsApp Business Platform's, where the reference is silent.
const (
	maxWhatsAppText     = 4096 // reference
	maxWACardHeader     = 20   // reference
	maxWACardBody       = 1024 // reference
	maxWAFooter         = 60   // reference (card); WhatsApp's for lists too
	maxWAButtons        = 3    // WhatsApp reply buttons
	maxWAButtonTitle    = 20   // WhatsApp reply button title
	maxWAButtonID       = 256  // WhatsApp reply button id
	maxWAListHeader     = 60   // WhatsApp list header text
	maxWAListBody       = 4096 // WhatsApp list body
	maxWAListButton     = 20   // WhatsApp list button label
	maxWAListRows       = 10   // reference: options in a list
	maxWAListSections   = 10   // WhatsApp
	maxWARowTitle       = 24   // reference: length of an option
	maxWARowDescription = 72   // WhatsApp
	maxWARowID          = 200  // WhatsApp
	maxWASectionTitle   = 24   // WhatsApp
	maxWALocationText   = 1024 // WhatsApp location request body
	maxWAPlace          = 1000 // Herald's cap on a location's name and address; WhatsApp documents none
	maxWATemplateName   = 512  // WhatsApp template names
)

// WhatsApp forms, the keys of a free message, and "template".
const (
	WhatsAppText            = "text"
	WhatsAppCardForm        = "card"
	WhatsAppListForm        = "list"
	WhatsAppFile            = "file"
	WhatsAppRequestLocation = "requestLocation"
	WhatsAppLocation        = "location"
	WhatsAppTemplateForm    = "template"
)

// WhatsApp is a WhatsApp message: a free message in one of six forms
// (reference 7.4.4.1), or a pre-approved template (7.4.4.2). The key present
// makes the form; "type" may name it too.
type WhatsApp struct {
	Type            string            `json:"type"` // the form; Decode fills it
	Body            string            `json:"text,omitempty"`
	Card            *WhatsAppCard     `json:"card,omitempty"`
	List            *WhatsAppList     `json:"list,omitempty"`
	File            *File             `json:"file,omitempty"`
	RequestLocation *LocationRequest  `json:"requestLocation,omitempty"`
	Location        *Location         `json:"location,omitempty"`
	Template        *WhatsAppTemplate `json:"template,omitempty"`
}

// WhatsAppCard is media or a header, a body, a footer and reply buttons.
// WhatsApp's interactive header is one object, so media and header text do
// not go together.
type WhatsAppCard struct {
	Media   *File         `json:"media,omitempty"`
	Header  string        `json:"header,omitempty"`
	Body    string        `json:"body"`
	Footer  string        `json:"footer,omitempty"`
	Buttons []ReplyButton `json:"buttons,omitempty"`
}

// ReplyButton is a button whose title the recipient sends back.
type ReplyButton struct {
	ID    string `json:"id,omitempty"` // returned with the reply; the title when empty
	Title string `json:"title"`
}

// WhatsAppList is a message whose button opens a list of options grouped in
// sections; the recipient picks one.
type WhatsAppList struct {
	Header string `json:"header,omitempty"`
	Body   string `json:"body"`
	Footer string `json:"footer,omitempty"`
	// Button labels the button that opens the list (the reference's "header
	// for the entire list").
	Button   string        `json:"button"`
	Sections []ListSection `json:"sections"`
}

// ListSection is a titled group of options.
type ListSection struct {
	Title string    `json:"title,omitempty"` // required when there are several sections
	Rows  []ListRow `json:"rows"`
}

// ListRow is one option.
type ListRow struct {
	ID          string `json:"id,omitempty"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// LocationRequest asks the recipient to share their location.
type LocationRequest struct {
	Text string `json:"text"`
}

// Location is a place sent to the recipient.
type Location struct {
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
	Name      string   `json:"name,omitempty"`
	Address   string   `json:"address,omitempty"`
}

// Channel implements Content.
func (c *WhatsApp) Channel() herald.Channel { return herald.ChannelWhatsApp }

// Text implements Content.
func (c *WhatsApp) Text() string {
	switch {
	case c.Card != nil:
		return joinNonEmpty("\n", c.Card.Header, c.Card.Body, c.Card.Footer)
	case c.List != nil:
		return joinNonEmpty("\n", c.List.Header, c.List.Body, c.List.Footer)
	case c.RequestLocation != nil:
		return c.RequestLocation.Text
	case c.Location != nil:
		return joinNonEmpty("\n", c.Location.Name, c.Location.Address)
	}
	return c.Body
}

// joinNonEmpty joins the non-empty strings with sep.
func joinNonEmpty(sep string, s ...string) string {
	out := s[:0:0]
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, sep)
}

// Preview implements Content.
func (c *WhatsApp) Preview() string {
	switch {
	case c.Card != nil:
		return labeled("Card", firstOf(c.Card.Header, c.Card.Body))
	case c.List != nil:
		return labeled("List", c.List.Body)
	case c.File != nil:
		return labeled("File", fileName(c.File))
	case c.RequestLocation != nil:
		return labeled("Location request", c.RequestLocation.Text)
	case c.Location != nil:
		return labeled("Location", firstOf(c.Location.Name, c.Location.Address))
	case c.Template != nil:
		return labeled("Template", c.Template.Name)
	}
	return preview(c.Body)
}

// Render implements Content.
func (c *WhatsApp) Render(f func(string) (string, error)) (Content, error) {
	return Personalize(c, f, nil)
}

func (c *WhatsApp) read(r *reader) {
	r.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			c.Type = r.str()
		case "text":
			c.Body = r.str()
		case "card":
			c.Card = readWACard(r)
		case "list":
			c.List = readWAList(r)
		case "file":
			readFile(r, &c.File)
		case "requestLocation":
			lr := &LocationRequest{}
			if r.object(func(key []byte) bool { return string(key) == "text" && r.into(&lr.Text) }) {
				c.RequestLocation = lr
			}
		case "location":
			c.Location = readLocation(r)
		case "template":
			c.Template = readTemplate(r)
		default:
			return false
		}
		return true
	})
}

// readWACard reads a card, nil for null or a non-object.
func readWACard(r *reader) *WhatsAppCard {
	card := &WhatsAppCard{}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "media":
			readFile(r, &card.Media)
		case "header":
			card.Header = r.str()
		case "body":
			card.Body = r.str()
		case "footer":
			card.Footer = r.str()
		case "buttons":
			r.array(func(int) {
				var b ReplyButton
				r.object(func(key []byte) bool {
					switch string(key) {
					case "id":
						return r.into(&b.ID)
					case "title":
						return r.into(&b.Title)
					}
					return false
				})
				card.Buttons = append(card.Buttons, b)
			})
		default:
			return false
		}
		return true
	})
	if !ok {
		return nil
	}
	return card
}

// readWAList reads a list message, nil for null or a non-object.
func readWAList(r *reader) *WhatsAppList {
	l := &WhatsAppList{}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "header":
			l.Header = r.str()
		case "body":
			l.Body = r.str()
		case "footer":
			l.Footer = r.str()
		case "button":
			l.Button = r.str()
		case "sections":
			r.array(func(int) { l.Sections = append(l.Sections, readSection(r)) })
		default:
			return false
		}
		return true
	})
	if !ok {
		return nil
	}
	return l
}

// readSection reads one section of a list.
func readSection(r *reader) ListSection {
	var s ListSection
	r.object(func(key []byte) bool {
		switch string(key) {
		case "title":
			s.Title = r.str()
		case "rows":
			r.array(func(int) {
				var row ListRow
				r.object(func(key []byte) bool {
					switch string(key) {
					case "id":
						return r.into(&row.ID)
					case "title":
						return r.into(&row.Title)
					case "description":
						return r.into(&row.Description)
					}
					return false
				})
				s.Rows = append(s.Rows, row)
			})
		default:
			return false
		}
		return true
	})
	return s
}

// readLocation reads a location, nil for null or a non-object.
func readLocation(r *reader) *Location {
	loc := &Location{}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "latitude":
			loc.Latitude = readDecimal(r)
		case "longitude":
			loc.Longitude = readDecimal(r)
		case "name":
			loc.Name = r.str()
		case "address":
			loc.Address = r.str()
		default:
			return false
		}
		return true
	})
	if !ok {
		return nil
	}
	return loc
}

// present lists the forms whose keys the payload has.
func (c *WhatsApp) present() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{WhatsAppText, c.Body != ""}, {WhatsAppCardForm, c.Card != nil}, {WhatsAppListForm, c.List != nil},
		{WhatsAppFile, c.File != nil}, {WhatsAppRequestLocation, c.RequestLocation != nil},
		{WhatsAppLocation, c.Location != nil}, {WhatsAppTemplateForm, c.Template != nil},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

func (c *WhatsApp) check(k *checker) {
	present := c.present()
	checkForm(k, &c.Type, present, "WhatsApp", WhatsAppText, WhatsAppCardForm, WhatsAppListForm,
		WhatsAppFile, WhatsAppRequestLocation, WhatsAppLocation, WhatsAppTemplateForm)
	for _, form := range present {
		if form == WhatsAppText {
			k.text("text", c.Body, true, maxWhatsAppText, "Text")
			continue
		}
		n := k.enter(form)
		switch form {
		case WhatsAppCardForm:
			c.Card.check(k)
		case WhatsAppListForm:
			c.List.check(k)
		case WhatsAppFile:
			c.File.check(k, whatsAppFileRules())
		case WhatsAppRequestLocation:
			k.text("text", c.RequestLocation.Text, true, maxWALocationText, "Text")
		case WhatsAppLocation:
			k.coordinates(c.Location.Latitude, c.Location.Longitude, true)
			k.text("name", c.Location.Name, false, maxWAPlace, "Name")
			k.text("address", c.Location.Address, false, maxWAPlace, "Address")
		case WhatsAppTemplateForm:
			c.Template.check(k)
		}
		k.leave(n)
	}
}

func (c *WhatsAppCard) check(k *checker) {
	if c.Media != nil {
		n := k.enter("media")
		c.Media.check(k, whatsAppHeaderRules())
		k.leave(n)
		k.notAllowed("header", c.Header != "", "A card has media or a header text, not both.")
	}
	k.text("header", c.Header, false, maxWACardHeader, "Header")
	k.text("body", c.Body, true, maxWACardBody, "Body")
	k.text("footer", c.Footer, false, maxWAFooter, "Footer")
	k.items("buttons", len(c.Buttons), 0, maxWAButtons, "A card")
	n := k.enter("buttons")
	ids := make(map[string]bool, len(c.Buttons))
	for i, b := range c.Buttons {
		m := k.enterIndex(i)
		k.text("title", b.Title, true, maxWAButtonTitle, "Button title")
		k.text("id", b.ID, false, maxWAButtonID, "Button ID")
		if id := firstOf(b.ID, b.Title); id != "" && ids[id] {
			k.add(herald.VTaken, "Buttons must differ: %q is used twice.", id)
		} else {
			ids[id] = true
		}
		k.leave(m)
	}
	k.leave(n)
}

func (c *WhatsAppList) check(k *checker) {
	k.text("header", c.Header, false, maxWAListHeader, "Header")
	k.text("body", c.Body, true, maxWAListBody, "Body")
	k.text("footer", c.Footer, false, maxWAFooter, "Footer")
	k.text("button", c.Button, true, maxWAListButton, "List button text")
	k.items("sections", len(c.Sections), 1, maxWAListSections, "A list")
	rows, ids := 0, map[string]bool{}
	n := k.enter("sections")
	for i := range c.Sections {
		s := &c.Sections[i]
		rows += len(s.Rows)
		m := k.enterIndex(i)
		k.text("title", s.Title, len(c.Sections) > 1, maxWASectionTitle, "Section title")
		k.items("rows", len(s.Rows), 1, 0, "A section")
		o := k.enter("rows")
		for j := range s.Rows {
			p := k.enterIndex(j)
			row := &s.Rows[j]
			k.text("title", row.Title, true, maxWARowTitle, "Option title")
			k.text("description", row.Description, false, maxWARowDescription, "Option description")
			k.text("id", row.ID, false, maxWARowID, "Option ID")
			if id := firstOf(row.ID, row.Title); id != "" && ids[id] {
				k.add(herald.VTaken, "Options must differ: %q is used twice.", id)
			} else {
				ids[id] = true
			}
			k.leave(p)
		}
		k.leave(o)
		k.leave(m)
	}
	k.leave(n)
	if rows > maxWAListRows {
		k.addAt("sections", herald.VTooLong, "A list can have at most %d options (it has %d).", maxWAListRows, rows)
	}
}

func (c *WhatsApp) texts(v *visitor) {
	v.visit("text", &c.Body, false)
	if c.Card != nil {
		v.in("card", func() { c.Card.texts(v) })
	}
	if c.List != nil {
		v.in("list", func() { c.List.texts(v) })
	}
	if c.File != nil {
		v.in("file", func() { c.File.texts(v) })
	}
	if c.RequestLocation != nil {
		v.in("requestLocation", func() { v.visit("text", &c.RequestLocation.Text, false) })
	}
	if c.Location != nil {
		v.in("location", func() {
			v.visit("name", &c.Location.Name, false)
			v.visit("address", &c.Location.Address, false)
		})
	}
	if c.Template != nil {
		v.in("template", func() { c.Template.texts(v) })
	}
}

func (c *WhatsAppCard) texts(v *visitor) {
	if c.Media != nil {
		v.in("media", func() { c.Media.texts(v) })
	}
	v.visit("header", &c.Header, false)
	v.visit("body", &c.Body, false)
	v.visit("footer", &c.Footer, false)
	n := v.enter("buttons")
	for i := range c.Buttons {
		m := v.enterIndex(i)
		v.visit("title", &c.Buttons[i].Title, false)
		v.visit("id", &c.Buttons[i].ID, false)
		v.leave(m)
	}
	v.leave(n)
}

func (l *WhatsAppList) texts(v *visitor) {
	v.visit("header", &l.Header, false)
	v.visit("body", &l.Body, false)
	v.visit("footer", &l.Footer, false)
	v.visit("button", &l.Button, false)
	n := v.enter("sections")
	for i := range l.Sections {
		m := v.enterIndex(i)
		v.visit("title", &l.Sections[i].Title, false)
		o := v.enter("rows")
		for j := range l.Sections[i].Rows {
			p := v.enterIndex(j)
			row := &l.Sections[i].Rows[j]
			v.visit("title", &row.Title, false)
			v.visit("description", &row.Description, false)
			v.visit("id", &row.ID, false)
			v.leave(p)
		}
		v.leave(o)
		v.leave(m)
	}
	v.leave(n)
}

func (c *WhatsApp) clone() Content {
	out := *c
	if c.Card != nil {
		card := *c.Card
		card.Media = cloneFile(c.Card.Media)
		card.Buttons = cloneSlice(c.Card.Buttons)
		out.Card = &card
	}
	if c.List != nil {
		l := *c.List
		l.Sections = cloneSlice(c.List.Sections)
		for i := range l.Sections {
			l.Sections[i].Rows = cloneSlice(l.Sections[i].Rows)
		}
		out.List = &l
	}
	out.File = cloneFile(c.File)
	if c.RequestLocation != nil {
		lr := *c.RequestLocation
		out.RequestLocation = &lr
	}
	if c.Location != nil {
		loc := *c.Location
		out.Location = &loc // coordinates are never personalized, so sharing them is safe
	}
	out.Template = c.Template.clone()
	return &out
}
