package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/heraldhq/herald"
)

func (h *Handler) omniMessageRoutes() []Route {
	return []Route{
		{Method: "POST", Path: Prefix + "/omnimessages", Scope: herald.ScopeOmniAPI, Create: true,
			Summary: "Send a fallback chain: each message is sent when the one before does not succeed in time", handle: h.sendOmniMessage},
	}
}

// stepInput is one message of an omnimessage chain.
type stepInput struct {
	Channel          json.RawMessage `json:"channel"`
	SenderID         string          `json:"senderId"`
	Payload          json.RawMessage `json:"payload"`
	Template         *templateInput  `json:"template"`
	SuccessCriterion string          `json:"successCriterion"` // submit, delivery or display
	WaitingTime      *int64          `json:"waitingTime"`      // seconds
}

// omniInput is the body of POST /omnimessages.
type omniInput struct {
	sendFields
	Messages []stepInput `json:"messages"`
}

// omniAnswer is the answer to an omnimessage: its first message, whose ID
// is also the chain's.
type omniAnswer struct {
	*herald.Message
	Steps int `json:"steps"`
}

func (h *Handler) sendOmniMessage(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.deps.Messages == nil {
		return errNoMessaging
	}
	var in omniInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var vs herald.Violations
	req := in.request(c, &vs)
	req.Chain = true
	for i, s := range in.Messages {
		p := fmt.Sprintf("messages[%d].", i)
		step := herald.SendStep{Channel: parseChannel(s.Channel, p+"channel", &vs), SenderID: s.SenderID,
			Payload: s.Payload, Template: s.Template.ref(), Criterion: herald.Criterion(s.SuccessCriterion)}
		if s.WaitingTime != nil {
			step.WaitingTime = time.Duration(*s.WaitingTime) * time.Second
		}
		req.Steps = append(req.Steps, step)
	}
	req.Violations = vs
	m, err := h.deps.Messages.Send(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/messages/"+m.ID)
	return writeJSON(w, http.StatusAccepted, omniAnswer{Message: m, Steps: len(req.Steps)})
}
