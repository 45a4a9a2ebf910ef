package smpp

import "sync"

// recentCap bounds the submissions a connection remembers in memory for
// their receipts: at 10,000 messages a second, the last three seconds.
const recentCap = 32768

// recentSubmits remembers which message the SMSC's IDs of a connection's
// latest single-part submissions belong to. A receipt that follows its
// submission closely (a fast SMSC answers within milliseconds) finds its
// message here: looked up in the database, it could come before the
// message's provider ID is committed, and would wait and ask again. An ID
// is added only after the submission's outcome went to the status writer,
// so the receipt's report always follows it there. Receipts of older
// submissions, of multi-part messages and those arriving after a restart
// are matched in the database. The zero value is ready to use.
type recentSubmits struct {
	mu   sync.Mutex
	ids  map[string]string // canonical provider ID -> message ID
	ring []recentSubmit    // the entries in the order added, oldest at next
	next int
}

// recentSubmit is one remembered submission.
type recentSubmit struct{ providerID, messageID string }

// add remembers that the SMSC took messageID under providerID, forgetting
// the oldest submission when full.
func (r *recentSubmits) add(providerID, messageID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = make(map[string]string, recentCap)
		r.ring = make([]recentSubmit, recentCap)
	}
	if old := r.ring[r.next]; old.providerID != "" && r.ids[old.providerID] == old.messageID {
		delete(r.ids, old.providerID)
	}
	r.ids[providerID] = messageID
	r.ring[r.next] = recentSubmit{providerID: providerID, messageID: messageID}
	r.next = (r.next + 1) % recentCap
}

// find returns the message of the first of ids remembered, and forgets it
// when forget is set (the receipt is final).
func (r *recentSubmits) find(ids []string, forget bool) (providerID, messageID string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if m, found := r.ids[id]; found && id != "" {
			if forget {
				delete(r.ids, id)
			}
			return id, m, true
		}
	}
	return "", "", false
}
