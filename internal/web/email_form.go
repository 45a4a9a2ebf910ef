package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	smtpconn "github.com/heraldhq/herald/internal/channel/smtp"
)

// The Connections form has typed inputs for e-mail (SMTP) connections,
// named after the settings' JSON keys ("settings.host"), so that the
// violations of smtpconn.ParseSettings land beside them. The password and
// the DKIM key are secrets: written, sealed, never shown again.

// smtpTextFields are the SMTP form's text inputs, by setting key.
func smtpTextFields() []string {
	return []string{"host", "port", "tls", "auth", "username", "helo", "poolSize", "bounceAddress", "fromName", "replyTo",
		"messageIdDomain", "dkimDomain", "dkimSelector", "unsubscribeScope"}
}

// smtpSwitches are the SMTP form's on/off inputs, by setting key.
func smtpSwitches() []string {
	return []string{"tlsInsecure", "verp", "trackOpens", "trackClicks", "unsubscribe"}
}

// smtpSecretFields are the SMTP form's write-only inputs.
func smtpSecretFields() []string {
	return []string{"secrets." + smtpconn.SecretPassword, "secrets." + smtpconn.SecretDKIMKey}
}

// smtpFormFields lists every SMTP input of the form.
func smtpFormFields() []string {
	var out []string
	for _, k := range smtpTextFields() {
		out = append(out, "settings."+k)
	}
	for _, k := range smtpSwitches() {
		out = append(out, "settings."+k)
	}
	return append(append(out, "settings.fromNames"), smtpSecretFields()...)
}

// smtpDefaults fills a new connection's SMTP inputs.
func smtpDefaults(f *form) {
	f.set("settings.tls", smtpconn.TLSStartTLS)
	f.set("settings.port", "587")
	f.set("settings.poolSize", "4")
	f.set("settings.unsubscribeScope", smtpconn.ScopeSender)
	for _, k := range []string{"verp", "trackOpens", "trackClicks", "unsubscribe"} {
		f.set("settings."+k, "on")
	}
}

// fillSMTPForm shows a connection's SMTP settings in the inputs.
func fillSMTPForm(f *form, raw json.RawMessage) {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	for _, k := range smtpTextFields() {
		switch v := m[k].(type) {
		case string:
			f.set("settings."+k, v)
		case float64:
			f.set("settings."+k, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	for _, k := range smtpSwitches() {
		v, set := m[k].(bool)
		if v || (!set && k != "tlsInsecure") {
			f.set("settings."+k, "on")
		}
	}
	if names, ok := m["fromNames"].(map[string]any); ok {
		var lines []string
		for addr, name := range names {
			lines = append(lines, fmt.Sprintf("%s=%v", addr, name))
		}
		sort.Strings(lines)
		f.set("settings.fromNames", strings.Join(lines, "\n"))
	}
}

// smtpFromForm returns the settings of the SMTP inputs, checked, and adds
// the posted password and DKIM key to posted (secrets to seal). Other
// settings already stored in old (set through the API) are kept.
func smtpFromForm(f *form, post func(string) string, old json.RawMessage, posted map[string]string) (json.RawMessage, herald.Violations) {
	m := map[string]any{}
	_ = json.Unmarshal(old, &m)
	var vs herald.Violations
	for _, k := range smtpTextFields() {
		v := strings.TrimSpace(f.Get("settings." + k))
		delete(m, k)
		switch {
		case v == "":
		case k == "port" || k == "poolSize":
			n, err := strconv.Atoi(v)
			if err != nil {
				vs.Add("settings."+k, herald.VFormat, "Enter a whole number.")
			}
			m[k] = n
		default:
			m[k] = v
		}
	}
	for _, k := range smtpSwitches() {
		m[k] = f.Get("settings."+k) != ""
	}
	names, nvs := parseFromNames(f.Get("settings.fromNames"))
	vs = append(vs, nvs...)
	if delete(m, "fromNames"); len(names) > 0 {
		m["fromNames"] = names
	}
	raw, _ := json.Marshal(m) // strings, numbers and booleans always encode
	if len(vs) == 0 {
		if _, err := smtpconn.ParseSettings(raw); err != nil {
			vs = append(vs, herald.ErrorViolations(err)...)
		}
	}
	for _, k := range smtpSecretFields() {
		if v := strings.TrimSpace(post(k)); v != "" {
			posted[strings.TrimPrefix(k, "secrets.")] = v
		}
	}
	return raw, vs
}

// parseFromNames reads "address=Display name" lines.
func parseFromNames(s string) (map[string]string, herald.Violations) {
	out := map[string]string{}
	var vs herald.Violations
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		addr, name, ok := strings.Cut(line, "=")
		if !ok || !strings.Contains(addr, "@") {
			vs.Add("settings.fromNames", herald.VFormat, "Line %d is not address=Display name.", i+1)
			continue
		}
		out[strings.ToLower(strings.TrimSpace(addr))] = strings.TrimSpace(name)
	}
	return out, vs
}

// dropSMTPSecrets removes the posted SMTP secrets from the form's values:
// write-only, never sent back.
func dropSMTPSecrets(f *form) {
	for _, k := range smtpSecretFields() {
		f.Values.Del(k)
	}
}

// option is one choice of a select.
type option struct{ Value, Label string }

// smtpTLSModes are the choices of the encryption select.
func smtpTLSModes() []option {
	return []option{{smtpconn.TLSStartTLS, "STARTTLS (required)"}, {smtpconn.TLSImplicit, "TLS (implicit, port 465)"},
		{smtpconn.TLSOpportunistic, "STARTTLS when offered"}, {smtpconn.TLSNone, "None (loopback relays only)"}}
}

// smtpAuthModes are the choices of the authentication select.
func smtpAuthModes() []option {
	return []option{{"", "Automatic (PLAIN with a password)"}, {smtpconn.AuthPlain, "PLAIN"}, {smtpconn.AuthLogin, "LOGIN"},
		{smtpconn.AuthCRAMMD5, "CRAM-MD5"}, {smtpconn.AuthNone, "None"}}
}
