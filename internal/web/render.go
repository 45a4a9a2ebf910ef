package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// files holds the templates and static assets.
//
//go:embed templates static
var files embed.FS

// Time formats of the portal (the reference's DD.MM.YYYY HH:MM:SS).
const (
	timeLayout = "02.01.2006 15:04:05"
	dateLayout = "02.01.2006"
)

// page is the data every template receives.
type page struct {
	Title    string
	Active   string // the menu item to highlight
	User     *herald.User
	Account  *herald.Account
	Theme    string
	Menu     []menuGroup
	Flash    string
	FlashErr string
	Path     string // the current URL, for forms that come back here
	Version  string
	Data     any // the page's own data
	loc      *time.Location
}

type sessionReadyKey struct{}

// newPage returns the page data for r with the signed-in user, the menu and
// the flash messages left by the previous request.
func (p *Portal) newPage(r *http.Request, title string) *page {
	pg := &page{Title: title, Theme: "system", Path: r.URL.RequestURI(), Version: herald.Version, loc: time.UTC}
	if st := state(r); st != nil {
		pg.User, pg.Account, pg.Theme = st.User, st.Account, st.Theme
		if loc, err := time.LoadLocation(st.Account.TimeZone); err == nil {
			pg.loc = loc
		}
		if !st.MustChange {
			pg.Menu = buildMenu(st.User)
		}
	}
	if r.Context().Value(sessionReadyKey{}) != nil {
		pg.Flash = p.sessions.PopString(r.Context(), keyFlash)
		pg.FlashErr = p.sessions.PopString(r.Context(), keyFlashError)
	}
	return pg
}

// Time formats t in the account's time zone.
func (pg *page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(pg.loc).Format(timeLayout)
}

// TimePtr formats *t, or "" for nil.
func (pg *page) TimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return pg.Time(*t)
}

// Can reports whether the signed-in user holds permission perm.
func (pg *page) Can(perm string) bool {
	return pg.User != nil && pg.User.Can(herald.Permission(perm))
}

// render writes the page template name with status 200.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, name string, pg *page) {
	p.renderStatus(w, r, http.StatusOK, name, pg)
}

// renderStatus writes the page template name with status. The page is
// rendered to a buffer first so that a template error becomes a clean 500.
func (p *Portal) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	t, ok := p.pages[name]
	if !ok {
		p.log.Error("unknown page template", "name", name, "path", r.URL.Path)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name+".html", pg); err != nil {
		p.log.Error("rendering page", "name", name, "path", r.URL.Path, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// parseTemplates parses every page under templates/pages with the layouts
// and partials. Each page is its own template set, keyed by its file name
// without ".html"; a page's file starts with {{template "base" .}} (or
// "bare") and defines the blocks the layout leaves open.
func (p *Portal) parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(p.funcs()).ParseFS(files, "templates/layout/*.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parsing layouts: %w", err)
	}
	names, err := fs.Glob(files, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("listing pages: %w", err)
	}
	pages := make(map[string]*template.Template, len(names))
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("cloning layouts: %w", err)
		}
		if pages[name], err = t.ParseFS(files, file); err != nil {
			return nil, fmt.Errorf("parsing page %s: %w", name, err)
		}
	}
	return pages, nil
}

// funcs are the template functions.
func (p *Portal) funcs() template.FuncMap {
	return template.FuncMap{
		"smtpTLSModes":    smtpTLSModes,
		"smtpAuthModes":   smtpAuthModes,
		"newBroadcastURL": newBroadcastURL,
		"asset":           p.assets.url,
		"icon":            icon,
		"dict":            dict,
		"initials": func(u *herald.User) string {
			return initials(u.FirstName, u.LastName, u.Login)
		},
		"join":        func(ss []string, sep string) string { return strings.Join(ss, sep) },
		"add":         func(a, b int) int { return a + b },
		"statusClass": statusClass,
		// broadcasts
		"broadcastStatusClass": broadcastStatusClass,
		"launchTypeLabel":      launchTypeLabel,
		"waitLabel":            waitLabel,
		"stepPreview":          stepPreview,
		"progressOf":           func(b herald.Broadcast) *progressBar { return newProgressBar(b.Stats, b.Status) },
		"runsLink":             runsLink,
		"scheduleLabel":        scheduleLabel,
		"permLabel":            permLabel,
		"permString":           permString,
		"contains": func(ss []string, s string) bool {
			for _, x := range ss {
				if x == s {
					return true
				}
			}
			return false
		},
	}
}

// icon returns an inline SVG that uses a symbol of the icon sprite.
func icon(name string) template.HTML {
	return template.HTML(`<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-` +
		template.HTMLEscapeString(name) + `"></use></svg>`)
}

// dict builds a map from alternating keys and values, to pass several
// values to a partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// initials returns up to two capital letters for an avatar.
func initials(first, last, login string) string {
	var b strings.Builder
	for _, s := range []string{first, last} {
		if r := []rune(strings.TrimSpace(s)); len(r) > 0 {
			b.WriteString(strings.ToUpper(string(r[0])))
		}
	}
	if b.Len() == 0 && login != "" {
		b.WriteString(strings.ToUpper(string([]rune(login)[0])))
	}
	return b.String()
}

// permLabel returns the human label of a permission.
func permLabel(perm herald.Permission) string {
	for _, s := range herald.Sections() {
		for _, pi := range s.Perms {
			if pi.Perm == perm {
				return pi.Label
			}
		}
	}
	return string(perm)
}
