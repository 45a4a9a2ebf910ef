package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/jsonw"
	"github.com/heraldhq/herald/internal/problem"
)

// maxBatch is how many messages one POST /messages/batch may carry.
const maxBatch = 1000

// batchInput is the body of POST /messages/batch.
type batchInput struct {
	Messages []json.RawMessage `json:"messages"`
}

// batchItem is the answer for one message of a batch: its ID, or the
// problem that kept it out.
type batchItem struct {
	Index   int              `json:"index"`
	Status  int              `json:"status"`
	ID      string           `json:"id,omitempty"`
	Problem *problem.Problem `json:"problem,omitempty"`
}

// sendBatch accepts up to maxBatch messages, each shaped as the body of
// POST /messages and checked on its own; the good ones commit together.
// The answer is 202 with one item per message (202 and the message ID, or
// the status and problem of that message) when at least one is accepted,
// else the problem: 422 naming each message's fields as
// messages[i].field, or 503 when the service is stopping.
func (h *Handler) sendBatch(w http.ResponseWriter, r *http.Request, c *call) error {
	bs, ok := h.deps.Messages.(herald.BatchSender)
	if !ok {
		return errNoMessaging
	}
	var in batchInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if len(in.Messages) == 0 || len(in.Messages) > maxBatch {
		return herald.Violations{{Field: "messages", Code: herald.VRange,
			Message: fmt.Sprintf("Send from 1 to %d messages in one batch.", maxBatch)}}.Err()
	}
	reqs := make([]*herald.SendRequest, 0, len(in.Messages))
	at := make([]int, 0, len(in.Messages))
	errs := make([]error, len(in.Messages))
	for i, raw := range in.Messages {
		var m messageInput
		if err := decodeJSON(raw, &m); err != nil {
			errs[i] = err
			continue
		}
		reqs = append(reqs, m.sendRequest(c))
		at = append(at, i)
	}
	msgs, sendErrs := bs.SendBatch(r.Context(), reqs)
	ids := make([]string, len(in.Messages))
	accepted := 0
	for j, i := range at {
		if errs[i] = sendErrs[j]; errs[i] == nil {
			ids[i] = msgs[j].ID
			accepted++
		}
	}
	if accepted == 0 {
		return batchRefused(errs)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusAccepted)
	_, err := w.Write(appendBatchAnswer(nil, ids, errs))
	return err
}

// sendRequest builds the engine's request of one message for the calling key.
func (in *messageInput) sendRequest(c *call) *herald.SendRequest {
	var vs herald.Violations
	req := in.sendFields.request(c, &vs)
	req.Steps = []herald.SendStep{{Channel: parseChannel(in.Channel, "channel", &vs), SenderID: in.SenderID,
		Payload: in.Payload, Template: in.Template.ref()}}
	req.Violations = vs
	return req
}

// batchRefused is the error of a batch none of whose messages was
// accepted: unavailable when every message met that, else invalid with
// each message's violations under messages[i].
func batchRefused(errs []error) error {
	unavailable := true
	var vs herald.Violations
	for i, err := range errs {
		code := herald.ErrorCode(err)
		if code != herald.EUNAVAILABLE {
			unavailable = false
		}
		if code == herald.EINTERNAL {
			return err
		}
		prefix := "messages[" + strconv.Itoa(i) + "]"
		if own := herald.ErrorViolations(err); len(own) > 0 {
			for _, v := range own {
				v.Field = prefix + "." + v.Field
				vs = append(vs, v)
			}
			continue
		}
		vs = append(vs, herald.Violation{Field: prefix, Code: code, Message: herald.ErrorMessage(err)})
	}
	if unavailable {
		return errs[0]
	}
	return vs.Err()
}

// appendBatchAnswer appends the JSON answer of an accepted batch to b:
// {"accepted":n,"items":[…]} with one batchItem per message. Accepted
// items, the many, are written directly; the others through
// encoding/json. It writes what json.Marshal of batchAnswer would
// (checked by a test).
func appendBatchAnswer(b []byte, ids []string, errs []error) []byte {
	accepted := 0
	for _, id := range ids {
		if id != "" {
			accepted++
		}
	}
	b = append(b, `{"accepted":`...)
	b = jsonw.Int(b, int64(accepted))
	b = append(b, `,"items":[`...)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		if id == "" {
			p := problem.From(errs[i])
			item, _ := json.Marshal(batchItem{Index: i, Status: p.Status, Problem: &p}) // plain fields always encode
			b = append(b, item...)
			continue
		}
		b = append(b, `{"index":`...)
		b = jsonw.Int(b, int64(i))
		b = append(b, `,"status":202,"id":`...)
		b = jsonw.String(b, id)
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}

// batchAnswer is the answer appendBatchAnswer writes.
type batchAnswer struct {
	Accepted int         `json:"accepted"`
	Items    []batchItem `json:"items"`
}
