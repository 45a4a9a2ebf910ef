package web

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// access is what a route requires of the requester.
type access struct {
	public       bool                // no session needed
	owner        bool                // the system owner only
	perms        []herald.Permission // all of them
	duringChange bool                // open while a password change is forced
}

// anyone lets everybody in, signed in or not.
func anyone() access { return access{public: true} }

// signedIn requires a signed-in user whose password change is not pending.
func signedIn() access { return access{} }

// systemOwner requires a signed-in system owner.
func systemOwner() access { return access{owner: true} }

// duringChange requires a signed-in user, even one who must change the
// password first.
func duringChange() access { return access{duringChange: true} }

// need requires every permission of ps.
func need(ps ...herald.Permission) access { return access{perms: ps} }

// route is one entry of the route table.
type route struct {
	pattern string // http.ServeMux pattern with method
	access  access
	handle  http.HandlerFunc
}

// routes is the portal's route table: every page and form action with what
// it requires. Documentation of the portal's authorization is built from it.
func (p *Portal) routes() []route {
	return append([]route{
		{"GET /signin", anyone(), p.signInPage},
		{"POST /signin", anyone(), p.signIn},
		{"GET /signin/totp", anyone(), p.totpPage},
		{"POST /signin/totp", anyone(), p.totpSignIn},
		{"POST /signout", duringChange(), p.signOut},
		{"GET /password", duringChange(), p.passwordPage},
		{"POST /password", duringChange(), p.changePassword},

		{"GET /{$}", signedIn(), p.home},
		{"GET /about", signedIn(), p.about},
		{"POST /prefs/columns", signedIn(), p.saveColumns},

		{"GET /users", need(herald.PermUsersView), p.listUsers},
		{"GET /users/new", need(herald.PermUsersManage), p.newUser},
		{"POST /users", need(herald.PermUsersManage), p.createUser},
		{"GET /users/{id}", need(herald.PermUsersView), p.editUser},
		{"POST /users/{id}", need(herald.PermUsersManage), p.updateUser},
		{"GET /users/{id}/delete", need(herald.PermUsersManage), p.confirmDeleteUser},
		{"POST /users/{id}/delete", need(herald.PermUsersManage), p.deleteUser},

		{"GET /roles", need(herald.PermUsersView), p.listRoles},
		{"GET /roles/new", need(herald.PermRolesManage), p.newRole},
		{"POST /roles", need(herald.PermRolesManage), p.createRole},
		{"GET /roles/{id}", need(herald.PermUsersView), p.editRole},
		{"POST /roles/{id}", need(herald.PermRolesManage), p.updateRole},
		{"GET /roles/{id}/delete", need(herald.PermRolesManage), p.confirmDeleteRole},
		{"POST /roles/{id}/delete", need(herald.PermRolesManage), p.deleteRole},

		{"GET /apikeys", need(herald.PermAPIKeysManage), p.listAPIKeys},
		{"GET /apikeys/new", need(herald.PermAPIKeysManage), p.newAPIKey},
		{"POST /apikeys", need(herald.PermAPIKeysManage), p.createAPIKey},
		{"GET /apikeys/{id}", need(herald.PermAPIKeysManage), p.editAPIKey},
		{"POST /apikeys/{id}", need(herald.PermAPIKeysManage), p.updateAPIKey},
		{"GET /apikeys/{id}/delete", need(herald.PermAPIKeysManage), p.confirmDeleteAPIKey},
		{"POST /apikeys/{id}/delete", need(herald.PermAPIKeysManage), p.deleteAPIKey},
		{"GET /apikeys/{id}/webhook", need(herald.PermAPIKeysManage), p.webhookSettingsPage},
		{"POST /apikeys/{id}/webhook", need(herald.PermAPIKeysManage), p.updateWebhookSettings},
		{"GET /apikeys/{id}/webhook/rotate", need(herald.PermAPIKeysManage), p.confirmRotateWebhookSecret},
		{"POST /apikeys/{id}/webhook/rotate", need(herald.PermAPIKeysManage), p.rotateWebhookSecret},

		{"GET /smpp-credentials", need(herald.PermAPIKeysManage), p.listSMPPCredentials},
		{"GET /smpp-credentials/new", need(herald.PermAPIKeysManage), p.newSMPPCredential},
		{"POST /smpp-credentials", need(herald.PermAPIKeysManage), p.createSMPPCredential},
		{"GET /smpp-credentials/{id}", need(herald.PermAPIKeysManage), p.editSMPPCredential},
		{"POST /smpp-credentials/{id}", need(herald.PermAPIKeysManage), p.updateSMPPCredential},
		{"GET /smpp-credentials/{id}/delete", need(herald.PermAPIKeysManage), p.confirmDeleteSMPPCredential},
		{"POST /smpp-credentials/{id}/delete", need(herald.PermAPIKeysManage), p.deleteSMPPCredential},

		{"GET /audit", need(herald.PermAuditView), p.listAudit},
		{"GET /audit.csv", need(herald.PermAuditView, herald.PermExportEntities), p.exportAudit},

		{"GET /account", signedIn(), p.accountPage},
		{"POST /account", signedIn(), p.updateAccountProfile},
		{"POST /account/theme", signedIn(), p.setTheme},
		{"GET /account/security", signedIn(), p.securityPage},
		{"POST /account/password", signedIn(), p.changeOwnPassword},
		{"POST /account/totp", signedIn(), p.beginTOTP},
		{"POST /account/totp/enable", signedIn(), p.enableTOTP},
		{"POST /account/totp/cancel", signedIn(), p.cancelTOTP},
		{"POST /account/totp/disable", signedIn(), p.disableTOTP},
		{"POST /account/delete", signedIn(), p.deleteOwnUser},

		{"GET /accounts", systemOwner(), p.listAccounts},
		{"GET /accounts/new", systemOwner(), p.newAccount},
		{"POST /accounts", systemOwner(), p.createAccount},
		{"GET /accounts/{id}", systemOwner(), p.editAccount},
		{"POST /accounts/{id}", systemOwner(), p.updateAccount},
		{"POST /accounts/{id}/status", systemOwner(), p.setAccountStatus},

		{"GET /connections", systemOwner(), p.listConnections},
		{"GET /connections/new", systemOwner(), p.newConnection},
		{"POST /connections", systemOwner(), p.createConnection},
		{"GET /connections/{id}", systemOwner(), p.editConnection},
		{"POST /connections/{id}", systemOwner(), p.updateConnection},
		{"POST /connections/{id}/accounts", systemOwner(), p.assignConnection},
		{"POST /connections/{id}/accounts/remove", systemOwner(), p.assignConnection},

		{"GET /smpp-binds", systemOwner(), p.smppBinds},

		{"GET /moderation", systemOwner(), p.listModeration},
		{"GET /moderation/{account}/{id}", systemOwner(), p.moderationPage},
		{"POST /moderation/{account}/{id}/approve", systemOwner(), p.approveBroadcast},
		{"POST /moderation/{account}/{id}/reject", systemOwner(), p.rejectBroadcast},
		{"GET /broadcasts/{id}/contacts", need(herald.PermBroadcastsView), p.listBroadcastContacts},
		{"GET /broadcasts/{id}/contacts/export", need(herald.PermBroadcastsView, herald.PermExportEntities), p.exportBroadcastContacts},

		{"GET /contacts", need(herald.PermContactsView), p.listContacts},
		{"POST /contacts/mass", need(herald.PermContactsManage), p.massEdit},
		{"GET /contacts/new", need(herald.PermContactsManage), p.newContact},
		{"POST /contacts", need(herald.PermContactsManage), p.createContact},
		{"GET /contacts/{id}", need(herald.PermContactsView), p.editContact},
		{"POST /contacts/{id}", need(herald.PermContactsManage), p.updateContact},
		{"GET /contacts/{id}/delete", need(herald.PermContactsManage), p.confirmDeleteContact},
		{"POST /contacts/{id}/delete", need(herald.PermContactsManage), p.deleteContact},
		{"POST /contacts/{id}/optouts", need(herald.PermContactsManage), p.addContactOptOut},
		{"POST /contacts/{id}/optouts/remove", need(herald.PermContactsManage), p.removeContactOptOut},

		{"GET /attributes", need(herald.PermContactsView), p.listAttributes},
		{"GET /attributes/new", need(herald.PermContactsManage), p.newAttribute},
		{"POST /attributes", need(herald.PermContactsManage), p.createAttribute},
		{"GET /attributes/{id}", need(herald.PermContactsView), p.editAttribute},
		{"POST /attributes/{id}", need(herald.PermContactsManage), p.updateAttribute},
		{"GET /attributes/{id}/delete", need(herald.PermContactsManage), p.confirmDeleteAttribute},
		{"POST /attributes/{id}/delete", need(herald.PermContactsManage), p.deleteAttribute},

		{"GET /targets", need(herald.PermContactsView), p.listTargets},
		{"GET /targets/new", need(herald.PermContactsManage), p.newTarget},
		{"POST /targets", need(herald.PermContactsManage), p.createTarget},
		{"GET /targets/{id}", need(herald.PermContactsView), p.editTarget},
		{"POST /targets/{id}", need(herald.PermContactsManage), p.updateTarget},
		{"GET /targets/{id}/duplicate", need(herald.PermContactsManage), p.confirmDuplicateTarget},
		{"POST /targets/{id}/duplicate", need(herald.PermContactsManage), p.duplicateTarget},
		{"GET /targets/{id}/delete", need(herald.PermContactsManage), p.confirmDeleteTarget},
		{"POST /targets/{id}/delete", need(herald.PermContactsManage), p.deleteTarget},

		{"GET /imports", need(herald.PermContactsImport), p.importUploadPage},
		{"POST /imports", need(herald.PermContactsImport), p.uploadImport},
		{"GET /imports/{id}", need(herald.PermContactsImport), p.importPage},
		{"POST /imports/{id}", need(herald.PermContactsImport), p.saveImportStep},
		{"GET /imports/{id}/status", need(herald.PermContactsImport), p.importStatus},
		{"GET /imports/{id}/failures.csv", need(herald.PermContactsImport), p.importFailures},

		{"GET /optout-words", need(herald.PermContactsView), p.listOptOutWords},
		{"GET /optout-words/new", need(herald.PermContactsManage), p.newOptOutWord},
		{"POST /optout-words", need(herald.PermContactsManage), p.createOptOutWord},
		{"GET /optout-words/{id}", need(herald.PermContactsView), p.editOptOutWord},
		{"POST /optout-words/{id}", need(herald.PermContactsManage), p.updateOptOutWord},
		{"GET /optout-words/{id}/delete", need(herald.PermContactsManage), p.confirmDeleteOptOutWord},
		{"POST /optout-words/{id}/delete", need(herald.PermContactsManage), p.deleteOptOutWord},

		{"GET /messages", need(herald.PermMessagesView), p.listMessages},
		{"GET /messages/{id}", need(herald.PermMessagesView), p.showMessage},

		{"GET /sandbox", need(herald.PermMessagesView), p.sandboxPage},
		{"POST /sandbox/send", need(herald.PermMessagesSend), p.sandboxSend},
		{"POST /sandbox/reply", need(herald.PermMessagesSend), p.sandboxReply},

		{"GET /senders", need(herald.PermSendersView), p.listSenders},
		{"GET /senders/new", need(herald.PermSendersManage), p.newSender},
		{"POST /senders", need(herald.PermSendersManage), p.createSender},
		{"GET /senders/{id}", need(herald.PermSendersView), p.showSender},
		{"GET /senders/{id}/edit", need(herald.PermSendersManage), p.editSender},
		{"POST /senders/{id}", need(herald.PermSendersManage), p.updateSender},
		{"GET /senders/{id}/cancel", need(herald.PermSendersManage), p.confirmCancelSender},
		{"POST /senders/{id}/cancel", need(herald.PermSendersManage), p.cancelSender},
		{"GET /senders/{id}/delete", need(herald.PermSendersManage), p.confirmDeleteSender},
		{"POST /senders/{id}/delete", need(herald.PermSendersManage), p.deleteSender},

		{"GET /media", need(herald.PermMediaManage), p.listMedia},
		{"POST /media", need(herald.PermMediaManage), p.uploadMedia},
		{"GET /media/{id}", need(herald.PermMediaManage), p.showMedia},
		{"POST /media/{id}", need(herald.PermMediaManage), p.renameMedia},
		{"GET /media/{id}/content", need(herald.PermMediaManage), p.mediaContent},
		{"GET /media/{id}/delete", need(herald.PermMediaManage), p.confirmDeleteMedia},
		{"POST /media/{id}/delete", need(herald.PermMediaManage), p.deleteMedia},
		{"GET /content-templates", need(herald.PermTemplatesManage), p.listContentTemplates},
		{"GET /content-templates/new", need(herald.PermTemplatesManage), p.newContentTemplate},
		{"POST /content-templates", need(herald.PermTemplatesManage), p.createContentTemplate},
		{"GET /content-templates/{id}", need(herald.PermTemplatesManage), p.editContentTemplate},
		{"POST /content-templates/{id}", need(herald.PermTemplatesManage), p.updateContentTemplate},
		{"GET /content-templates/{id}/delete", need(herald.PermTemplatesManage), p.confirmDeleteContentTemplate},
		{"POST /content-templates/{id}/delete", need(herald.PermTemplatesManage), p.deleteContentTemplate},

		{"POST /constructor/check", signedIn(), p.checkContent},
		{"POST /constructor/email-preview", signedIn(), p.emailPreview},
		{"GET /constructor/media", signedIn(), p.pickMedia},

		{"GET /conversation-templates", need(herald.PermTemplatesManage), p.listConvTemplates},
		{"GET /conversation-templates/new", need(herald.PermTemplatesManage), p.newConvTemplate},
		{"POST /conversation-templates", need(herald.PermTemplatesManage), p.createConvTemplate},
		{"GET /conversation-templates/{id}", need(herald.PermTemplatesManage), p.editConvTemplate},
		{"POST /conversation-templates/{id}", need(herald.PermTemplatesManage), p.updateConvTemplate},
		{"GET /conversation-templates/{id}/delete", need(herald.PermTemplatesManage), p.confirmDeleteConvTemplate},
		{"POST /conversation-templates/{id}/delete", need(herald.PermTemplatesManage), p.deleteConvTemplate},
		{"GET /sender-review", systemOwner(), p.listSenderReviews},
		{"GET /sender-review/new", systemOwner(), p.newOwnerSender},
		{"POST /sender-review", systemOwner(), p.createOwnerSender},
		{"GET /sender-review/{id}", systemOwner(), p.reviewSenderPage},
		{"POST /sender-review/{id}", systemOwner(), p.reviewSender},

		{"GET /webhooks", need(herald.PermMessagesView), p.listWebhooks},
		{"GET /webhooks/{id}/redeliver", need(herald.PermAPIKeysManage), p.confirmRedeliver},
		{"POST /webhooks/{id}/redeliver", need(herald.PermAPIKeysManage), p.redeliverWebhook},

		{"GET /edrs", need(herald.PermEDRsView), p.listEDRs},
		{"GET /edrs/export", need(herald.PermEDRsView, herald.PermExportEntities), p.exportEDRs},

		{"/", signedIn(), p.notFound},
	}, p.broadcastRoutes()...)
}

// broadcastRoutes are the pages of the Broadcast section.
func (p *Portal) broadcastRoutes() []route {
	view, manage := need(herald.PermBroadcastsView), need(herald.PermBroadcastsManage)
	rs := []route{
		{"GET /broadcasts", view, p.listBroadcasts},
		{"GET /broadcasts/new", manage, p.newBroadcast},
		{"POST /broadcasts", manage, p.createBroadcast},
		{"POST /broadcasts/count", manage, p.countRecipients},
		{"GET /broadcasts/{id}", view, p.showBroadcast},
		{"GET /broadcasts/{id}/events", view, p.broadcastEvents},
		{"GET /broadcasts/{id}/edit", manage, p.editBroadcast},
		{"POST /broadcasts/{id}", manage, p.updateBroadcast},

		{"GET /broadcast-templates", view, p.listBroadcastTemplates},
		{"GET /broadcast-templates/new", manage, p.newBroadcastTemplate},
		{"POST /broadcast-templates", manage, p.createBroadcastTemplate},
		{"GET /broadcast-templates/{id}", view, p.editBroadcastTemplate},
		{"POST /broadcast-templates/{id}", manage, p.updateBroadcastTemplate},
	}
	rs = append(rs, p.broadcastActionRoutes()...)
	return append(rs, p.templateActionRoutes()...)
}
