package herald

import (
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
)

// Limits of a registration request. The RCS ones are reference 001
// section 12.2's; the SMS sender ID rule is the network's (an originating
// address of GSM 03.40); the lengths marked Herald's are ours, where the
// reference sets none.
const (
	MaxSenderDisplayName = 40  // the Sender ID Name
	MaxSenderDescription = 100 // shown under the name in the profile
	MaxSenderButtonText  = 25  // the button text of a phone, website or e-mail
	MaxSenderContacts    = 2   // phone numbers, websites and e-mails, each
	MaxSenderContactName = 100 // Herald's
	MaxSenderURL         = 2048
	MaxSMSSenderAlpha    = 11 // letters and digits of an alphanumeric SMS sender ID
	MaxSMSSenderDigits   = 15 // digits of a numeric SMS sender ID
	DefaultSenderColor   = "#000000"
)

// SenderProfile is what a registration request tells about the sender
// ID. An SMS request has a description and a contact name; the rest is
// the RCS agent's profile as recipients see it. Images are files of the
// account's media library.
type SenderProfile struct {
	Description       string          `json:"description,omitempty"`
	LogoMediaID       int64           `json:"logoMediaId,omitempty"`
	BackgroundMediaID int64           `json:"backgroundMediaId,omitempty"`
	Color             string          `json:"color,omitempty"` // #rrggbb
	ContactName       string          `json:"contactName,omitempty"`
	Phones            []SenderContact `json:"phones,omitempty"`
	Websites          []SenderContact `json:"websites,omitempty"`
	Emails            []SenderContact `json:"emails,omitempty"`
	PrivacyURL        string          `json:"privacyUrl,omitempty"`
	TermsURL          string          `json:"termsUrl,omitempty"`
	// WebhookURL receives the recipients' answers; it can be set once the
	// sender ID is approved (done or active).
	WebhookURL string `json:"webhookUrl,omitempty"`
}

// SenderContact is a phone number, website or e-mail address of a sender
// ID's profile with the text of its button.
type SenderContact struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// ImageRule is what an image of a sender ID's profile must be.
type ImageRule struct {
	Name          string   // for messages, such as "The logo"
	Formats       []string // Media.Format values
	Width, Height int      // exact pixels
	MaxBytes      int64
}

// SenderLogoRule is the logo's rule: JPG or PNG, 240×240 pixels, 90 KB.
func SenderLogoRule() ImageRule {
	return ImageRule{Name: "The logo", Formats: []string{"jpeg", "png"}, Width: 240, Height: 240, MaxBytes: 90 << 10}
}

// SenderBackgroundRule is the background image's rule: JPG or PNG,
// 1440×448 pixels, 120 KB.
func SenderBackgroundRule() ImageRule {
	return ImageRule{Name: "The background image", Formats: []string{"jpeg", "png"}, Width: 1440, Height: 448, MaxBytes: 120 << 10}
}

// Describe states the rule for people: "JPG or PNG, 240×240 pixels, at
// most 90 KB".
func (r ImageRule) Describe() string {
	return fmt.Sprintf("JPG or PNG, %d×%d pixels, at most %d KB", r.Width, r.Height, r.MaxBytes>>10)
}

// Check adds field's violation when m breaks the rule.
func (r ImageRule) Check(vs *Violations, field string, m *Media) {
	switch {
	case m.Kind != MediaImage || !slices.Contains(r.Formats, m.Format):
		vs.Add(field, VFormat, "%s must be a JPG or PNG image (%s is %s).", r.Name, m.Name, describeFormat(m))
	case m.Width != r.Width || m.Height != r.Height:
		vs.Add(field, VRange, "%s must be %d×%d pixels (%s is %d×%d).", r.Name, r.Width, r.Height, m.Name, m.Width, m.Height)
	case m.Size > r.MaxBytes:
		vs.Add(field, VRange, "%s must weigh at most %d KB (%s has %d bytes, over %d).", r.Name, r.MaxBytes>>10, m.Name, m.Size, r.MaxBytes)
	}
}

// describeFormat names a file's format for a message.
func describeFormat(m *Media) string {
	if m.Format == "" {
		return "of an unknown format"
	}
	return strings.ToUpper(m.Format)
}

// Registrable reports whether an account registers sender IDs of channel
// ch itself: SMS and RCS. The system owner sets up the others.
func Registrable(ch Channel) bool { return ch == ChannelSMS || ch == ChannelRCS }

// ValidateRequest checks a registration request as the account made it
// (the images' files are checked by ImageRule, with the media library),
// trims it and fills the default colour. The webhook URL is allowed
// once the request is approved, judged by s.Status.
func (s *SenderID) ValidateRequest() error {
	var vs Violations
	s.DisplayName = strings.TrimSpace(s.DisplayName)
	p := &s.SenderProfile
	p.trim()
	switch s.Channel {
	case ChannelSMS:
		checkSMSSender(&vs, s.DisplayName)
		p.checkSMS(&vs)
	case ChannelRCS:
		checkDisplayName(&vs, s.DisplayName)
		p.checkRCS(&vs, s.Status)
	default:
		vs.Add("channel", VPolicy, "Only SMS and RCS sender IDs are registered here: ask the system owner for one on %s.", s.Channel.Label())
	}
	vs.CheckLen("description", p.Description, false, MaxSenderDescription)
	vs.CheckLen("contactName", p.ContactName, false, MaxSenderContactName)
	return vs.Err()
}

// checkDisplayName checks an RCS Sender ID Name.
func checkDisplayName(vs *Violations, name string) {
	if name == "" {
		vs.Add("displayName", VRequired, "Sender ID Name is required.")
	} else if n := len([]rune(name)); n > MaxSenderDisplayName {
		vs.Add("displayName", VTooLong, "Sender ID Name must be at most %d characters (it has %d).", MaxSenderDisplayName, n)
	}
}

// checkSMSSender checks an SMS sender ID: at most 11 letters, digits,
// spaces and . - _ & with a letter among them, or a number of at most 15
// digits (with an optional leading +).
func checkSMSSender(vs *Violations, name string) {
	if name == "" {
		vs.Add("displayName", VRequired, "Sender ID Name is required.")
		return
	}
	digits := strings.TrimPrefix(name, "+")
	if isDigitString(digits) {
		if len(digits) > MaxSMSSenderDigits {
			vs.Add("displayName", VTooLong, "A numeric SMS sender ID has at most %d digits (it has %d).", MaxSMSSenderDigits, len(digits))
		}
		return
	}
	for _, r := range name {
		if !isAlnum(r) && !strings.ContainsRune(" .-_&", r) {
			vs.Add("displayName", VFormat, "An SMS sender ID has only letters, digits, spaces and . - _ & (not %q).", r)
			return
		}
	}
	if n := len([]rune(name)); n > MaxSMSSenderAlpha {
		vs.Add("displayName", VTooLong, "An alphanumeric SMS sender ID has at most %d characters (it has %d).", MaxSMSSenderAlpha, n)
	}
}

// isAlnum reports whether r is an ASCII letter or digit.
func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// isDigitString reports whether s is a non-empty string of ASCII digits.
func isDigitString(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// trim trims every text and drops contact rows left entirely empty.
func (p *SenderProfile) trim() {
	for _, f := range []*string{&p.Description, &p.Color, &p.ContactName, &p.PrivacyURL, &p.TermsURL, &p.WebhookURL} {
		*f = strings.TrimSpace(*f)
	}
	for _, list := range []*[]SenderContact{&p.Phones, &p.Websites, &p.Emails} {
		out := (*list)[:0]
		for _, c := range *list {
			c.Value, c.Label = strings.TrimSpace(c.Value), strings.TrimSpace(c.Label)
			if c.Value != "" || c.Label != "" {
				out = append(out, c)
			}
		}
		*list = out
		if len(out) == 0 {
			*list = nil
		}
	}
}

// checkSMS refuses the RCS profile's fields on an SMS request.
func (p *SenderProfile) checkSMS(vs *Violations) {
	rcsOnly := []struct {
		field, what string
		set         bool
	}{
		{"logoMediaId", "logo", p.LogoMediaID != 0}, {"backgroundMediaId", "background image", p.BackgroundMediaID != 0},
		{"color", "colour", p.Color != ""}, {"phones", "phone number", len(p.Phones) > 0},
		{"websites", "website", len(p.Websites) > 0}, {"emails", "e-mail address", len(p.Emails) > 0},
		{"privacyUrl", "privacy policy URL", p.PrivacyURL != ""}, {"termsUrl", "terms of service URL", p.TermsURL != ""},
		{"webhookUrl", "webhook URL", p.WebhookURL != ""},
	}
	for _, f := range rcsOnly {
		if f.set {
			vs.Add(f.field, VPolicy, "Only RCS sender IDs have a %s.", f.what)
		}
	}
}

// checkRCS checks the RCS profile.
func (p *SenderProfile) checkRCS(vs *Violations, status SenderStatus) {
	if p.LogoMediaID < 0 {
		vs.Add("logoMediaId", VUnknown, "Unknown file %d.", p.LogoMediaID)
	}
	if p.BackgroundMediaID < 0 {
		vs.Add("backgroundMediaId", VUnknown, "Unknown file %d.", p.BackgroundMediaID)
	}
	if p.Color == "" {
		p.Color = DefaultSenderColor
	}
	if c, ok := parseColor(p.Color); ok {
		p.Color = c
	} else {
		vs.Add("color", VFormat, "The colour is six hexadecimal digits after #, such as #1a73e8.")
	}
	checkContacts(vs, "phones", "phone number", p.Phones, checkPhone)
	checkContacts(vs, "websites", "website", p.Websites, checkWebURL)
	checkContacts(vs, "emails", "e-mail address", p.Emails, checkEmail)
	p.PrivacyURL = checkURLField(vs, "privacyUrl", p.PrivacyURL)
	p.TermsURL = checkURLField(vs, "termsUrl", p.TermsURL)
	if p.WebhookURL != "" && status != SenderDone && status != SenderActive {
		vs.Add("webhookUrl", VPolicy, "The webhook URL can be added once the sender ID is approved.")
	} else if p.WebhookURL != "" {
		p.WebhookURL = checkURLField(vs, "webhookUrl", p.WebhookURL)
	}
}

// parseColor accepts #rrggbb (any case) and returns it in lower case.
func parseColor(s string) (string, bool) {
	if len(s) != 7 || s[0] != '#' {
		return "", false
	}
	for _, r := range s[1:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

// checkContacts checks a list of contacts: at most MaxSenderContacts,
// each value well-formed (check returns it normalized, or a message) and
// each with its button text.
func checkContacts(vs *Violations, field, what string, cs []SenderContact, check func(string) (string, string)) {
	if len(cs) > MaxSenderContacts {
		vs.Add(field, VRange, "At most %d %ss are allowed (there are %d).", MaxSenderContacts, what, len(cs))
	}
	for i := range cs {
		c := &cs[i]
		prefix := fmt.Sprintf("%s[%d].", field, i)
		if c.Value == "" {
			vs.Add(prefix+"value", VRequired, "Enter the %s of this button.", what)
		} else if v, msg := check(c.Value); msg != "" {
			vs.Add(prefix+"value", VFormat, "%s", msg)
		} else {
			c.Value = v
		}
		if c.Label == "" {
			vs.Add(prefix+"label", VRequired, "Enter the button text of the %s.", what)
		} else if n := len([]rune(c.Label)); n > MaxSenderButtonText {
			vs.Add(prefix+"label", VTooLong, "The button text must be at most %d characters (it has %d).", MaxSenderButtonText, n)
		}
	}
}

// checkPhone accepts a phone number: an optional + and 3 to 15 digits,
// with spaces, dots, dashes and brackets between them (dropped).
func checkPhone(s string) (string, string) {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(" .-()", r) {
			return -1
		}
		return r
	}, s)
	digits := strings.TrimPrefix(clean, "+")
	if !isDigitString(digits) || len(digits) < 3 || len(digits) > 15 {
		return "", fmt.Sprintf("%q is not a phone number: use + and up to 15 digits, such as +34600123456.", s)
	}
	return clean, ""
}

// checkWebURL accepts an http or https address; one without a scheme,
// such as www.example.com, is taken as https when its host has a dot.
func checkWebURL(s string) (string, string) {
	full, bare := s, !strings.Contains(s, "://")
	if bare {
		full = "https://" + s
	}
	u, err := url.Parse(full)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(bare && !strings.Contains(u.Hostname(), ".")) {
		return "", fmt.Sprintf("%q is not a web address (http or https).", s)
	}
	if n := len(full); n > MaxSenderURL {
		return "", fmt.Sprintf("A web address has at most %d characters (it has %d).", MaxSenderURL, n)
	}
	return full, ""
}

// checkEmail accepts one plain e-mail address.
func checkEmail(s string) (string, string) {
	if ad, err := mail.ParseAddress(s); err != nil || ad.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", fmt.Sprintf("%q is not an e-mail address.", s)
	}
	return s, ""
}

// checkURLField checks an optional web address field and returns it
// normalized.
func checkURLField(vs *Violations, field, s string) string {
	if s == "" {
		return ""
	}
	v, msg := checkWebURL(s)
	if msg != "" {
		vs.Add(field, VFormat, "%s", msg)
		return s
	}
	return v
}
