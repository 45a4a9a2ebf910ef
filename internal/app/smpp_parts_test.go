package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/storetest"
)

// rawESME is a customer's SMPP client that writes the PDUs it is given
// (with gosmpp's codec) and reads the answers, for parts no client would
// send on purpose: out of order, again, or never the last.
type rawESME struct {
	t   *testing.T
	c   net.Conn
	r   *bufio.Reader
	seq int32
}

// bindRaw binds to addr as a transmitter.
func bindRaw(t *testing.T, addr, systemID, password string) *rawESME {
	t.Helper()
	return bindRawAs(t, addr, systemID, password, pdu.Transmitter)
}

// bindRawAs binds to addr as mode.
func bindRawAs(t *testing.T, addr, systemID, password string, mode pdu.BindingType) *rawESME {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	e := &rawESME{t: t, c: c, r: bufio.NewReader(c)}
	b := pdu.NewBindRequest(mode)
	b.SystemID, b.Password, b.SystemType = systemID, password, "test"
	if resp := e.do(b); resp.GetHeader().CommandStatus != data.ESME_ROK {
		t.Fatalf("bind: %v", resp.GetHeader().CommandStatus)
	}
	return e
}

// do writes p and returns the answer.
func (e *rawESME) do(p pdu.PDU) pdu.PDU {
	e.t.Helper()
	e.seq++
	p.SetSequenceNumber(e.seq)
	b := pdu.NewBuffer(nil)
	p.Marshal(b)
	if err := e.c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.c.Write(b.Bytes()); err != nil {
		e.t.Fatal(err)
	}
	resp, err := pdu.Parse(e.r)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// part submits part seq of total of the message ref to dest with an 8-bit
// reference UDH, and returns the message_id answered.
func (e *rawESME) part(dest string, ref, seq, total byte, text string) string {
	e.t.Helper()
	resp := e.submitPart(dest, ref, seq, total, text)
	if resp.GetHeader().CommandStatus != data.ESME_ROK || resp.MessageID == "" {
		e.t.Fatalf("part %d of %d: %+v", seq, total, resp)
	}
	return resp.MessageID
}

// submitPart submits a part as part does and returns the answer.
func (e *rawESME) submitPart(dest string, ref, seq, total byte, text string) *pdu.SubmitSMResp {
	e.t.Helper()
	sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
	sm.SourceAddr, _ = pdu.NewAddressWithTonNpiAddr(5, 0, "sandbox")
	sm.DestAddr, _ = pdu.NewAddressWithTonNpiAddr(1, 1, dest)
	sm.EsmClass, sm.RegisteredDelivery = data.SM_UDH_GSM, 1
	ud := append([]byte{5, 0x00, 3, ref, total, seq}, text...)
	if err := sm.Message.SetMessageDataWithEncoding(ud, data.NewCustomEncoding(data.GSM7BITCoding, nil)); err != nil {
		e.t.Fatal(err)
	}
	resp, ok := e.do(sm).(*pdu.SubmitSMResp)
	if !ok {
		e.t.Fatalf("part %d of %d: answered %+v", seq, total, resp)
	}
	return resp
}

// deliverSM reads the next deliver_sm, acknowledges it and returns its text.
func (e *rawESME) deliverSM() string {
	e.t.Helper()
	if err := e.c.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		e.t.Fatal(err)
	}
	for {
		p, err := pdu.Parse(e.r)
		if err != nil {
			e.t.Fatal(err)
		}
		d, ok := p.(*pdu.DeliverSM)
		if !ok {
			continue
		}
		b := pdu.NewBuffer(nil)
		d.GetResponse().Marshal(b)
		if _, err := e.c.Write(b.Bytes()); err != nil {
			e.t.Fatal(err)
		}
		text, err := d.Message.GetMessage()
		if err != nil {
			e.t.Fatal(err)
		}
		return text
	}
}

// TestSMPPServerJoinsParts submits long messages in parts to Herald's SMPP
// server: parts out of order make one message of the whole text, a part
// sent again after it is answered with its first message_id and sends
// nothing, and parts whose last never comes are sent without it once
// HERALD_SMPP_PARTS_WAIT has passed.
func TestSMPPServerJoinsParts(t *testing.T) {
	env := smppEnv(t)
	env["HERALD_SMPP_ADDR"], env["HERALD_SMPP_PARTS_WAIT"] = "127.0.0.1:0", "300ms"
	m, _ := startMain(t, env)
	customer := addCustomer(t, m, "Parts customer", "parts", "secret")
	e := bindRaw(t, m.SMPP.Addr(), "parts", "secret")

	ids := map[string]bool{}
	for _, p := range []struct {
		seq  byte
		text string
	}{{2, "BBB "}, {1, "AAA "}, {3, "CCC"}} {
		ids[e.part("46700000201", 7, p.seq, 3, p.text)] = true
	}
	last := e.part("46700000201", 7, 1, 3, "AAA ") // sent again
	if len(ids) != 3 || !ids[last] {
		t.Errorf("message_ids %v, the part sent again got %s", ids, last)
	}
	e.part("46700000202", 8, 1, 3, "one ")
	e.part("46700000202", 8, 2, 3, "two")

	texts := customerTexts(t, m, customer.ID, 2)
	sort.Strings(texts)
	if len(texts) != 2 || texts[0] != "AAA BBB CCC" || texts[1] != "one two" {
		t.Errorf("customer's messages %q, want the whole text once and the incomplete one", texts)
	}

	// The missing part, late: sent on its own, the rest not again.
	e.part("46700000202", 8, 3, 3, " three")
	texts = customerTexts(t, m, customer.ID, 3)
	sort.Strings(texts)
	if len(texts) != 3 || texts[0] != " three" {
		t.Errorf("customer's messages after the late part %q, want it on its own", texts)
	}
}

// TestSMPPServerRejectsParts submits a long message whose destination
// Herald refuses in parts, and never its last: once HERALD_SMPP_PARTS_WAIT
// has passed, each part gets a REJECTD receipt, and a part sent again is
// refused.
func TestSMPPServerRejectsParts(t *testing.T) {
	env := smppEnv(t)
	env["HERALD_SMPP_ADDR"], env["HERALD_SMPP_PARTS_WAIT"] = "127.0.0.1:0", "300ms"
	m, _ := startMain(t, env)
	customer := addCustomer(t, m, "Parts customer", "parts", "secret")
	e := bindRawAs(t, m.SMPP.Addr(), "parts", "secret", pdu.Transceiver)
	ids := []string{e.part("12", 9, 1, 3, "one "), e.part("12", 9, 2, 3, "two")}
	got := map[string]bool{}
	for range ids {
		r := e.deliverSM()
		if !strings.Contains(r, "stat:REJECTD") {
			t.Errorf("receipt %q, want REJECTD", r)
		}
		for _, id := range ids {
			if strings.Contains(r, "id:"+id+" ") {
				got[id] = true
			}
		}
	}
	if len(got) != len(ids) {
		t.Errorf("receipts for %v, want %v", got, ids)
	}
	if resp := e.submitPart("12", 9, 1, 3, "one "); resp.GetHeader().CommandStatus != data.ESME_RSUBMITFAIL {
		t.Errorf("a rejected part sent again: %v, want ESME_RSUBMITFAIL", resp.GetHeader().CommandStatus)
	}
	if page, err := m.Store.ListMessages(context.Background(), customer.ID, herald.ListQuery{Limit: 10}); err != nil || len(page.Items) != 0 {
		t.Errorf("messages %+v %v, want none", page, err)
	}
}

// customerTexts waits until account has want messages (at most 20 s), and
// a moment more for any beyond, and returns their texts.
func customerTexts(t *testing.T, m *app.Main, account int64, want int) []string {
	t.Helper()
	var texts []string
	deadline, more := time.Now().Add(20*time.Second), time.Time{}
	for ; ; time.Sleep(50 * time.Millisecond) {
		page, err := m.Store.ListMessages(context.Background(), account, herald.ListQuery{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		texts = texts[:0]
		for _, msg := range page.Items {
			var p struct{ Text string }
			_ = json.Unmarshal(msg.Payload, &p)
			texts = append(texts, p.Text)
		}
		if len(texts) >= want && more.IsZero() {
			more = time.Now().Add(500 * time.Millisecond)
		}
		if !more.IsZero() && time.Now().After(more) || time.Now().After(deadline) {
			return texts
		}
	}
}

// TestSMPPServerPartsAcrossProcesses runs two Herald processes on one
// PostgreSQL database and a customer bound to both that sends the last part
// of each long message to both at once (sent again on its second bind, as a
// customer does after a timeout): each message is sent once, whole.
func TestSMPPServerPartsAcrossProcesses(t *testing.T) {
	url := storetest.EmptyPostgresURL(t)
	env := func() map[string]string {
		return map[string]string{"HERALD_DATA_DIR": t.TempDir(), "HERALD_DATABASE_URL": url, "HERALD_SMPP_ADDR": "127.0.0.1:0"}
	}
	m1, _ := startMain(t, env())
	customer := addCustomer(t, m1, "Parts customer", "parts", "secret")
	m2, _ := startMain(t, env())
	e1, e2 := bindRaw(t, m1.SMPP.Addr(), "parts", "secret"), bindRaw(t, m2.SMPP.Addr(), "parts", "secret")

	const n = 20
	for ref := range byte(n) {
		dest := fmt.Sprintf("467000003%02d", ref)
		id1 := e1.part(dest, ref, 1, 3, "AAA ")
		id2 := e1.part(dest, ref, 2, 3, "BBB ")
		var last [2]string
		var wg sync.WaitGroup
		for i, e := range []*rawESME{e1, e2} {
			wg.Go(func() { last[i] = e.part(dest, ref, 3, 3, "CCC") })
		}
		wg.Wait()
		if last[0] != last[1] || last[0] == id1 || last[0] == id2 {
			t.Errorf("message %d: the last part's message_ids %v, the others' %s %s", ref, last, id1, id2)
		}
	}
	texts := customerTexts(t, m1, customer.ID, n)
	whole := 0
	for _, text := range texts {
		if text == "AAA BBB CCC" {
			whole++
		}
	}
	if len(texts) != n || whole != n {
		t.Errorf("%d messages, %d of them whole; want %d whole: %q", len(texts), whole, n, texts)
	}
}
