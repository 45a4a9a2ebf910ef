package content

import (
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// RCS limits. Those marked "reference" are section 7.4.2's; the others are
// Google RBM's, where the reference is silent.
const (
	maxRCSText         = 3072 // RBM text message
	maxCardTitle       = 200  // reference
	maxCardText        = 2000 // reference
	maxCardSuggestions = 4    // reference: panel one, inside the card
	maxSuggestions     = 11   // reference: panel two, outside the message
	maxCarouselCards   = 12   // reference
	minCarouselCards   = 2    // RBM: one card is a rich card
	maxCTAText         = 25   // reference
	maxPostback        = 2048 // RBM postbackData
	maxCalendarTitle   = 100  // RBM createCalendarEventAction
	maxCalendarDescr   = 500  // RBM createCalendarEventAction
	maxMapLabel        = 100  // Herald's cap; RBM documents none
)

// RCS is an RCS message in one of four forms, the key present saying which:
// "text", "card" (a rich card), "carousel" or "file". "suggestions" are the
// actions and replies shown below the message (panel two).
type RCS struct {
	// Type is the form: text, card, carousel or file. Decode fills it; a
	// payload may give it, and then it must agree with the key present.
	Type        string       `json:"type"`
	Body        string       `json:"text,omitempty"`
	Card        *RichCard    `json:"card,omitempty"`
	Carousel    *Carousel    `json:"carousel,omitempty"`
	File        *File        `json:"file,omitempty"`
	Suggestions []Suggestion `json:"suggestions,omitempty"`
}

// RichCard is an image with a title, text and suggestions (panel one).
type RichCard struct {
	Layout         string       `json:"layout,omitempty"`         // vertical (the default) or horizontal
	ImageAlignment string       `json:"imageAlignment,omitempty"` // horizontal cards: left (the default) or right
	Media          *Media       `json:"media,omitempty"`
	Title          string       `json:"title,omitempty"`
	Text           string       `json:"text,omitempty"`
	Suggestions    []Suggestion `json:"suggestions,omitempty"`
}

// Media is a rich card's image or video.
type Media struct {
	URL          string `json:"url"`
	ThumbnailURL string `json:"thumbnailUrl,omitempty"`
	Height       string `json:"height,omitempty"` // vertical cards: short, medium (the default) or tall
}

// Carousel is a horizontally scrolling row of vertical rich cards.
type Carousel struct {
	Width string     `json:"width,omitempty"` // small or medium (the default), as RBM offers
	Cards []RichCard `json:"cards"`
}

// Channel implements Content.
func (c *RCS) Channel() herald.Channel { return herald.ChannelRCS }

// Text implements Content: the text, or the cards' titles and texts.
func (c *RCS) Text() string {
	switch {
	case c.Card != nil:
		return c.Card.text()
	case c.Carousel != nil:
		parts := make([]string, 0, len(c.Carousel.Cards))
		for i := range c.Carousel.Cards {
			if t := c.Carousel.Cards[i].text(); t != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, "\n")
	}
	return c.Body
}

// text joins a card's title and text.
func (c *RichCard) text() string {
	if c.Title == "" || c.Text == "" {
		return c.Title + c.Text
	}
	return c.Title + "\n" + c.Text
}

// Preview implements Content.
func (c *RCS) Preview() string {
	switch {
	case c.Card != nil:
		return labeled("Rich card", firstOf(c.Card.Title, c.Card.Text))
	case c.Carousel != nil:
		kind := "Carousel of " + strconv.Itoa(len(c.Carousel.Cards)) + " cards"
		if len(c.Carousel.Cards) == 0 {
			return kind
		}
		return labeled(kind, firstOf(c.Carousel.Cards[0].Title, c.Carousel.Cards[0].Text))
	case c.File != nil:
		return labeled("File", fileName(c.File))
	}
	return preview(c.Body)
}

// firstOf returns the first non-empty string.
func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Render implements Content.
func (c *RCS) Render(f func(string) (string, error)) (Content, error) { return Personalize(c, f, nil) }

func (c *RCS) read(r *reader) {
	r.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			c.Type = r.str()
		case "text":
			c.Body = r.str()
		case "card":
			c.Card = readCard(r)
		case "carousel":
			c.Carousel = readCarousel(r)
		case "file":
			readFile(r, &c.File)
		case "suggestions":
			c.Suggestions = readSuggestions(r)
		default:
			return false
		}
		return true
	})
}

// readCard reads a rich card, nil for null or a non-object.
func readCard(r *reader) *RichCard {
	card := &RichCard{}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "layout":
			card.Layout = r.str()
		case "imageAlignment":
			card.ImageAlignment = r.str()
		case "media":
			card.Media = readMedia(r)
		case "title":
			card.Title = r.str()
		case "text":
			card.Text = r.str()
		case "suggestions":
			card.Suggestions = readSuggestions(r)
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

// readMedia reads a card's media, nil for null or a non-object.
func readMedia(r *reader) *Media {
	m := &Media{}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "url":
			m.URL = r.str()
		case "thumbnailUrl":
			m.ThumbnailURL = r.str()
		case "height":
			m.Height = r.str()
		default:
			return false
		}
		return true
	})
	if !ok {
		return nil
	}
	return m
}

// readCarousel reads a carousel, nil for null or a non-object.
func readCarousel(r *reader) *Carousel {
	car := &Carousel{}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "width":
			car.Width = r.str()
		case "cards":
			r.array(func(int) {
				card := readCard(r)
				if card == nil {
					card = &RichCard{} // keeps the indexes of later cards right
				}
				car.Cards = append(car.Cards, *card)
			})
		default:
			return false
		}
		return true
	})
	if !ok {
		return nil
	}
	return car
}

// forms lists the forms whose keys the payload has.
func (c *RCS) forms() []string {
	var forms []string
	if c.Body != "" {
		forms = append(forms, "text")
	}
	if c.Card != nil {
		forms = append(forms, "card")
	}
	if c.Carousel != nil {
		forms = append(forms, "carousel")
	}
	if c.File != nil {
		forms = append(forms, "file")
	}
	return forms
}

func (c *RCS) check(k *checker) {
	checkForm(k, &c.Type, c.forms(), "RCS", "text", "card", "carousel", "file")
	for _, form := range c.forms() {
		switch form {
		case "text":
			k.text("text", c.Body, true, maxRCSText, "Text")
		case "card":
			n := k.enter("card")
			c.Card.check(k, false)
			k.leave(n)
		case "carousel":
			n := k.enter("carousel")
			c.Carousel.check(k)
			k.leave(n)
		case "file":
			n := k.enter("file")
			c.File.check(k, rcsFileRules())
			k.leave(n)
		}
	}
	checkSuggestions(k, c.Suggestions, maxSuggestions, "A message")
}

// checkForm checks that exactly one form's key is present and agrees with
// *typ, which it fills then. The caller checks each present form.
func checkForm(k *checker, typ *string, present []string, channel string, all ...string) {
	if *typ != "" {
		k.oneOf("type", *typ, false, "Type", all...)
	}
	switch {
	case len(present) == 0 && *typ != "" && !k.vs.Has(k.pathOf("type")):
		k.addAt(*typ, herald.VRequired, "A %s message needs %s.", *typ, *typ)
	case len(present) == 0:
		k.add(herald.VRequired, "%s content needs one of %s.", channel, strings.Join(all, ", "))
	case len(present) > 1:
		for _, f := range present[1:] {
			k.addAt(f, herald.VFormat, "Use one of %s, not several: %s is already given.", strings.Join(all, ", "), present[0])
		}
	case *typ != "" && *typ != present[0]:
		if !k.vs.Has(k.pathOf("type")) {
			k.addAt("type", herald.VFormat, "Type is %s but the payload has %s.", *typ, present[0])
		}
	default:
		*typ = present[0]
	}
}

// check validates a rich card; inCarousel forbids the horizontal layout.
func (c *RichCard) check(k *checker, inCarousel bool) {
	k.oneOf("layout", c.Layout, false, "Layout", "vertical", "horizontal")
	horizontal := c.Layout == "horizontal"
	switch {
	case inCarousel && horizontal:
		k.addAt("layout", herald.VFormat, "Carousel cards are vertical.")
	case horizontal:
		k.oneOf("imageAlignment", c.ImageAlignment, false, "Image alignment", "left", "right")
		if c.Media == nil {
			k.addAt("media", herald.VRequired, "A horizontal card needs media.")
		}
	default:
		k.notAllowed("imageAlignment", c.ImageAlignment != "", "Image alignment applies to horizontal cards only.")
	}
	if c.Media == nil && strings.TrimSpace(c.Title) == "" && strings.TrimSpace(c.Text) == "" {
		k.add(herald.VRequired, "A card needs media, a title or text.")
	}
	if c.Media != nil {
		n := k.enter("media")
		k.webURL("url", c.Media.URL, true, "Media URL")
		k.webURL("thumbnailUrl", c.Media.ThumbnailURL, false, "Thumbnail URL")
		k.oneOf("height", c.Media.Height, false, "Media height", "short", "medium", "tall")
		k.notAllowed("height", horizontal && c.Media.Height != "", "Media height applies to vertical cards only.")
		k.leave(n)
	}
	k.text("title", c.Title, false, maxCardTitle, "Title")
	k.text("text", c.Text, false, maxCardText, "Text")
	checkSuggestions(k, c.Suggestions, maxCardSuggestions, "A card")
}

func (c *Carousel) check(k *checker) {
	k.oneOf("width", c.Width, false, "Width", "small", "medium")
	k.items("cards", len(c.Cards), minCarouselCards, maxCarouselCards, "A carousel")
	n := k.enter("cards")
	for i := range c.Cards {
		m := k.enterIndex(i)
		c.Cards[i].check(k, true)
		k.leave(m)
	}
	k.leave(n)
}

func (c *RCS) texts(v *visitor) {
	v.visit("text", &c.Body, false)
	if c.Card != nil {
		n := v.enter("card")
		c.Card.texts(v)
		v.leave(n)
	}
	if c.Carousel != nil {
		n := v.enter("carousel")
		m := v.enter("cards")
		for i := range c.Carousel.Cards {
			j := v.enterIndex(i)
			c.Carousel.Cards[i].texts(v)
			v.leave(j)
		}
		v.leave(m)
		v.leave(n)
	}
	if c.File != nil {
		n := v.enter("file")
		c.File.texts(v)
		v.leave(n)
	}
	suggestionTexts(v, c.Suggestions)
}

func (c *RichCard) texts(v *visitor) {
	if c.Media != nil {
		n := v.enter("media")
		v.visit("url", &c.Media.URL, false)
		v.visit("thumbnailUrl", &c.Media.ThumbnailURL, false)
		v.leave(n)
	}
	v.visit("title", &c.Title, false)
	v.visit("text", &c.Text, false)
	suggestionTexts(v, c.Suggestions)
}

func (c *RCS) clone() Content {
	out := *c
	out.Card = c.Card.clone()
	if c.Carousel != nil {
		car := *c.Carousel
		car.Cards = make([]RichCard, len(c.Carousel.Cards))
		for i := range c.Carousel.Cards {
			car.Cards[i] = *c.Carousel.Cards[i].clone()
		}
		out.Carousel = &car
	}
	out.File = cloneFile(c.File)
	out.Suggestions = cloneSuggestions(c.Suggestions)
	return &out
}

// clone deep-copies a card (nil stays nil).
func (c *RichCard) clone() *RichCard {
	if c == nil {
		return nil
	}
	out := *c
	if c.Media != nil {
		m := *c.Media
		out.Media = &m
	}
	out.Suggestions = cloneSuggestions(c.Suggestions)
	return &out
}
