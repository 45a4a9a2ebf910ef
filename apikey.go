package herald

import (
	"context"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Scope is an area of the API that a key may call.
type Scope string

// API key scopes.
const (
	ScopeRecipients Scope = "recipients" // contacts, attributes, tags, targets, imports
	ScopeBroadcast  Scope = "broadcast"  // broadcasts and their templates
	ScopeCRM        Scope = "crm"        // conversations
	ScopeOmniAPI    Scope = "omni-api"   // sending messages, 2FA
	ScopeDIDs       Scope = "dids"       // the Assets: sender IDs, numbers and the media library
	ScopeAdmin      Scope = "admin"      // users, roles, API keys, audit
)

// AllScopes returns every scope in display order.
func AllScopes() []Scope {
	return []Scope{ScopeRecipients, ScopeBroadcast, ScopeCRM, ScopeOmniAPI, ScopeDIDs, ScopeAdmin}
}

// APIKey lets a program call the API on behalf of one account. The secret is
// shown once at creation; the store keeps only its hash.
type APIKey struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"-"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // the first characters of the key, to recognise it
	Scopes     []Scope    `json:"scopes"`
	SenderIDs  []string   `json:"senderIds"`  // empty: any sender ID of the account
	WebhookURL string     `json:"webhookUrl"` // statuses and inbound messages go here
	AllowedIPs []string   `json:"allowedIps"` // addresses or CIDR prefixes; empty: any
	CreatedBy  int64      `json:"createdBy"`  // user ID; zero when made from the shell
	LastUsedAt *time.Time `json:"lastUsedAt"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  time.Time  `json:"updatedAt"`
}

// HasScope reports whether the key may use s.
func (k *APIKey) HasScope(s Scope) bool {
	for _, x := range k.Scopes {
		if x == s {
			return true
		}
	}
	return false
}

// AllowsIP reports whether a request from addr may use the key.
func (k *APIKey) AllowsIP(addr netip.Addr) bool {
	if len(k.AllowedIPs) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, s := range k.AllowedIPs {
		if p, err := parsePrefix(s); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

// parsePrefix accepts "10.0.0.0/8" as well as a bare address.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Validate checks the key's fields and normalises lists.
func (k *APIKey) Validate() error {
	var vs Violations
	k.Name = strings.TrimSpace(k.Name)
	vs.CheckLen("name", k.Name, true, 64)
	if len(k.Scopes) == 0 {
		vs.Add("scopes", VRequired, "Select at least one scope.")
	}
	for _, s := range k.Scopes {
		if !knownScope(s) {
			vs.Add("scopes", VUnknown, "Unknown scope %q; use one of recipients, broadcast, crm, omni-api, dids, admin.", s)
		}
	}
	k.WebhookURL = strings.TrimSpace(k.WebhookURL)
	if k.WebhookURL != "" {
		vs.CheckLen("webhookUrl", k.WebhookURL, false, 2048)
		if u, err := url.Parse(k.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			vs.Add("webhookUrl", VFormat, "The webhook must be an http:// or https:// URL.")
		}
	}
	k.AllowedIPs = trimAll(k.AllowedIPs)
	for _, s := range k.AllowedIPs {
		if _, err := parsePrefix(s); err != nil {
			vs.Add("allowedIps", VFormat, "%q is not an IP address or CIDR prefix.", s)
		}
	}
	k.SenderIDs = trimAll(k.SenderIDs)
	for _, s := range k.SenderIDs {
		vs.CheckLen("senderIds", s, false, 64)
	}
	return vs.Err()
}

// knownScope reports whether s is a defined scope.
func knownScope(s Scope) bool {
	for _, x := range AllScopes() {
		if s == x {
			return true
		}
	}
	return false
}

// trimAll trims every string and drops empty ones and duplicates.
func trimAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	seen := map[string]bool{}
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// APIKeyColumns are the columns of the API Accesses table.
func APIKeyColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true},
		{Key: "name", Label: "Name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "prefix", Label: "API key", Type: ColText, Filterable: true},
		{Key: "scopes", Label: "Scopes", Type: ColText, Filterable: true},
		{Key: "webhookUrl", Label: "Webhook", Type: ColText, Sortable: true, Filterable: true},
		{Key: "allowedIps", Label: "Allowed IPs", Type: ColText, Hidden: true},
		{Key: "lastUsedAt", Label: "Last used", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
	}
}

// APIKeyStore keeps API keys. Methods that take accountID are scoped to it.
type APIKeyStore interface {
	// CreateAPIKey inserts k with the hash of its secret and sets ID and times.
	CreateAPIKey(ctx context.Context, k *APIKey, secretHash string) error
	// APIKey returns one key, or ENOTFOUND.
	APIKey(ctx context.Context, accountID, id int64) (*APIKey, error)
	// APIKeyByPrefix returns the key with prefix in any account and its
	// secret hash, for authentication. ENOTFOUND.
	APIKeyByPrefix(ctx context.Context, prefix string) (*APIKey, string, error)
	// UpdateAPIKey saves name, scopes, sender IDs, webhook and allowed IPs.
	UpdateAPIKey(ctx context.Context, k *APIKey) error
	// DeleteAPIKey removes a key; it stops working at once.
	DeleteAPIKey(ctx context.Context, accountID, id int64) error
	// ListAPIKeys returns one page of keys (APIKeyColumns).
	ListAPIKeys(ctx context.Context, accountID int64, q ListQuery) (Page[APIKey], error)
	// TouchAPIKey sets LastUsedAt; it writes no audit entry.
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error
}
