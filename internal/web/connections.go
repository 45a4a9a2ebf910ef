package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// Connections are configured by the system owner: a connector type on a
// channel with settings (JSON), secrets (sealed with the server's secret
// box, never shown again) and a throughput limit, assigned to accounts.

// connectionFields are the connection form's inputs. "secrets" is
// write-only: its posted value is never sent back.
func connectionFields() []string {
	return append([]string{"type", "channel", "name", "settings", "secrets", "tps"}, smtpFormFields()...)
}

// connectionsData is the data of the Connections list and form.
type connectionsData struct {
	Connections []herald.Connection
	Conn        *herald.Connection // the edited one; nil for a new one
	Form        *form
	Types       []string
	Channels    []herald.Channel
	Accounts    []herald.Account
	Names       map[int64]string // account names by ID
	SecretKeys  []string         // the names of the stored secrets
	Health      healthView       // the edited connection's health in this process
	InboundURL  string           // the inbound mail webhook, for e-mail connections
	// Unmatched are the latest receipts of an SMPP connection that matched
	// no message, shown when ShowUnmatched is set.
	Unmatched     []herald.UnmatchedReceipt
	ShowUnmatched bool
}

// unmatchedShown is how many of an SMPP connection's unmatched receipts
// its page lists.
const unmatchedShown = 20

// unmatchedReceipts is the store's record of SMPP delivery receipts that
// matched no message.
type unmatchedReceipts interface {
	UnmatchedReceipts(ctx context.Context, connectionID int64, limit int) ([]herald.UnmatchedReceipt, error)
}

// connectionStore returns the store's connection methods or fails.
func (p *Portal) connectionStore(w http.ResponseWriter, r *http.Request) (MessageStore, bool) {
	ms, err := p.messageStore()
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return ms, true
}

// accountNames lists every account (up to a page) with a name lookup.
func (p *Portal) accountNames(r *http.Request, d *connectionsData) error {
	page, err := p.store.ListAccounts(r.Context(), herald.ListQuery{Sort: "name", Limit: herald.MaxPageSize})
	if err != nil {
		return err
	}
	d.Accounts, d.Names = page.Items, map[int64]string{}
	for _, a := range page.Items {
		d.Names[a.ID] = a.Name
	}
	return nil
}

// listConnections shows every connection with its accounts.
func (p *Portal) listConnections(w http.ResponseWriter, r *http.Request) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return
	}
	conns, err := ms.Connections(r.Context())
	d := &connectionsData{Connections: conns}
	if err == nil {
		err = p.accountNames(r, d)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := p.newPage(r, "Connections")
	pg.Active = "connections"
	pg.Data = d
	p.render(w, r, "connections", pg)
}

// connectorTypes returns the registered connector types, or those in use
// and the sandbox when the process has no registry.
func (p *Portal) connectorTypeList(conns []herald.Connection) []string {
	if len(p.connectorTypes) > 0 {
		return p.connectorTypes
	}
	out := []string{herald.ConnectorSandbox}
	for _, c := range conns {
		if !slices.Contains(out, c.Type) {
			out = append(out, c.Type)
		}
	}
	return out
}

// renderConnection renders the connection form.
func (p *Portal) renderConnection(w http.ResponseWriter, r *http.Request, status int, d *connectionsData) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return
	}
	conns, err := ms.Connections(r.Context())
	if err == nil {
		err = p.accountNames(r, d)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Types, d.Channels = p.connectorTypeList(conns), herald.AllChannels()
	if d.Conn != nil {
		d.Health = p.connectionHealth(d.Conn.ID)
	}
	if ur, ok := ms.(unmatchedReceipts); ok && d.Conn != nil && d.Conn.Type == herald.ConnectorSMPP {
		if d.Unmatched, err = ur.UnmatchedReceipts(r.Context(), d.Conn.ID, unmatchedShown); err != nil {
			p.fail(w, r, err)
			return
		}
		d.ShowUnmatched = true
	}
	d.InboundURL = p.inboundMailURL()
	title := "New connection"
	if d.Conn != nil {
		title = d.Conn.Name
	}
	pg := p.newPage(r, title)
	pg.Active = "connections"
	pg.Data = d
	p.renderStatus(w, r, status, "connection", pg)
}

// newConnection shows an empty connection form.
func (p *Portal) newConnection(w http.ResponseWriter, r *http.Request) {
	f := newForm(connectionFields()...)
	f.set("settings", "{}")
	f.set("tps", "0")
	smtpDefaults(f)
	p.renderConnection(w, r, http.StatusOK, &connectionsData{Form: f})
}

// loadConnection loads the {id} connection; it answered when ok is false.
func (p *Portal) loadConnection(w http.ResponseWriter, r *http.Request) (MessageStore, *herald.Connection, bool) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return nil, nil, false
	}
	c, ok := loadByID(p, w, r, ms.Connection)
	return ms, c, ok
}

// editConnection shows a connection's form; secrets show by name only.
func (p *Portal) editConnection(w http.ResponseWriter, r *http.Request) {
	_, c, ok := p.loadConnection(w, r)
	if !ok {
		return
	}
	f := newForm(connectionFields()...)
	f.set("type", c.Type)
	f.set("channel", strconv.Itoa(int(c.Channel)))
	f.set("name", c.Name)
	f.set("settings", string(c.Settings))
	f.set("tps", strconv.Itoa(c.TPS))
	if c.Type == herald.ConnectorSMTP {
		fillSMTPForm(f, c.Settings)
	} else {
		smtpDefaults(f)
	}
	d := &connectionsData{Form: f, Conn: c}
	if keys, err := p.secretKeys(c); err == nil {
		d.SecretKeys = keys
	} else {
		p.log.Warn("opening connection secrets", "connection", c.ID, "err", err)
	}
	p.renderConnection(w, r, http.StatusOK, d)
}

// secretKeys are the names of c's stored secrets, sorted.
func (p *Portal) secretKeys(c *herald.Connection) ([]string, error) {
	if p.box == nil || len(c.SealedSecrets) == 0 {
		return nil, nil
	}
	m, err := p.box.OpenJSON(c.SealedSecrets)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// parseSecrets reads key=value lines; an empty value removes the key.
func parseSecrets(s string, vs *herald.Violations) map[string]string {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			vs.Add("secrets", herald.VFormat, "Line %d is not key=value.", i+1)
			continue
		}
		out[k] = strings.TrimSpace(v)
	}
	return out
}

// connectionFromForm reads the form into c, merging posted secrets into
// the stored ones (sealed again with the server's box).
func (p *Portal) connectionFromForm(f *form, secrets string, smtpSecrets func(string) string, c *herald.Connection) error {
	var vs herald.Violations
	c.Type, c.Name = f.Get("type"), f.Get("name")
	ch, err := strconv.Atoi(f.Get("channel"))
	if err != nil {
		vs.Add("channel", herald.VRequired, "Choose a channel.")
	}
	c.Channel = herald.Channel(ch)
	if c.TPS, err = strconv.Atoi(strings.TrimSpace(f.Get("tps"))); err != nil {
		vs.Add("tps", herald.VFormat, "Throughput must be a whole number of messages per second.")
	}
	settings := strings.TrimSpace(f.Get("settings"))
	var obj map[string]any
	// Validate refuses invalid JSON; an array or a string is valid JSON but no object.
	if settings != "" && json.Valid([]byte(settings)) && json.Unmarshal([]byte(settings), &obj) != nil {
		vs.Add("settings", herald.VFormat, "Settings must be a JSON object.")
	}
	c.Settings = json.RawMessage(settings)
	posted := parseSecrets(secrets, &vs)
	if c.Type == herald.ConnectorSMTP && !vs.Has("settings") {
		var svs herald.Violations
		c.Settings, svs = smtpFromForm(f, smtpSecrets, c.Settings, posted)
		vs = append(vs, svs...)
	}
	if err := c.Validate(); err != nil {
		vs = append(vs, herald.ErrorViolations(err)...)
	}
	if len(vs) > 0 {
		return vs.Err()
	}
	return p.sealSecrets(c, posted)
}

// sealSecrets merges posted into c's stored secrets and seals the result.
func (p *Portal) sealSecrets(c *herald.Connection, posted map[string]string) error {
	if len(posted) == 0 {
		return nil
	}
	if p.box == nil {
		return herald.Violations{{Field: "secrets", Code: herald.VFormat,
			Message: "This process has no secret key; secrets cannot be saved."}}.Err()
	}
	stored, err := p.box.OpenJSON(c.SealedSecrets)
	if err != nil {
		return err
	}
	for k, v := range posted {
		if v == "" {
			delete(stored, k)
		} else {
			stored[k] = v
		}
	}
	c.SealedSecrets, err = p.box.SealJSON(stored)
	return err
}

// createConnection saves a new connection.
func (p *Portal) createConnection(w http.ResponseWriter, r *http.Request) {
	ms, ok := p.connectionStore(w, r)
	if !ok {
		return
	}
	f := readForm(r, connectionFields()...)
	secrets := r.PostForm.Get("secrets")
	f.Values.Del("secrets") // write-only: never sent back
	dropSMTPSecrets(f)
	c := &herald.Connection{}
	err := p.connectionFromForm(f, secrets, r.PostForm.Get, c)
	if err == nil {
		err = ms.CreateConnection(r.Context(), c)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderConnection(w, r, status, &connectionsData{Form: f}) })
		return
	}
	p.redirect(w, r, "/connections/"+strconv.FormatInt(c.ID, 10), "Connection "+c.Name+" created.")
}

// updateConnection saves a connection's fields; secrets not posted stay.
func (p *Portal) updateConnection(w http.ResponseWriter, r *http.Request) {
	ms, c, ok := p.loadConnection(w, r)
	if !ok {
		return
	}
	f := readForm(r, connectionFields()...)
	secrets := r.PostForm.Get("secrets")
	f.Values.Del("secrets") // write-only: never sent back
	dropSMTPSecrets(f)
	err := p.connectionFromForm(f, secrets, r.PostForm.Get, c)
	if err == nil {
		err = ms.UpdateConnection(r.Context(), c)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderConnection(w, r, status, &connectionsData{Form: f, Conn: c}) })
		return
	}
	p.reloadConnection(r, c.ID)
	p.redirect(w, r, "/connections/"+strconv.FormatInt(c.ID, 10), "Connection "+c.Name+" saved.")
}

// assignConnection lets the posted account use the connection, or stops
// it when the path ends in /remove.
func (p *Portal) assignConnection(w http.ResponseWriter, r *http.Request) {
	ms, c, ok := p.loadConnection(w, r)
	if !ok {
		return
	}
	back := "/connections/" + strconv.FormatInt(c.ID, 10)
	acc, err := strconv.ParseInt(r.PostFormValue("account"), 10, 64)
	if err != nil || acc <= 0 {
		p.actionFailed(w, r, back, herald.Errorf(herald.EINVALID, "Choose an account."))
		return
	}
	msg := "Account assigned."
	if strings.HasSuffix(r.URL.Path, "/remove") {
		err, msg = ms.UnassignConnection(r.Context(), c.ID, acc), "Account unassigned."
	} else {
		err = ms.AssignConnection(r.Context(), c.ID, acc)
	}
	if err != nil {
		p.actionFailed(w, r, back, err)
		return
	}
	p.reloadConnection(r, c.ID)
	p.redirect(w, r, back, msg)
}

// reloadConnection makes the running engine reopen connection id. The
// change is saved already, so a failure (closing the old connector) is
// logged, not shown.
func (p *Portal) reloadConnection(r *http.Request, id int64) {
	if p.reloader == nil {
		return
	}
	if err := p.reloader.ReloadConnection(r.Context(), id); err != nil {
		p.log.Warn("reloading connection", "connection", id, "err", err)
	}
}
