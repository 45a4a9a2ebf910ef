package engine

import (
	"encoding/json"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/render"
)

// preparedContent is a step's payload after personalisation.
type preparedContent struct {
	payload  json.RawMessage
	text     string
	encoding string // SMS only
	segments int    // SMS only
}

// prepareContent decodes raw for ch (the channel's fields and limits),
// personalises it with r and checks the result again, now that
// placeholders have values. Violations name fields such as "payload.text",
// under prefix for a chain's steps ("messages[1].").
func prepareContent(ch herald.Channel, raw json.RawMessage, r *render.Renderer, prefix string, vs *herald.Violations) preparedContent {
	c, err := content.Decode(ch, raw)
	if err != nil {
		addViolations(vs, err, prefix)
		return preparedContent{}
	}
	out, err := content.Personalize(c, r.Text, r.HTML)
	if err != nil {
		addViolations(vs, err, prefix)
		return preparedContent{}
	}
	if err := (content.Decoder{}).Check(out); err != nil {
		addViolations(vs, err, prefix)
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
// "template.params.<name>", an attribute "attribute.<name>".
func addViolations(vs *herald.Violations, err error, prefix string) {
	list := herald.ErrorViolations(err)
	if len(list) == 0 {
		vs.Add(prefix+"payload", herald.VFormat, "%s", herald.ErrorMessage(err))
		return
	}
	for _, v := range list {
		field := prefix + v.Field
		if strings.HasPrefix(v.Field, "params.") {
			field = prefix + "template." + v.Field
		}
		vs.Add(field, v.Code, "%s", v.Message)
	}
}
