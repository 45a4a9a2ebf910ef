package herald

import (
	"strings"
	"testing"
)

// rcsRequest is a valid RCS registration request in status.
func rcsRequest(status SenderStatus) *SenderID {
	return &SenderID{Channel: ChannelRCS, Status: status, DisplayName: "Tansy's pancakes", SenderProfile: SenderProfile{
		Description: "Best pancake shop in the industry", ContactName: "Tansy Pancakes",
		Phones:   []SenderContact{{Value: "+1234567", Label: "Call"}},
		Websites: []SenderContact{{Value: "www.tansypancakes.com", Label: "Shop"}},
		Emails:   []SenderContact{{Value: "tansy@tansypancakes.com", Label: "Write to us"}},
		Color:    "#000000", PrivacyURL: "www.tansypancakes.com/privacy_policy", TermsURL: "https://tansypancakes.com/terms",
	}}
}

// smsRequest is a valid SMS registration request.
func smsRequest() *SenderID {
	return &SenderID{Channel: ChannelSMS, Status: SenderSubmitted, DisplayName: "TANSY", SenderProfile: SenderProfile{Description: "Order updates"}}
}

// contacts returns n contacts made by f.
func contacts(n int, f func(i int) SenderContact) []SenderContact {
	out := make([]SenderContact, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// TestSenderRequestRules has one case per rule of a registration request:
// at the limit the request is accepted; one over, the named field has the
// named violation.
func TestSenderRequestRules(t *testing.T) {
	phone := func(i int) SenderContact {
		return SenderContact{Value: "+3460000000" + string(rune('0'+i)), Label: "Call"}
	}
	site := func(i int) SenderContact {
		return SenderContact{Value: "https://s" + string(rune('0'+i)) + ".example", Label: "Site"}
	}
	mail := func(i int) SenderContact {
		return SenderContact{Value: "m" + string(rune('0'+i)) + "@example.com", Label: "Mail"}
	}
	longURL := func(n int) string { return "https://example.com/" + strings.Repeat("a", n-len("https://example.com/")) }
	cases := []struct {
		name  string
		req   func() *SenderID
		edit  func(s *SenderID)
		field string // "" when the request is accepted
		code  string
	}{
		{"RCS name at 40", nil, func(s *SenderID) { s.DisplayName = strings.Repeat("n", 40) }, "", ""},
		{"RCS name at 41", nil, func(s *SenderID) { s.DisplayName = strings.Repeat("n", 41) }, "displayName", VTooLong},
		{"RCS name missing", nil, func(s *SenderID) { s.DisplayName = "  " }, "displayName", VRequired},
		{"description at 100", nil, func(s *SenderID) { s.Description = strings.Repeat("d", 100) }, "", ""},
		{"description at 101", nil, func(s *SenderID) { s.Description = strings.Repeat("d", 101) }, "description", VTooLong},
		{"contact name at 100", nil, func(s *SenderID) { s.ContactName = strings.Repeat("c", 100) }, "", ""},
		{"contact name at 101", nil, func(s *SenderID) { s.ContactName = strings.Repeat("c", 101) }, "contactName", VTooLong},
		{"2 phone numbers", nil, func(s *SenderID) { s.Phones = contacts(2, phone) }, "", ""},
		{"3 phone numbers", nil, func(s *SenderID) { s.Phones = contacts(3, phone) }, "phones", VRange},
		{"phone of 15 digits", nil, func(s *SenderID) { s.Phones[0].Value = "+" + strings.Repeat("1", 15) }, "", ""},
		{"phone of 16 digits", nil, func(s *SenderID) { s.Phones[0].Value = "+" + strings.Repeat("1", 16) }, "phones[0].value", VFormat},
		{"phone with letters", nil, func(s *SenderID) { s.Phones[0].Value = "+34 CALL ME" }, "phones[0].value", VFormat},
		{"phone without a number", nil, func(s *SenderID) { s.Phones[0].Value = "" }, "phones[0].value", VRequired},
		{"phone button at 25", nil, func(s *SenderID) { s.Phones[0].Label = strings.Repeat("b", 25) }, "", ""},
		{"phone button at 26", nil, func(s *SenderID) { s.Phones[0].Label = strings.Repeat("b", 26) }, "phones[0].label", VTooLong},
		{"phone without a button text", nil, func(s *SenderID) { s.Phones[0].Label = "" }, "phones[0].label", VRequired},
		{"2 websites", nil, func(s *SenderID) { s.Websites = contacts(2, site) }, "", ""},
		{"3 websites", nil, func(s *SenderID) { s.Websites = contacts(3, site) }, "websites", VRange},
		{"website not http", nil, func(s *SenderID) { s.Websites[0].Value = "ftp://files.example" }, "websites[0].value", VFormat},
		{"website button at 26", nil, func(s *SenderID) { s.Websites[0].Label = strings.Repeat("b", 26) }, "websites[0].label", VTooLong},
		{"website at 2048 characters", nil, func(s *SenderID) { s.Websites[0].Value = longURL(2048) }, "", ""},
		{"website at 2049 characters", nil, func(s *SenderID) { s.Websites[0].Value = longURL(2049) }, "websites[0].value", VFormat},
		{"2 e-mails", nil, func(s *SenderID) { s.Emails = contacts(2, mail) }, "", ""},
		{"3 e-mails", nil, func(s *SenderID) { s.Emails = contacts(3, mail) }, "emails", VRange},
		{"e-mail malformed", nil, func(s *SenderID) { s.Emails[0].Value = "tansy@" }, "emails[0].value", VFormat},
		{"e-mail button at 26", nil, func(s *SenderID) { s.Emails[0].Label = strings.Repeat("b", 26) }, "emails[0].label", VTooLong},
		{"colour", nil, func(s *SenderID) { s.Color = "#A1b2C3" }, "", ""},
		{"colour of 5 digits", nil, func(s *SenderID) { s.Color = "#12345" }, "color", VFormat},
		{"colour by name", nil, func(s *SenderID) { s.Color = "red" }, "color", VFormat},
		{"privacy URL malformed", nil, func(s *SenderID) { s.PrivacyURL = "privacy policy" }, "privacyUrl", VFormat},
		{"terms URL malformed", nil, func(s *SenderID) { s.TermsURL = "mailto:x@example.com" }, "termsUrl", VFormat},
		{"webhook before approval", nil, func(s *SenderID) { s.WebhookURL = "https://hooks.example/rcs" }, "webhookUrl", VPolicy},
		{"webhook once done", func() *SenderID { return rcsRequest(SenderDone) }, func(s *SenderID) { s.WebhookURL = "https://hooks.example/rcs" }, "", ""},
		{"webhook once active, malformed", func() *SenderID { return rcsRequest(SenderActive) }, func(s *SenderID) { s.WebhookURL = "hooks" }, "webhookUrl", VFormat},
		{"negative logo", nil, func(s *SenderID) { s.LogoMediaID = -1 }, "logoMediaId", VUnknown},
		{"another channel", nil, func(s *SenderID) { s.Channel = ChannelViber }, "channel", VPolicy},
		{"SMS name of 11", smsRequest, func(s *SenderID) { s.DisplayName = "Tansy Cakes" }, "", ""},
		{"SMS name of 12", smsRequest, func(s *SenderID) { s.DisplayName = "Tansy Cakes!"[:11] + "s" }, "displayName", VTooLong},
		{"SMS name of 15 digits", smsRequest, func(s *SenderID) { s.DisplayName = "+" + strings.Repeat("3", 15) }, "", ""},
		{"SMS name of 16 digits", smsRequest, func(s *SenderID) { s.DisplayName = strings.Repeat("3", 16) }, "displayName", VTooLong},
		{"SMS name with a sign", smsRequest, func(s *SenderID) { s.DisplayName = "Tansy!" }, "displayName", VFormat},
		{"SMS name missing", smsRequest, func(s *SenderID) { s.DisplayName = "" }, "displayName", VRequired},
		{"SMS description at 100", smsRequest, func(s *SenderID) { s.Description = strings.Repeat("d", 100) }, "", ""},
		{"SMS description at 101", smsRequest, func(s *SenderID) { s.Description = strings.Repeat("d", 101) }, "description", VTooLong},
		{"SMS with a logo", smsRequest, func(s *SenderID) { s.LogoMediaID = 3 }, "logoMediaId", VPolicy},
		{"SMS with a phone", smsRequest, func(s *SenderID) { s.Phones = contacts(1, phone) }, "phones", VPolicy},
		{"SMS with a colour", smsRequest, func(s *SenderID) { s.Color = "#000000" }, "color", VPolicy},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := rcsRequest(SenderSubmitted)
			if tc.req != nil {
				s = tc.req()
			}
			tc.edit(s)
			err := s.ValidateRequest()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantViolation(t, err, tc.field, tc.code)
		})
	}
}

// wantViolation fails t unless err has a violation of code on field.
func wantViolation(t *testing.T, err error, field, code string) {
	t.Helper()
	for _, v := range ErrorViolations(err) {
		if v.Field == field && v.Code == code {
			if v.Message == "" {
				t.Errorf("violation of %s has no message", field)
			}
			return
		}
	}
	t.Fatalf("error %v; want %s on %s", err, code, field)
}

// TestSenderRequestNormalizes checks what ValidateRequest fills and trims.
func TestSenderRequestNormalizes(t *testing.T) {
	s := rcsRequest(SenderSubmitted)
	s.Color, s.DisplayName = "", "  Tansy  "
	s.Phones = append(s.Phones, SenderContact{Value: " ", Label: ""}, SenderContact{Value: "+34 (600) 12-34.56", Label: " Call "})
	if err := s.ValidateRequest(); err != nil {
		t.Fatal(err)
	}
	if s.Color != DefaultSenderColor || s.DisplayName != "Tansy" || s.Websites[0].Value != "https://www.tansypancakes.com" ||
		s.PrivacyURL != "https://www.tansypancakes.com/privacy_policy" || len(s.Phones) != 2 ||
		s.Phones[1] != (SenderContact{Value: "+34600123456", Label: "Call"}) {
		t.Errorf("normalized = %+v", s)
	}
}

// TestSenderImageRules checks the logo's and the background's limits.
func TestSenderImageRules(t *testing.T) {
	logo := func(edit func(m *Media)) *Media {
		m := &Media{Name: "logo.png", Kind: MediaImage, Format: "png", Width: 240, Height: 240, Size: 90 * 1024}
		edit(m)
		return m
	}
	bg := func(edit func(m *Media)) *Media {
		m := &Media{Name: "bg.jpg", Kind: MediaImage, Format: "jpeg", Width: 1440, Height: 448, Size: 120 * 1024}
		edit(m)
		return m
	}
	cases := []struct {
		name string
		rule ImageRule
		m    *Media
		code string
	}{
		{"logo at 90 KB", SenderLogoRule(), logo(func(*Media) {}), ""},
		{"logo a JPG", SenderLogoRule(), logo(func(m *Media) { m.Format = "jpeg" }), ""},
		{"logo a byte over 90 KB", SenderLogoRule(), logo(func(m *Media) { m.Size++ }), VRange},
		{"logo 241 wide", SenderLogoRule(), logo(func(m *Media) { m.Width = 241 }), VRange},
		{"logo 239 high", SenderLogoRule(), logo(func(m *Media) { m.Height = 239 }), VRange},
		{"logo a GIF", SenderLogoRule(), logo(func(m *Media) { m.Format = "gif" }), VFormat},
		{"logo a video", SenderLogoRule(), logo(func(m *Media) { m.Kind, m.Format = MediaVideo, "mp4" }), VFormat},
		{"background at 120 KB", SenderBackgroundRule(), bg(func(*Media) {}), ""},
		{"background a byte over 120 KB", SenderBackgroundRule(), bg(func(m *Media) { m.Size++ }), VRange},
		{"background 449 high", SenderBackgroundRule(), bg(func(m *Media) { m.Height = 449 }), VRange},
		{"background a WebP", SenderBackgroundRule(), bg(func(m *Media) { m.Format = "webp" }), VFormat},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var vs Violations
			tc.rule.Check(&vs, "logoMediaId", tc.m)
			if tc.code == "" {
				if err := vs.Err(); err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantViolation(t, vs.Err(), "logoMediaId", tc.code)
		})
	}
}

// TestSenderReview checks the system owner's transitions and their rules.
func TestSenderReview(t *testing.T) {
	cases := []struct {
		name  string
		from  SenderStatus
		r     SenderReview
		field string
		code  string
	}{
		{"take a request", SenderSubmitted, SenderReview{Status: SenderInProgress}, "", ""},
		{"test it", SenderInProgress, SenderReview{Status: SenderTesting}, "", ""},
		{"mark it done", SenderTesting, SenderReview{Status: SenderDone}, "", ""},
		{"activate with a name", SenderDone, SenderReview{Status: SenderActive, Name: "tansy@rbm"}, "", ""},
		{"activate and bind", SenderDone, SenderReview{Status: SenderActive, Name: "tansy@rbm", ConnectionID: 4}, "", ""},
		{"activate without a name", SenderDone, SenderReview{Status: SenderActive}, "name", VRequired},
		{"reject with a reason", SenderSubmitted, SenderReview{Status: SenderRejected, Reason: "Logo unreadable"}, "", ""},
		{"reject without a reason", SenderSubmitted, SenderReview{Status: SenderRejected, Reason: " "}, "reason", VRequired},
		{"block an active one", SenderActive, SenderReview{Status: SenderBlocked, Name: "x"}, "", ""},
		{"block a request", SenderSubmitted, SenderReview{Status: SenderBlocked}, "status", VPolicy},
		{"unblock", SenderBlocked, SenderReview{Status: SenderActive, Name: "x"}, "", ""},
		{"bind a request in progress", SenderInProgress, SenderReview{Status: SenderInProgress, ConnectionID: 4}, "connectionId", VPolicy},
		{"review a draft", SenderDraft, SenderReview{Status: SenderInProgress}, "status", VPolicy},
		{"reopen a canceled one", SenderCanceled, SenderReview{Status: SenderSubmitted}, "status", VPolicy},
		{"reopen a rejected one", SenderRejected, SenderReview{Status: SenderInProgress}, "status", VPolicy},
		{"unknown status", SenderSubmitted, SenderReview{Status: "approved"}, "status", VUnknown},
		{"agreement at 100", SenderSubmitted, SenderReview{Agreement: strings.Repeat("a", 100)}, "", ""},
		{"agreement at 101", SenderSubmitted, SenderReview{Agreement: strings.Repeat("a", 101)}, "agreement", VTooLong},
		{"name at 65", SenderSubmitted, SenderReview{Name: strings.Repeat("a", 65)}, "name", VTooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := rcsRequest(tc.from)
			err := tc.r.Apply(s)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantViolation(t, err, tc.field, tc.code)
		})
	}
	s := rcsRequest(SenderSubmitted)
	if err := (SenderReview{Status: SenderRejected, Reason: " Blurry logo "}).Apply(s); err != nil || s.Reason != "Blurry logo" {
		t.Fatalf("rejected: %+v, %v", s, err)
	}
}

// TestSenderStatuses checks the statuses' labels, edit and delete rules,
// and routing.
func TestSenderStatuses(t *testing.T) {
	if len(SenderStatuses()) != 9 {
		t.Fatalf("statuses = %v; the reference lists 9", SenderStatuses())
	}
	editable := map[SenderStatus]bool{SenderDraft: true, SenderSubmitted: true, SenderDone: true, SenderActive: true}
	for _, s := range SenderStatuses() {
		if s.Editable() != editable[s] || s.Deletable() != (s == SenderCanceled) || s.Label() == "" || s.Description() == "" {
			t.Errorf("%s: editable %v, deletable %v, label %q", s, s.Editable(), s.Deletable(), s.Label())
		}
	}
	if SenderInProgress.Label() != "In progress" || SenderActive.Label() != "Active" {
		t.Errorf("labels %q %q", SenderInProgress.Label(), SenderActive.Label())
	}
	s := &SenderID{Name: "acme", Status: SenderActive, ConnectionID: 3}
	if !s.Routable() {
		t.Error("an active, bound sender ID does not route")
	}
	for _, edit := range []func(){func() { s.ConnectionID = 0 }, func() { s.ConnectionID, s.Status = 3, SenderTesting }} {
		edit()
		if s.Routable() || s.NotRoutable() == "" {
			t.Errorf("%+v routes", s)
		}
	}
}
