package web

import "github.com/heraldhq/herald"

// menuItem is one entry of the left menu.
type menuItem struct {
	Key      string // matched against page.Active
	Label    string
	Href     string // "" for sections not built yet
	Icon     string
	Disabled bool // shown with a "not available yet" hint
}

// menuGroup is a titled group of menu items.
type menuGroup struct {
	Title string
	Items []menuItem
}

// menuEntry is a menu item with the permissions that show it (any of them).
type menuEntry struct {
	item  menuItem
	perms []herald.Permission
}

// menuEntries lists the sections in the order of the product's menu.
// Sections without Href are planned but not built.
func menuEntries() []menuEntry {
	return []menuEntry{
		{menuItem{Key: "dashboard", Label: "Dashboard", Icon: "dashboard"}, []herald.Permission{herald.PermDashboardView}},
		{menuItem{Key: "messages", Label: "Messages", Href: "/messages", Icon: "chat"}, []herald.Permission{herald.PermMessagesView}},
		{menuItem{Key: "sandbox", Label: "Sandbox", Href: "/sandbox", Icon: "monitor"}, []herald.Permission{herald.PermMessagesView}},
		{menuItem{Key: "broadcast", Label: "Broadcast", Href: "/broadcasts", Icon: "broadcast"}, []herald.Permission{herald.PermBroadcastsView}},
		{menuItem{Key: "contacts", Label: "Contacts", Href: "/contacts", Icon: "contacts"}, []herald.Permission{herald.PermContactsView}},
		{menuItem{Key: "conversations", Label: "Conversations", Icon: "chat"}, []herald.Permission{herald.PermConversationsView}},
		{menuItem{Key: "finance", Label: "Finance", Icon: "finance"}, []herald.Permission{herald.PermFinanceView}},
		{menuItem{Key: "statistics", Label: "Statistics", Icon: "chart"}, []herald.Permission{herald.PermStatisticsView, herald.PermEDRsView}},
		{menuItem{Key: "edrs", Label: "EDRs", Href: "/edrs", Icon: "chart"}, []herald.Permission{herald.PermEDRsView}},
		{menuItem{Key: "assets", Label: "Assets", Icon: "assets"}, []herald.Permission{herald.PermMediaManage, herald.PermSendersView, herald.PermTemplatesManage}},
		{menuItem{Key: "users", Label: "Users", Href: "/users", Icon: "users"}, []herald.Permission{herald.PermUsersView}},
		{menuItem{Key: "audit", Label: "Audit", Href: "/audit", Icon: "audit"}, []herald.Permission{herald.PermAuditView}},
		{menuItem{Key: "apikeys", Label: "API Accesses", Href: "/apikeys", Icon: "key"}, []herald.Permission{herald.PermAPIKeysManage}},
		{menuItem{Key: "smpp", Label: "SMPP Accounts", Href: "/smpp-credentials", Icon: "key"}, []herald.Permission{herald.PermAPIKeysManage}},
		{menuItem{Key: "webhooks", Label: "Webhooks", Href: "/webhooks", Icon: "refresh"}, []herald.Permission{herald.PermMessagesView}},
		{menuItem{Key: "twofa", Label: "2FA Service", Icon: "shield"}, []herald.Permission{herald.PermTwoFAManage}},
	}
}

// buildMenu returns the menu for u: the sections u may open (planned ones
// disabled) and, for the system owner, the System group.
func buildMenu(u *herald.User) []menuGroup {
	main := menuGroup{}
	for _, e := range menuEntries() {
		if !canAny(u, e.perms) {
			continue
		}
		it := e.item
		if it.Key == "assets" {
			it.Href = assetsHref(u)
		}
		it.Disabled = it.Href == ""
		main.Items = append(main.Items, it)
	}
	groups := []menuGroup{main}
	if u.SystemOwner {
		groups = append(groups, menuGroup{Title: "System", Items: []menuItem{
			{Key: "accounts", Label: "Accounts", Href: "/accounts", Icon: "building"},
			{Key: "connections", Label: "Connections", Href: "/connections", Icon: "refresh"},
			{Key: "sender-review", Label: "Sender IDs", Href: "/sender-review", Icon: "assets"},
			{Key: "smpp-binds", Label: "SMPP binds", Href: "/smpp-binds", Icon: "refresh"},
			{Key: "moderation", Label: "Moderation", Href: "/moderation", Icon: "shield"},
		}})
	}
	return groups
}

// assetsHref is the first page of the Assets section that u may open, in
// the section's order (Media, Sender IDs, Content templates, Conversation
// templates), or "" for none built yet.
func assetsHref(u *herald.User) string {
	switch {
	case u.Can(herald.PermMediaManage):
		return "/media"
	case u.Can(herald.PermSendersView):
		return "/senders"
	case u.Can(herald.PermTemplatesManage):
		return contentTemplatesPath
	}
	return ""
}

// canAny reports whether u holds one of perms.
func canAny(u *herald.User, perms []herald.Permission) bool {
	for _, p := range perms {
		if u.Can(p) {
			return true
		}
	}
	return false
}
