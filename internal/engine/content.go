package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/render"
)

// preparedContent is a step's payload after personalisation.
type preparedContent struct {
	payload json.RawMessage
	// content is the payload decoded, for herald.Message.Content: a
	// content.Content the same as decoding payload (see personalize), or
	// a *content.EmailFill without a payload (see bulkStep.firstContent).
	content  any
	text     string
	encoding string // SMS only
	segments int    // SMS only
}

// prepareContent decodes raw for ch (the channel's fields and limits),
// personalises it with r and checks the result again, now that
// placeholders have values. Violations name fields such as "payload.text",
// under prefix for a chain's steps ("messages[1].").
//
// A template's content (template set) is personalised strictly: a
// placeholder with no value in the params (nor, for an attribute, in the
// contact) is a violation of "template.params.<name>", and the content's
// own faults name "template.payload...".
func prepareContent(ch herald.Channel, raw json.RawMessage, r *render.Renderer, prefix string, template bool, vs *herald.Violations) preparedContent {
	c, err := content.Decode(ch, raw)
	if err != nil {
		addViolations(vs, err, prefix, template)
		return preparedContent{}
	}
	out, err := content.Personalize(c, r.Text, r.HTML)
	if err != nil {
		addViolations(vs, err, prefix, template)
		return preparedContent{}
	}
	if err := (content.Decoder{}).Check(out); err != nil {
		addViolations(vs, err, prefix, template)
		return preparedContent{}
	}
	payload, err := json.Marshal(out)
	if err != nil {
		vs.Add(prefix+"payload", herald.VFormat, "The payload cannot be encoded: %s.", err.Error())
		return preparedContent{}
	}
	pc := preparedContent{payload: payload, text: out.Text()}
	if s, ok := out.(*content.SMS); ok {
		pc.encoding, pc.segments = string(s.Info.Encoding), s.Info.Segments
	}
	return pc
}

// addViolations adds the violations of a content or personalisation error
// under prefix: a missing template parameter names
// "template.params.<name>", an attribute "attribute.<name>". For a
// template's content (template set) a missing attribute is a missing
// parameter too, "template.params.attribute.<name>", and the content's
// fields are under "template.payload".
func addViolations(vs *herald.Violations, err error, prefix string, template bool) {
	list := herald.ErrorViolations(err)
	if len(list) == 0 {
		field := "payload"
		if template {
			field = "template.payload"
		}
		vs.Add(prefix+field, herald.VFormat, "%s", herald.ErrorMessage(err))
		return
	}
	for _, v := range list {
		field, msg := prefix+v.Field, v.Message
		switch {
		case strings.HasPrefix(v.Field, "params."):
			field = prefix + "template." + v.Field
			if template {
				msg = fmt.Sprintf("The template needs a value for %q: give it in template.params.", strings.TrimPrefix(v.Field, "params."))
			}
		case template && strings.HasPrefix(v.Field, "attribute."):
			field = prefix + "template.params." + v.Field
			msg = fmt.Sprintf("The template needs a value for %q: the contact has none, so give it in template.params.", v.Field)
		case template && (v.Field == "payload" || strings.HasPrefix(v.Field, "payload.") || strings.HasPrefix(v.Field, "payload[")):
			field = prefix + "template." + v.Field
		}
		vs.Add(field, v.Code, "%s", msg)
	}
}
