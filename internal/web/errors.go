package web

import (
	"net/http"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/problem"
)

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// fail answers with the error page for err. Internal errors are logged with
// the request and the user reads "Internal error.".
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := problem.Status(herald.ErrorCode(err))
	if status == http.StatusInternalServerError {
		p.log.Error("portal request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p.errorPage(w, r, status, herald.ErrorMessage(err))
}

// errorPage renders the error page with status and msg.
func (p *Portal) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	pg := p.newPage(r, http.StatusText(status))
	pg.Data = errorPage{Status: status, Heading: http.StatusText(status), Message: msg}
	p.renderStatus(w, r, status, "error", pg)
}

// notFound answers with the 404 page.
func (p *Portal) notFound(w http.ResponseWriter, r *http.Request) {
	p.errorPage(w, r, http.StatusNotFound, "This page does not exist, or it belongs to another account.")
}

// forbidden answers with the 403 page.
func (p *Portal) forbidden(w http.ResponseWriter, r *http.Request) {
	p.errorPage(w, r, http.StatusForbidden, "Your role does not allow you to open this page. Ask an administrator if you need it.")
}

// actionFailed shows why an action (such as a delete) was refused on the
// page it came from, or fails the request for internal errors.
func (p *Portal) actionFailed(w http.ResponseWriter, r *http.Request, back string, err error) {
	if problem.Status(herald.ErrorCode(err)) == http.StatusInternalServerError {
		p.fail(w, r, err)
		return
	}
	p.flashError(r, herald.ErrorMessage(err))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// afterAction ends an action (such as a delete) on page back: there with
// msg when err is nil, or with err shown.
func (p *Portal) afterAction(w http.ResponseWriter, r *http.Request, err error, back, msg string) {
	if err != nil {
		p.actionFailed(w, r, back, err)
		return
	}
	p.redirect(w, r, back, msg)
}

// available returns svc, or fails the request with unavailable when the
// process runs without it (svc is nil).
func available[T comparable](p *Portal, w http.ResponseWriter, r *http.Request, svc T, unavailable error) (T, bool) {
	var none T
	if svc == none {
		p.fail(w, r, unavailable)
		return none, false
	}
	return svc, true
}
