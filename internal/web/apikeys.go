package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// apiKeysTable is the API Accesses list.
func apiKeysTable() tableSpec {
	return tableSpec{ID: "apikeys", Path: "/apikeys", Columns: herald.APIKeyColumns()}
}

// listAPIKeys shows the API Accesses table.
func (p *Portal) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	t, q, ok := p.beginTable(w, r, apiKeysTable())
	if !ok {
		return
	}
	pg := p.newPage(r, "API Accesses")
	pg.Active = "apikeys"
	t.Empty = "No API accesses yet. Create one to let a program call the API."
	if t.Err == "" {
		list, err := p.store.ListAPIKeys(r.Context(), state(r).User.AccountID, q)
		if err == nil {
			fillTable(t, r, list, func(k *herald.APIKey) (map[string]cell, []rowAction, *detailTable) {
				return apiKeyCells(pg, k), apiKeyActions(k), nil
			})
		} else if p.listFailed(w, r, t, err) {
			return
		}
	}
	pg.Data = t
	p.render(w, r, "apikeys", pg)
}

// apiKeyCells are the cells of one key.
func apiKeyCells(pg *page, k *herald.APIKey) map[string]cell {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	return map[string]cell{
		"id":         {Text: strconv.FormatInt(k.ID, 10), Mono: true},
		"name":       {Text: k.Name, Href: "/apikeys/" + strconv.FormatInt(k.ID, 10)},
		"prefix":     {Text: k.Prefix + "…", Mono: true},
		"scopes":     {Chips: scopes},
		"webhookUrl": {Text: k.WebhookURL, Muted: true},
		"allowedIps": {Text: strings.Join(k.AllowedIPs, ", "), Mono: true},
		"lastUsedAt": {Text: pg.TimePtr(k.LastUsedAt)},
		"createdAt":  {Text: pg.Time(k.CreatedAt)},
	}
}

// apiKeyActions are a key's row buttons.
func apiKeyActions(k *herald.APIKey) []rowAction {
	href := "/apikeys/" + strconv.FormatInt(k.ID, 10)
	return []rowAction{
		{Label: "Edit", Icon: "edit", Href: href},
		{Label: "Webhook", Icon: "refresh", Href: href + "/webhook"},
		{Label: "Delete", Icon: "trash", Href: href + "/delete", Danger: true,
			Confirm: "Delete the API access " + k.Name + "? Programs using its key stop working at once."},
	}
}

// apiKeyData is the data of the API key form.
type apiKeyData struct {
	Form   *form
	Key    *herald.APIKey // nil for a new key
	Secret string         // the full key, right after creation only
	Scopes []scopeInfo
}

// scopeInfo is a scope checkbox with its explanation.
type scopeInfo struct {
	Scope herald.Scope
	Text  string
}

// scopeInfos explains every scope.
func scopeInfos() []scopeInfo {
	text := map[herald.Scope]string{
		herald.ScopeRecipients: "Contacts, attributes, tags, targets and imports",
		herald.ScopeBroadcast:  "Broadcasts and their templates",
		herald.ScopeCRM:        "Conversations",
		herald.ScopeOmniAPI:    "Sending messages and 2FA codes",
		herald.ScopeDIDs:       "Sender IDs and numbers",
		herald.ScopeAdmin:      "Users, roles, API accesses and the audit log",
	}
	var out []scopeInfo
	for _, s := range herald.AllScopes() {
		out = append(out, scopeInfo{Scope: s, Text: text[s]})
	}
	return out
}

// apiKeyFields are the API key form's inputs.
func apiKeyFields() []string {
	return []string{"name", "webhookUrl", "scopes", "senderIds", "allowedIps"}
}

// newAPIKey shows an empty API key form.
func (p *Portal) newAPIKey(w http.ResponseWriter, r *http.Request) {
	p.renderAPIKey(w, r, http.StatusOK, &apiKeyData{Form: newForm(apiKeyFields()...)})
}

// renderAPIKey renders the API key form.
func (p *Portal) renderAPIKey(w http.ResponseWriter, r *http.Request, status int, d *apiKeyData) {
	title := "New API access"
	if d.Key != nil {
		title = d.Key.Name
	}
	d.Scopes = scopeInfos()
	pg := p.newPage(r, title)
	pg.Active = "apikeys"
	pg.Data = d
	p.renderStatus(w, r, status, "apikey", pg)
}

// apiKeyFromForm reads the form into k.
func apiKeyFromForm(r *http.Request, k *herald.APIKey) {
	pf := r.PostForm
	k.Name, k.WebhookURL = pf.Get("name"), pf.Get("webhookUrl")
	k.Scopes = nil
	for _, s := range pf["scopes"] {
		k.Scopes = append(k.Scopes, herald.Scope(s))
	}
	k.SenderIDs, k.AllowedIPs = lines(pf.Get("senderIds")), lines(pf.Get("allowedIps"))
}

// createAPIKey creates a key and shows its secret once, on the next page.
func (p *Portal) createAPIKey(w http.ResponseWriter, r *http.Request) {
	f := readForm(r, apiKeyFields()...)
	u := state(r).User
	k := &herald.APIKey{AccountID: u.AccountID, CreatedBy: u.ID}
	apiKeyFromForm(r, k)
	secret, err := p.auth.CreateAPIKey(r.Context(), k)
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderAPIKey(w, r, status, &apiKeyData{Form: f}) })
		return
	}
	p.sessions.Put(r.Context(), keyNewKeyID, k.ID)
	p.sessions.Put(r.Context(), keyNewKeySecret, secret)
	p.redirect(w, r, "/apikeys/"+strconv.FormatInt(k.ID, 10), "API access "+k.Name+" created.")
}

// loadAPIKey loads the {id} key of the user's account; it answered the
// request when ok is false.
func (p *Portal) loadAPIKey(w http.ResponseWriter, r *http.Request) (*herald.APIKey, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	k, err := p.store.APIKey(r.Context(), state(r).User.AccountID, id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return k, true
}

// editAPIKey shows a key's form, and its secret when it was just created
// (once: the session forgets it as it is shown).
func (p *Portal) editAPIKey(w http.ResponseWriter, r *http.Request) {
	k, ok := p.loadAPIKey(w, r)
	if !ok {
		return
	}
	d := &apiKeyData{Form: newForm(apiKeyFields()...), Key: k}
	ctx := r.Context()
	if p.sessions.GetInt64(ctx, keyNewKeyID) == k.ID {
		d.Secret = p.sessions.PopString(ctx, keyNewKeySecret)
		p.sessions.Remove(ctx, keyNewKeyID)
	}
	apiKeyValues(d.Form, k)
	p.renderAPIKey(w, r, http.StatusOK, d)
}

// apiKeyValues fills the form from k.
func apiKeyValues(f *form, k *herald.APIKey) {
	f.set("name", k.Name)
	f.set("webhookUrl", k.WebhookURL)
	for _, s := range k.Scopes {
		f.Values.Add("scopes", string(s))
	}
	f.set("senderIds", strings.Join(k.SenderIDs, "\n"))
	f.set("allowedIps", strings.Join(k.AllowedIPs, "\n"))
}

// updateAPIKey saves a key's settings; the secret stays.
func (p *Portal) updateAPIKey(w http.ResponseWriter, r *http.Request) {
	k, ok := p.loadAPIKey(w, r)
	if !ok {
		return
	}
	f := readForm(r, apiKeyFields()...)
	apiKeyFromForm(r, k)
	err := k.Validate()
	if err == nil {
		err = p.store.UpdateAPIKey(r.Context(), k)
	}
	if err != nil {
		p.formError(w, r, f, err, func(status int) { p.renderAPIKey(w, r, status, &apiKeyData{Form: f, Key: k}) })
		return
	}
	p.redirect(w, r, "/apikeys", "API access "+k.Name+" saved.")
}

// confirmDeleteAPIKey asks before deleting a key.
func (p *Portal) confirmDeleteAPIKey(w http.ResponseWriter, r *http.Request) {
	k, ok := p.loadAPIKey(w, r)
	if !ok {
		return
	}
	p.confirm(w, r, "apikeys", confirmData{Heading: "Delete API access",
		Message: "Delete the API access " + k.Name + "? Programs using its key stop working at once.",
		Action:  r.URL.Path, Button: "Delete", Cancel: "/apikeys"})
}

// deleteAPIKey deletes a key.
func (p *Portal) deleteAPIKey(w http.ResponseWriter, r *http.Request) {
	k, ok := p.loadAPIKey(w, r)
	if !ok {
		return
	}
	if err := p.store.DeleteAPIKey(r.Context(), k.AccountID, k.ID); err != nil {
		p.actionFailed(w, r, "/apikeys", err)
		return
	}
	p.redirect(w, r, "/apikeys", "API access "+k.Name+" deleted.")
}
