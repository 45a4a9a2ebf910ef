package api

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// smppPreparer validates a credential and hashes its password (argon2id);
// *auth.Service implements it.
type smppPreparer interface {
	PrepareSMPPCredential(c *herald.SMPPCredential, creating bool) error
}

// errNoSMPP answers when the process was built without credential storage.
var errNoSMPP = herald.Errorf(herald.EUNAVAILABLE, "SMPP credentials are not available in this process.")

func (h *Handler) smppRoutes() []Route {
	s := herald.ScopeAdmin
	return []Route{
		{Method: "GET", Path: Prefix + "/smpp-credentials", Scope: s, Summary: "List the account's SMPP credentials", handle: h.listSMPPCredentials},
		{Method: "POST", Path: Prefix + "/smpp-credentials", Scope: s, Create: true, Summary: "Create SMPP credentials for binding to Herald's SMPP server", handle: h.createSMPPCredential},
		{Method: "GET", Path: Prefix + "/smpp-credentials/{id}", Scope: s, Summary: "Get SMPP credentials (without the password)", handle: h.getSMPPCredential},
		{Method: "PATCH", Path: Prefix + "/smpp-credentials/{id}", Scope: s, Summary: "Change SMPP credentials; a password replaces the old one", handle: h.updateSMPPCredential},
		{Method: "DELETE", Path: Prefix + "/smpp-credentials/{id}", Scope: s, Summary: "Delete SMPP credentials; new binds with them fail", handle: h.deleteSMPPCredential},
	}
}

// smppCredentialInput is the body of POST and PATCH /smpp-credentials.
// Password is write-only: answers never carry it.
type smppCredentialInput struct {
	SystemID   *string   `json:"systemId"`
	Password   *string   `json:"password"`
	AllowedIPs *[]string `json:"allowedIps"`
	Throughput *int      `json:"throughput"`
	MaxBinds   *int      `json:"maxBinds"`
	SenderID   *string   `json:"senderId"`
}

// apply copies the fields present in the input to c.
func (in smppCredentialInput) apply(c *herald.SMPPCredential) {
	if in.SystemID != nil {
		c.SystemID = *in.SystemID
	}
	if in.Password != nil {
		c.Password = *in.Password
	}
	if in.AllowedIPs != nil {
		c.AllowedIPs = *in.AllowedIPs
	}
	if in.Throughput != nil {
		c.Throughput = *in.Throughput
	}
	if in.MaxBinds != nil {
		c.MaxBinds = *in.MaxBinds
	}
	if in.SenderID != nil {
		c.SenderID = *in.SenderID
	}
}

// smpp returns the credential store and the password hasher, or errNoSMPP.
// Both are found on Deps.Store and Deps.Auth by type assertion, so that the
// Store and Auth interfaces stay as they are for every other resource.
func (h *Handler) smpp() (herald.SMPPCredentialStore, smppPreparer, error) {
	st, ok := h.deps.Store.(herald.SMPPCredentialStore)
	prep, ok2 := h.deps.Auth.(smppPreparer)
	if !ok || !ok2 {
		return nil, nil, errNoSMPP
	}
	return st, prep, nil
}

func (h *Handler) listSMPPCredentials(w http.ResponseWriter, r *http.Request, c *call) error {
	st, _, err := h.smpp()
	if err != nil {
		return err
	}
	cs, err := st.SMPPCredentials(r.Context(), c.key.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(herald.Page[herald.SMPPCredential]{Items: cs}))
}

func (h *Handler) createSMPPCredential(w http.ResponseWriter, r *http.Request, c *call) error {
	st, prep, err := h.smpp()
	if err != nil {
		return err
	}
	var in smppCredentialInput
	if err := decode(r, &in); err != nil {
		return err
	}
	cr := &herald.SMPPCredential{AccountID: c.key.AccountID}
	in.apply(cr)
	if err := prep.PrepareSMPPCredential(cr, true); err != nil {
		return err
	}
	if err := st.CreateSMPPCredential(r.Context(), cr); err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/smpp-credentials/"+itoa(cr.ID))
	return writeJSON(w, http.StatusCreated, cr)
}

func (h *Handler) getSMPPCredential(w http.ResponseWriter, r *http.Request, c *call) error {
	st, _, err := h.smpp()
	if err != nil {
		return err
	}
	return getByID(w, r, c.key.AccountID, st.SMPPCredential)
}

func (h *Handler) updateSMPPCredential(w http.ResponseWriter, r *http.Request, c *call) error {
	st, prep, err := h.smpp()
	if err != nil {
		return err
	}
	return patch(w, r, c.key.AccountID, st.SMPPCredential, func(in smppCredentialInput, cr *herald.SMPPCredential) error {
		in.apply(cr)
		// The stored hash is kept unless a new password was given.
		cr.PasswordHash = ""
		return prep.PrepareSMPPCredential(cr, false)
	}, st.UpdateSMPPCredential)
}

func (h *Handler) deleteSMPPCredential(w http.ResponseWriter, r *http.Request, c *call) error {
	st, _, err := h.smpp()
	if err != nil {
		return err
	}
	return deleteByID(w, r, c.key.AccountID, st.DeleteSMPPCredential)
}
