package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/problem"
)

// form carries a form's values and errors between a handler and its
// template. Field names are the API's JSON names, so the violations of a
// herald.Error land beside the input of the same name.
type form struct {
	Values  url.Values
	Errors  map[string]string
	Message string          // the banner above the form
	fields  map[string]bool // inputs the form shows
}

// secretField reports whether input name holds a secret, which is never
// sent back to the browser.
func secretField(name string) bool {
	switch name {
	case "password", "currentPassword", "newPassword", "confirmPassword", "code":
		return true
	}
	return false
}

// newForm returns an empty form with the given inputs.
func newForm(fields ...string) *form {
	f := &form{Values: url.Values{}, Errors: map[string]string{}, fields: map[string]bool{}}
	for _, name := range fields {
		f.fields[name] = true
	}
	return f
}

// readForm returns a form with the values posted in r, less secrets.
func readForm(r *http.Request, fields ...string) *form {
	f := newForm(fields...)
	_ = r.ParseForm() // a malformed body leaves the values empty: the validation says what is missing
	for k, v := range r.PostForm {
		if !secretField(k) {
			f.Values[k] = v
		}
	}
	return f
}

// Get returns the value of input name.
func (f *form) Get(name string) string { return f.Values.Get(name) }

// Has reports whether input name has value among its values (checkboxes,
// multiple selects).
func (f *form) Has(name, value string) bool { return slices.Contains(f.Values[name], value) }

// Checked reports whether the checkbox name was ticked.
func (f *form) Checked(name string) bool {
	v := f.Values.Get(name)
	return v == "on" || v == "true" || v == "1"
}

// Err returns the error of input name, or "".
func (f *form) Err(name string) string { return f.Errors[name] }

// Invalid reports whether the form has errors.
func (f *form) Invalid() bool { return f.Message != "" || len(f.Errors) > 0 }

// set sets the value of input name.
func (f *form) set(name, value string) { f.Values.Set(name, value) }

// setError shows err: violations of the form's inputs beside them, the
// rest in the banner.
func (f *form) setError(err error) {
	var general []string
	for _, v := range herald.ErrorViolations(err) {
		switch {
		case !f.fields[v.Field]:
			general = append(general, v.Message)
		case f.Errors[v.Field] == "":
			f.Errors[v.Field] = v.Message
		default:
			f.Errors[v.Field] += " " + v.Message
		}
	}
	switch {
	case len(general) > 0:
		f.Message = strings.Join(general, " ")
	case len(f.Errors) > 0:
		f.Message = "Please correct the fields marked below."
	default:
		f.Message = herald.ErrorMessage(err)
	}
}

// lines splits a textarea into trimmed, non-empty entries; commas separate
// entries too.
func lines(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// pathID reads the {id} path value; ok is false when it is not a number.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// formError shows err on a form that render draws again with a status,
// or fails the request when err is internal.
func (p *Portal) formError(w http.ResponseWriter, r *http.Request, f *form, err error, render func(status int)) {
	status := problem.Status(herald.ErrorCode(err))
	if status == http.StatusInternalServerError {
		p.fail(w, r, err)
		return
	}
	f.setError(err)
	render(status)
}

// confirmData is the data of a confirmation page: what a row's Delete
// opens when scripts do not run (with scripts a dialog asks instead).
type confirmData struct {
	Heading string
	Message string
	Action  string // where the form posts
	Button  string
	Cancel  string // where Cancel leads
}

// confirm renders a confirmation page.
func (p *Portal) confirm(w http.ResponseWriter, r *http.Request, active string, d confirmData) {
	pg := p.newPage(r, d.Heading)
	pg.Active = active
	pg.Data = d
	p.render(w, r, "confirm", pg)
}

// loadByID loads the item of the {id} path value with get. It answered
// the request when ok is false: 404 for an ID that is not a number, the
// error page when get fails.
func loadByID[T any](p *Portal, w http.ResponseWriter, r *http.Request, get func(ctx context.Context, id int64) (*T, error)) (*T, bool) {
	id, ok := pathID(r)
	if !ok {
		p.notFound(w, r)
		return nil, false
	}
	v, err := get(r.Context(), id)
	if err != nil {
		p.fail(w, r, err)
		return nil, false
	}
	return v, true
}

// getInAccount binds a load by account and ID to the signed-in user's
// account.
func getInAccount[T any](r *http.Request, get func(ctx context.Context, accountID, id int64) (*T, error)) func(context.Context, int64) (*T, error) {
	acc := state(r).User.AccountID
	return func(ctx context.Context, id int64) (*T, error) { return get(ctx, acc, id) }
}
