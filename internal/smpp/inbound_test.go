package smpp

import (
	"testing"

	"github.com/heraldhq/herald/internal/sms"
)

func TestDecodeText(t *testing.T) {
	gsm, _ := sms.EncodeGSM7("Hi € [x]")
	cases := []struct {
		dc     byte
		ud     []byte
		udhLen int
		packed bool
		want   string
	}{
		{0x00, gsm, 0, false, "Hi € [x]"},
		{0x00, sms.PackGSM7(gsm, 0), 0, true, "Hi € [x]"},
		{0x00, sms.PackGSM7(gsm, 6), 6, true, "Hi € [x]"},
		{0x00, sms.PackGSM7([]byte("1234567"), 0), 0, true, "1234567"}, // 7 septets: 7 spare bits
		{0x00, []byte("caf\xe9"), 0, false, "café"},                    // Latin-1 under data_coding 0
		{0x01, []byte("ascii"), 0, false, "ascii"},
		{0x03, []byte("\xe9t\xe9"), 0, false, "été"},
		{0x06, []byte{0xB0, 0xB1}, 0, false, "АБ"}, // ISO-8859-5
		{0x08, []byte{0x04, 0x36}, 0, false, "ж"},
		{0x10, gsm, 0, false, "Hi € [x]"},         // class 0 GSM
		{0x18, []byte{0x04, 0x36}, 0, false, "ж"}, // class 0 UCS-2
		{0xF0, gsm, 0, false, "Hi € [x]"},
		{0xF4, []byte{1, 2}, 0, false, ""},  // 8-bit data
		{0x04, []byte{1, 2}, 0, false, ""},  // binary
		{0x05, []byte("jis"), 0, false, ""}, // no decoder
		{0x24, []byte{1}, 0, false, ""},     // compressed
		{0xC8, gsm, 0, false, "Hi € [x]"},   // message waiting, GSM
		{0xE0, []byte{0x04, 0x36}, 0, false, "ж"},
	}
	for _, tc := range cases {
		got, err := decodeText(tc.dc, tc.ud, tc.udhLen, tc.packed)
		if err != nil || got != tc.want {
			t.Errorf("decodeText(0x%02x, % x, packed %v) = %q, %v; want %q", tc.dc, tc.ud, tc.packed, got, err, tc.want)
		}
	}
	if _, err := decodeText(0x08, []byte{1}, 0, false); err == nil {
		t.Error("odd UCS-2 decoded")
	}
}

func TestStatusNames(t *testing.T) {
	for st, want := range map[Status]string{
		StatusThrottled: "smpp: command_status ESME_RTHROTTLED (Throttling error (ESME has exceeded allowed message limits))",
		Status(0x400):   "smpp: command_status 0x00000400",
		StatusInvCmdLen: "smpp: command_status ESME_RINVCMDLEN (Command Length is invalid)",
	} {
		if st.Error() != want {
			t.Errorf("%d.Error() = %q, want %q", st, st.Error(), want)
		}
	}
	if !StatusThrottled.Temporary() || StatusInvDstAddr.Temporary() || Status(0x400).Temporary() {
		t.Error("Temporary misclassifies")
	}
	if cmdName(0x77) != "command 0x00000077" || cmdName(cmdCancelSMForTest) != "CANCEL_SM" {
		t.Errorf("cmdName: %q %q", cmdName(0x77), cmdName(cmdCancelSMForTest))
	}
}

const cmdCancelSMForTest = 0x00000008
