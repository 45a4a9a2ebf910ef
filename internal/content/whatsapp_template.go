package content

import (
	"strings"

	"github.com/heraldhq/herald"
)

// WhatsAppTemplate sends a pre-approved template, in the shape of the
// WhatsApp Business API the reference's samples use.
type WhatsAppTemplate struct {
	Namespace  string              `json:"namespace,omitempty"`
	Name       string              `json:"name"`
	Language   TemplateLanguage    `json:"language"`
	Components []TemplateComponent `json:"components,omitempty"`
}

// TemplateLanguage is the template's language.
type TemplateLanguage struct {
	Policy string `json:"policy,omitempty"` // "deterministic", the only policy WhatsApp has
	Code   string `json:"code"`             // such as en, en_US, pt_BR
}

// TemplateComponent carries the parameters of one part of a template.
type TemplateComponent struct {
	Type       string              `json:"type"`               // header, body or button
	SubType    string              `json:"sub_type,omitempty"` // buttons: quick_reply, url, copy_code, flow or catalog
	Index      *int                `json:"index,omitempty"`    // buttons: position 0-9
	Parameters []TemplateParameter `json:"parameters,omitempty"`
}

// TemplateParameter is the value of one template variable. Currency,
// date_time and coupon_code parameters are not accepted yet.
type TemplateParameter struct {
	Type     string     `json:"type"` // text, payload, image, video or document
	Text     string     `json:"text,omitempty"`
	Payload  string     `json:"payload,omitempty"`
	Image    *MediaLink `json:"image,omitempty"`
	Video    *MediaLink `json:"video,omitempty"`
	Document *MediaLink `json:"document,omitempty"`
}

// MediaLink is a template header's media.
type MediaLink struct {
	Link     string `json:"link"`
	Filename string `json:"filename,omitempty"` // documents
}

// readTemplate reads a template reference, nil for null or a non-object.
func readTemplate(r *reader) *WhatsAppTemplate {
	t := &WhatsAppTemplate{}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "namespace":
			t.Namespace = r.str()
		case "name":
			t.Name = r.str()
		case "language":
			r.object(func(key []byte) bool {
				switch string(key) {
				case "policy":
					return r.into(&t.Language.Policy)
				case "code":
					return r.into(&t.Language.Code)
				}
				return false
			})
		case "components":
			r.array(func(int) { t.Components = append(t.Components, readComponent(r)) })
		default:
			return false
		}
		return true
	})
	if !ok {
		return nil
	}
	return t
}

// readComponent reads one template component.
func readComponent(r *reader) TemplateComponent {
	var tc TemplateComponent
	r.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			tc.Type = r.str()
		case "sub_type":
			tc.SubType = r.str()
		case "index":
			if n, ok := r.integer(); ok {
				i := int(n)
				if int64(i) != n {
					i = -1 // out of range, reported by check
				}
				tc.Index = &i
			}
		case "parameters":
			r.array(func(int) { tc.Parameters = append(tc.Parameters, readParameter(r)) })
		default:
			return false
		}
		return true
	})
	return tc
}

// readParameter reads one template parameter.
func readParameter(r *reader) TemplateParameter {
	var p TemplateParameter
	r.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			return r.into(&p.Type)
		case "text":
			return r.into(&p.Text)
		case "payload":
			return r.into(&p.Payload)
		case "image", "video", "document":
			m := &MediaLink{}
			if r.object(func(key []byte) bool {
				switch string(key) {
				case "link":
					return r.into(&m.Link)
				case "filename":
					return r.into(&m.Filename)
				}
				return false
			}) {
				*p.media(string(key)) = m
			}
			return true
		}
		return false
	})
	return p
}

// media returns the field of media kind ("image", "video" or "document").
func (p *TemplateParameter) media(kind string) **MediaLink {
	switch kind {
	case "image":
		return &p.Image
	case "video":
		return &p.Video
	}
	return &p.Document
}

func (t *WhatsAppTemplate) check(k *checker) {
	k.text("name", t.Name, true, maxWATemplateName, "Template name")
	if t.Name != "" && strings.ContainsFunc(t.Name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
	}) {
		k.addAt("name", herald.VFormat, "Template name may have only lower-case letters, digits and underscores.")
	}
	n := k.enter("language")
	k.oneOf("policy", t.Language.Policy, false, "Language policy", "deterministic")
	k.text("code", t.Language.Code, true, 15, "Language code")
	if t.Language.Code != "" && strings.ContainsFunc(t.Language.Code, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
	}) {
		k.addAt("code", herald.VFormat, "Language code must be like en or en_US.")
	}
	k.leave(n)
	n = k.enter("components")
	for i := range t.Components {
		m := k.enterIndex(i)
		t.Components[i].check(k)
		k.leave(m)
	}
	k.leave(n)
}

func (tc *TemplateComponent) check(k *checker) {
	k.oneOf("type", tc.Type, true, "Component type", "header", "body", "button")
	if tc.Type == "button" {
		k.oneOf("sub_type", tc.SubType, true, "Button sub-type", "quick_reply", "url", "copy_code", "flow", "catalog")
		if tc.Index == nil {
			k.addAt("index", herald.VRequired, "Button index is required.")
		} else if *tc.Index < 0 || *tc.Index > 9 {
			k.addAt("index", herald.VRange, "Button index must be between 0 and 9.")
		}
	} else {
		k.notAllowed("sub_type", tc.SubType != "", "Sub-type applies to button components only.")
		k.notAllowed("index", tc.Index != nil, "Index applies to button components only.")
	}
	n := k.enter("parameters")
	for i := range tc.Parameters {
		m := k.enterIndex(i)
		p := &tc.Parameters[i]
		k.oneOf("type", p.Type, true, "Parameter type", "text", "payload", "image", "video", "document")
		for _, f := range []struct {
			key  string
			set  bool
			kind string
		}{
			{"text", p.Text != "", "text"}, {"payload", p.Payload != "", "payload"},
			{"image", p.Image != nil, "image"}, {"video", p.Video != nil, "video"}, {"document", p.Document != nil, "document"},
		} {
			switch {
			case f.kind == p.Type && !f.set:
				k.addAt(f.key, herald.VRequired, "A %s parameter needs %s.", p.Type, f.key)
			case f.kind != p.Type && f.set && p.Type != "":
				k.addAt(f.key, herald.VUnknown, "%s is not used by %s parameters.", humanize(f.key), p.Type)
			}
		}
		for _, m := range []struct {
			key string
			l   *MediaLink
		}{{"image", p.Image}, {"video", p.Video}, {"document", p.Document}} {
			if m.l != nil {
				o := k.enter(m.key)
				k.webURL("link", m.l.Link, true, "Media link")
				k.leave(o)
			}
		}
		k.leave(m)
	}
	k.leave(n)
}

func (t *WhatsAppTemplate) texts(v *visitor) {
	n := v.enter("components")
	for i := range t.Components {
		m := v.enterIndex(i)
		o := v.enter("parameters")
		for j := range t.Components[i].Parameters {
			p := &t.Components[i].Parameters[j]
			q := v.enterIndex(j)
			v.visit("text", &p.Text, false)
			v.visit("payload", &p.Payload, false)
			for _, ml := range []struct {
				key string
				l   *MediaLink
			}{{"image", p.Image}, {"video", p.Video}, {"document", p.Document}} {
				if ml.l != nil {
					s := v.enter(ml.key)
					v.visit("link", &ml.l.Link, false)
					v.visit("filename", &ml.l.Filename, false)
					v.leave(s)
				}
			}
			v.leave(q)
		}
		v.leave(o)
		v.leave(m)
	}
	v.leave(n)
}

// clone deep-copies a template reference (nil stays nil).
func (t *WhatsAppTemplate) clone() *WhatsAppTemplate {
	if t == nil {
		return nil
	}
	out := *t
	out.Components = cloneSlice(t.Components)
	for i := range out.Components {
		ps := cloneSlice(out.Components[i].Parameters)
		for j := range ps {
			for _, m := range []**MediaLink{&ps[j].Image, &ps[j].Video, &ps[j].Document} {
				if *m != nil {
					cp := **m
					*m = &cp
				}
			}
		}
		out.Components[i].Parameters = ps
	}
	return &out
}
