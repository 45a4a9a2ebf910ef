package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/smpp"
)

// SMPPStatus reports the SMPP binds of the running process for the system
// owner's SMPP binds page. Its methods are called per request and must be
// safe for concurrent use; either may return nothing.
type SMPPStatus interface {
	// SMPPConnections returns the sessions of every started SMPP client
	// connection.
	SMPPConnections() []SMPPConnection
	// SMPPServerBinds returns the customer binds open on Herald's SMPP
	// server.
	SMPPServerBinds() []smpp.BindInfo
}

// SMPPConnection is one SMPP client connection with its sessions.
type SMPPConnection struct {
	ID       int64
	Name     string
	Sessions []smpp.SessionInfo
}

// errNoSMPPCredentials answers when the store keeps no SMPP credentials.
var errNoSMPPCredentials = herald.Errorf(herald.EUNAVAILABLE, "SMPP credentials are not available in this process.")

// setSMPPDeps takes the SMPP credential store (from Store) and the bind
// status from deps.
func (p *Portal) setSMPPDeps(deps Deps) {
	p.smppCreds, _ = deps.Store.(herald.SMPPCredentialStore)
	p.smppStatus = deps.SMPP
}

// smppCredentialFields are the SMPP credential form's inputs.
func smppCredentialFields() []string {
	return []string{"systemId", "password", "allowedIps", "throughput", "maxBinds", "senderId"}
}

// smppCredentialsData is the data of the SMPP credentials list.
type smppCredentialsData struct {
	Credentials []herald.SMPPCredential
}

// listSMPPCredentials shows the account's SMPP credentials.
func (p *Portal) listSMPPCredentials(w http.ResponseWriter, r *http.Request) {
	if p.smppCreds == nil {
		p.fail(w, r, errNoSMPPCredentials)
		return
	}
	cs, err := p.smppCreds.SMPPCredentials(r.Context(), state(r).User.AccountID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := p.newPage(r, "SMPP accounts")
	pg.Active = "smpp"
	pg.Data = smppCredentialsData{Credentials: cs}
	p.render(w, r, "smpp_credentials", pg)
}

// smppCredentialData is the data of the SMPP credential form.
type smppCredentialData struct {
	Form       *form
	Credential *herald.SMPPCredential // nil for a new one
}

// renderSMPPCredential renders the SMPP credential form.
func (p *Portal) renderSMPPCredential(w http.ResponseWriter, r *http.Request, status int, d *smppCredentialData) {
	title := "New SMPP account"
	if d.Credential != nil {
		title = d.Credential.SystemID
	}
	pg := p.newPage(r, title)
	pg.Active = "smpp"
	pg.Data = d
	p.renderStatus(w, r, status, "smpp_credential", pg)
}

// newSMPPCredential shows an empty SMPP credential form.
func (p *Portal) newSMPPCredential(w http.ResponseWriter, r *http.Request) {
	f := newForm(smppCredentialFields()...)
	f.set("maxBinds", "1")
	p.renderSMPPCredential(w, r, http.StatusOK, &smppCredentialData{Form: f})
}

// smppCredentialFromForm reads the form into c; numbers that do not parse
// are violations of their fields.
func smppCredentialFromForm(r *http.Request, c *herald.SMPPCredential) herald.Violations {
	pf := r.PostForm
	c.SystemID, c.Password, c.SenderID = pf.Get("systemId"), pf.Get("password"), strings.TrimSpace(pf.Get("senderId"))
	c.AllowedIPs = lines(pf.Get("allowedIps"))
	var vs herald.Violations
	number := func(field string, dst *int) {
		s := strings.TrimSpace(pf.Get(field))
		if s == "" {
			*dst = 0
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			vs.Add(field, herald.VFormat, "Enter a whole number, or 0 for no limit.")
			return
		}
		*dst = n
	}
	number("throughput", &c.Throughput)
	number("maxBinds", &c.MaxBinds)
	return vs
}

// saveSMPPCredential validates and hashes c, then creates or updates it.
func (p *Portal) saveSMPPCredential(r *http.Request, c *herald.SMPPCredential, vs herald.Violations) error {
	creating := c.ID == 0
	err := p.auth.PrepareSMPPCredential(c, creating)
	if len(vs) > 0 {
		// Report the unparsable numbers with the other violations.
		return append(vs, herald.ErrorViolations(err)...).Err()
	}
	if err != nil {
		return err
	}
	if creating {
		return p.smppCreds.CreateSMPPCredential(r.Context(), c)
	}
	return p.smppCreds.UpdateSMPPCredential(r.Context(), c)
}

// createSMPPCredential creates SMPP credentials for the account.
func (p *Portal) createSMPPCredential(w http.ResponseWriter, r *http.Request) {
	if p.smppCreds == nil {
		p.fail(w, r, errNoSMPPCredentials)
		return
	}
	f := readForm(r, smppCredentialFields()...)
	c := &herald.SMPPCredential{AccountID: state(r).User.AccountID}
	vs := smppCredentialFromForm(r, c)
	if err := p.saveSMPPCredential(r, c, vs); err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderSMPPCredential(w, r, status, &smppCredentialData{Form: f}) })
		return
	}
	p.redirect(w, r, "/smpp-credentials", "SMPP account "+c.SystemID+" created.")
}

// loadSMPPCredential loads the {id} credential of the user's account; it
// answered the request when ok is false.
func (p *Portal) loadSMPPCredential(w http.ResponseWriter, r *http.Request) (*herald.SMPPCredential, bool) {
	if p.smppCreds == nil {
		p.fail(w, r, errNoSMPPCredentials)
		return nil, false
	}
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	c, err := p.smppCreds.SMPPCredential(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return c, true
}

// editSMPPCredential shows a credential's form; the password is never
// shown.
func (p *Portal) editSMPPCredential(w http.ResponseWriter, r *http.Request) {
	c, ok := p.loadSMPPCredential(w, r)
	if !ok {
		return
	}
	f := newForm(smppCredentialFields()...)
	f.set("systemId", c.SystemID)
	f.set("allowedIps", strings.Join(c.AllowedIPs, "\n"))
	f.set("throughput", strconv.Itoa(c.Throughput))
	f.set("maxBinds", strconv.Itoa(c.MaxBinds))
	f.set("senderId", c.SenderID)
	p.renderSMPPCredential(w, r, http.StatusOK, &smppCredentialData{Form: f, Credential: c})
}

// updateSMPPCredential saves a credential; an empty password keeps the
// current one.
func (p *Portal) updateSMPPCredential(w http.ResponseWriter, r *http.Request) {
	c, ok := p.loadSMPPCredential(w, r)
	if !ok {
		return
	}
	f := readForm(r, smppCredentialFields()...)
	c.PasswordHash = "" // kept by the store unless a new password is set
	vs := smppCredentialFromForm(r, c)
	if err := p.saveSMPPCredential(r, c, vs); err != nil {
		p.formError(w, r, f, err, func(status int) {
			p.renderSMPPCredential(w, r, status, &smppCredentialData{Form: f, Credential: c})
		})
		return
	}
	p.redirect(w, r, "/smpp-credentials", "SMPP account "+c.SystemID+" saved.")
}

// confirmDeleteSMPPCredential asks before deleting a credential.
func (p *Portal) confirmDeleteSMPPCredential(w http.ResponseWriter, r *http.Request) {
	c, ok := p.loadSMPPCredential(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "smpp", confirmData{Heading: "Delete SMPP account",
		Message: "Delete the SMPP account " + c.SystemID + "? New binds with it are refused.",
		Action:  r.URL.Path, Button: "Delete", Cancel: "/smpp-credentials"})
}

// deleteSMPPCredential deletes a credential.
func (p *Portal) deleteSMPPCredential(w http.ResponseWriter, r *http.Request) {
	c, ok := p.loadSMPPCredential(w, r)
	if !ok {
		return
	}
	if err := p.smppCreds.DeleteSMPPCredential(r.Context(), c.AccountID, c.ID); err != nil {
		p.actionFailed(w, r, "/smpp-credentials", err)
		return
	}
	p.redirect(w, r, "/smpp-credentials", "SMPP account "+c.SystemID+" deleted.")
}

// smppBindsData is the data of the SMPP binds page.
type smppBindsData struct {
	Available   bool // the process reports its binds
	Connections []SMPPConnection
	Server      []smpp.BindInfo
	// Waiting are the long messages customers submitted in parts that
	// wait for the rest, shown when ShowWaiting is set.
	Waiting     []waitingSet
	ShowWaiting bool
}

// waitingSet is a long message waiting for its missing parts.
type waitingSet struct {
	SystemID, Source, Dest string
	Parts, Total           int
	Since                  time.Time // its first part's arrival
}

// waitingParts is the store's record of long messages submitted in parts.
type waitingParts interface {
	StaleSMPPSubmitParts(ctx context.Context, before time.Time, limit int) ([]herald.SMPPSubmitPart, error)
}

// waitingShown is how many waiting long messages the page lists.
const waitingShown = 50

// waitingSets groups the parts of the long messages waiting for more
// (their set key is system_id|source|destination|reference|total).
func waitingSets(parts []herald.SMPPSubmitPart) []waitingSet {
	var out []waitingSet
	for i, p := range parts {
		if i > 0 && parts[i-1].SetKey == p.SetKey {
			w := &out[len(out)-1]
			w.Parts++
			if p.At.Before(w.Since) {
				w.Since = p.At
			}
			continue
		}
		f := strings.Split(p.SetKey, "|")
		if len(f) != 5 {
			continue
		}
		out = append(out, waitingSet{SystemID: f[0], Source: f[1], Dest: f[2], Parts: 1, Total: p.Total, Since: p.At})
	}
	return out
}

// smppBinds shows the system owner every SMPP session of this process:
// the client connections' binds and the customers bound to the server.
func (p *Portal) smppBinds(w http.ResponseWriter, r *http.Request) {
	d := smppBindsData{Available: p.smppStatus != nil}
	if p.smppStatus != nil {
		d.Connections = p.smppStatus.SMPPConnections()
		d.Server = p.smppStatus.SMPPServerBinds()
	}
	if wp, ok := p.store.(waitingParts); ok {
		parts, err := wp.StaleSMPPSubmitParts(r.Context(), time.Now().Add(time.Hour), waitingShown)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		d.Waiting, d.ShowWaiting = waitingSets(parts), true
	}
	pg := p.newPage(r, "SMPP binds")
	pg.Active = "smpp-binds"
	pg.Data = d
	p.render(w, r, "smpp_binds", pg)
}
