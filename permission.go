package herald

// Permission allows one kind of work in one portal section. Roles are sets of
// permissions; every API route and every portal page requires one.
type Permission string

// Permissions, grouped by the portal section they open.
const (
	PermExportEntities     Permission = "export.entities"
	PermDashboardView      Permission = "dashboard.view"
	PermBroadcastsView     Permission = "broadcasts.view"
	PermBroadcastsManage   Permission = "broadcasts.manage"
	PermContactsView       Permission = "contacts.view"
	PermContactsManage     Permission = "contacts.manage"
	PermContactsImport     Permission = "contacts.import"
	PermConversationsView  Permission = "conversations.view"
	PermConversationsReply Permission = "conversations.reply"
	PermChatbotsView       Permission = "chatbots.view"
	PermChatbotsManage     Permission = "chatbots.manage"
	PermMessagesView       Permission = "messages.view"
	PermMessagesSend       Permission = "messages.send"
	PermFinanceView        Permission = "finance.view"
	PermPaymentsManage     Permission = "payments.manage"
	PermStatisticsView     Permission = "statistics.view"
	PermEDRsView           Permission = "edrs.view"
	PermMediaManage        Permission = "media.manage"
	PermSendersView        Permission = "senders.view"
	PermSendersManage      Permission = "senders.manage"
	PermTemplatesManage    Permission = "templates.manage"
	PermUsersView          Permission = "users.view"
	PermUsersManage        Permission = "users.manage"
	PermRolesManage        Permission = "roles.manage"
	PermAuditView          Permission = "audit.view"
	PermAPIKeysManage      Permission = "apikeys.manage"
	PermTwoFAManage        Permission = "twofa.manage"
)

// PermissionInfo describes a permission for people.
type PermissionInfo struct {
	Perm  Permission
	Label string
}

// Section is a portal section and the permissions that open it.
type Section struct {
	Name  string
	Perms []PermissionInfo
}

// Sections lists every permission grouped by portal section, in menu order.
// The role form shows them this way ("Contacts (2 of 3)").
func Sections() []Section {
	return []Section{
		{"Export", []PermissionInfo{{PermExportEntities, "Export entities"}}},
		{"Dashboard", []PermissionInfo{{PermDashboardView, "View dashboard"}}},
		{"Broadcast", []PermissionInfo{
			{PermBroadcastsView, "View broadcasts"},
			{PermBroadcastsManage, "Manage broadcasts"},
		}},
		{"Contacts", []PermissionInfo{
			{PermContactsView, "View contacts"},
			{PermContactsManage, "Manage contacts"},
			{PermContactsImport, "Import contacts"},
		}},
		{"Conversations", []PermissionInfo{
			{PermConversationsView, "View conversations"},
			{PermConversationsReply, "Reply in conversations"},
			{PermChatbotsView, "View chatbots"},
			{PermChatbotsManage, "Manage chatbots"},
		}},
		{"Messages", []PermissionInfo{
			{PermMessagesView, "View messages"},
			{PermMessagesSend, "Send messages"},
		}},
		{"Finance", []PermissionInfo{
			{PermFinanceView, "View finance"},
			{PermPaymentsManage, "Manage payments"},
		}},
		{"Statistics", []PermissionInfo{
			{PermStatisticsView, "View statistics"},
			{PermEDRsView, "View EDRs"},
		}},
		{"Assets", []PermissionInfo{
			{PermMediaManage, "Manage media"},
			{PermSendersView, "View sender IDs"},
			{PermSendersManage, "Manage sender IDs"},
			{PermTemplatesManage, "Manage templates"},
		}},
		{"Users", []PermissionInfo{
			{PermUsersView, "View users"},
			{PermUsersManage, "Manage users"},
			{PermRolesManage, "Manage roles"},
		}},
		{"Audit", []PermissionInfo{{PermAuditView, "View audit log"}}},
		{"API Accesses", []PermissionInfo{{PermAPIKeysManage, "Manage API accesses"}}},
		{"2FA Service", []PermissionInfo{{PermTwoFAManage, "Manage 2FA services"}}},
	}
}

// AllPermissions returns every permission in menu order.
func AllPermissions() []Permission {
	var ps []Permission
	for _, s := range Sections() {
		for _, p := range s.Perms {
			ps = append(ps, p.Perm)
		}
	}
	return ps
}

// KnownPermission reports whether p is a defined permission.
func KnownPermission(p Permission) bool {
	for _, q := range AllPermissions() {
		if p == q {
			return true
		}
	}
	return false
}

// PermissionSet is a set of permissions.
type PermissionSet map[Permission]bool

// NewPermissionSet returns the set of ps.
func NewPermissionSet(ps ...Permission) PermissionSet {
	s := make(PermissionSet, len(ps))
	for _, p := range ps {
		s[p] = true
	}
	return s
}

// Has reports whether the set holds p.
func (s PermissionSet) Has(p Permission) bool { return s[p] }

// Sorted returns the permissions of s in menu order.
func (s PermissionSet) Sorted() []Permission {
	var ps []Permission
	for _, p := range AllPermissions() {
		if s[p] {
			ps = append(ps, p)
		}
	}
	return ps
}

// Names of the system roles. They exist in every account and cannot be
// edited or deleted.
const (
	RoleAdmin            = "Admin"
	RoleBroadcastManager = "Broadcast manager"
	RoleFinanceManager   = "Finance manager"
	RoleNOCEngineer      = "NOC engineer"
)

// SystemRoles returns the system roles with their permissions and
// descriptions. Their IDs are assigned by the store.
func SystemRoles() []Role {
	return []Role{
		{Name: RoleAdmin, System: true, Description: "Full access to all interfaces and functions.",
			Permissions: AllPermissions()},
		{Name: RoleBroadcastManager, System: true, Description: "Manages broadcasts, contacts and their content.",
			Permissions: []Permission{PermExportEntities, PermDashboardView, PermBroadcastsView, PermBroadcastsManage,
				PermContactsView, PermContactsManage, PermContactsImport, PermConversationsView, PermChatbotsView,
				PermMessagesView, PermMessagesSend, PermStatisticsView, PermMediaManage, PermSendersView,
				PermTemplatesManage, PermEDRsView}},
		{Name: RoleFinanceManager, System: true, Description: "In charge of payments, invoices and spending.",
			Permissions: []Permission{PermExportEntities, PermDashboardView, PermFinanceView, PermPaymentsManage,
				PermStatisticsView, PermEDRsView, PermAuditView}},
		{Name: RoleNOCEngineer, System: true, Description: "Monitors, maintains and supports the system.",
			Permissions: []Permission{PermExportEntities, PermDashboardView, PermBroadcastsView, PermChatbotsView,
				PermConversationsView, PermMessagesView, PermStatisticsView, PermEDRsView, PermSendersView,
				PermUsersView, PermAuditView, PermContactsView}},
	}
}
