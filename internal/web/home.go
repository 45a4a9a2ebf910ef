package web

import (
	"net/http"
	"runtime"

	"github.com/heraldhq/herald"
)

// homeLink is a card on the home page.
type homeLink struct {
	Title string
	Text  string
	Href  string
	Icon  string
}

// home greets the user and links to the sections they may open.
func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	u := state(r).User
	pg := p.newPage(r, "Home")
	pg.Active = "home"
	pg.Data = homeLinks(u)
	p.render(w, r, "home", pg)
}

// homeLinks returns the cards for u, in menu order.
func homeLinks(u *herald.User) []homeLink {
	var links []homeLink
	if u.Can(herald.PermUsersView) {
		links = append(links,
			homeLink{"Users", "Create users and choose what they may do.", "/users", "users"},
			homeLink{"Roles", "Group permissions into roles.", "/roles", "roles"})
	}
	if u.Can(herald.PermAuditView) {
		links = append(links, homeLink{"Audit", "See who changed what, and when.", "/audit", "audit"})
	}
	if u.Can(herald.PermAPIKeysManage) {
		links = append(links, homeLink{"API Accesses", "Keys for programs that call the API.", "/apikeys", "key"})
	}
	links = append(links,
		homeLink{"Account settings", "Your name, e-mail and phone.", "/account", "user"},
		homeLink{"Privacy and Security", "Password and two-factor authentication.", "/account/security", "lock"})
	if u.SystemOwner {
		links = append(links, homeLink{"Accounts", "Create, edit and block customer accounts.", "/accounts", "building"})
	}
	return links
}

// aboutInfo is the data of the About page.
type aboutInfo struct {
	Version   string
	GoVersion string
}

// about shows a brief technical summary.
func (p *Portal) about(w http.ResponseWriter, r *http.Request) {
	pg := p.newPage(r, "About Herald")
	pg.Data = aboutInfo{Version: herald.Version, GoVersion: runtime.Version()}
	p.render(w, r, "about", pg)
}
