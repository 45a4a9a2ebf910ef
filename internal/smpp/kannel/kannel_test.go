package kannel

import (
	"strings"
	"testing"
)

// TestRender checks the configuration: one blank line between groups and
// none inside (a blank line ends a Kannel group), and the SMSC settings
// Kannel 1.4.5 requires.
func TestRender(t *testing.T) {
	cfg := GatewayConfig{AdminPort: 13000, BoxPort: 13001, SendsmsPort: 13013, AdminPassword: "bar",
		Username: "u", Password: "p", LogLevel: 4, MOURL: "http://127.0.0.1:1/mo?from=%p",
		SMSCs: []SMSC{
			{ID: "tx", Host: "127.0.0.1", Port: 2775, Transceiver: true, SystemType: "", Username: "k", Password: "s",
				MaxPendingSubmits: 10, EnquireLinkInterval: 30, Extra: []string{"", "msg-id-type = 0x01"}},
			{ID: "tx", Host: "127.0.0.1", ReceivePort: 2775, SystemType: "VMA"},
		}}
	out := cfg.Render("/tmp/logs")
	groups := strings.Split(strings.TrimSuffix(out, "\n"), "\n\n")
	if len(groups) != 6 {
		t.Fatalf("%d groups:\n%s", len(groups), out)
	}
	for _, g := range groups {
		if !strings.HasPrefix(g, "group = ") || strings.Contains(g, "\n\n") {
			t.Errorf("bad group:\n%s", g)
		}
	}
	for _, want := range []string{`system-type = ""`, "transceiver-mode = true", "receive-port = 2775", "msg-id-type = 0x01",
		`get-url = "http://127.0.0.1:1/mo?from=%p"`, `log-file = "/tmp/logs/bearerbox.log"`, "smsbox-port = 13001"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(groups[4], "receive-port") || strings.Contains(groups[5], "port = 2775\n") && !strings.Contains(groups[5], "receive-port") {
		t.Errorf("port and receive-port must be in separate groups:\n%s", out)
	}
}

// TestCounter reads drive_smpp's exit counters.
func TestCounter(t *testing.T) {
	out := "INFO: Number of messages sent to ESME: 12\nINFO: Number of messages sent to SMSC: 3400\n"
	if got := counter(out, "Number of messages sent to SMSC:"); got != 3400 {
		t.Errorf("counter = %d", got)
	}
	if got := counter(out, "missing:"); got != -1 {
		t.Errorf("counter = %d", got)
	}
	if got := smscStates("<gateway><status>running</status><smscs><smsc><status>online 3s</status></smsc><smsc><status>connecting</status></smsc></smscs>"); strings.Join(got, ",") != "online,connecting" {
		t.Errorf("smscStates = %q", got)
	}
}
