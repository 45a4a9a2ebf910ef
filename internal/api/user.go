package api

import (
	"net/http"

	"github.com/heraldhq/herald"
)

func (h *Handler) userRoutes() []Route {
	s := herald.ScopeAdmin
	return []Route{
		{Method: "GET", Path: Prefix + "/users", Scope: s, Summary: "List users", handle: h.listUsers},
		{Method: "POST", Path: Prefix + "/users", Scope: s, Create: true, Summary: "Create a user", handle: h.createUser},
		{Method: "GET", Path: Prefix + "/users/{id}", Scope: s, Summary: "Get a user", handle: h.getUser},
		{Method: "PATCH", Path: Prefix + "/users/{id}", Scope: s, Summary: "Change a user", handle: h.updateUser},
		{Method: "DELETE", Path: Prefix + "/users/{id}", Scope: s, Summary: "Delete a user", handle: h.deleteUser},
	}
}

// userInput is the body of POST and PATCH /users. Absent fields keep their
// value on PATCH.
type userInput struct {
	FirstName  *string  `json:"firstName"`
	MiddleName *string  `json:"middleName"`
	LastName   *string  `json:"lastName"`
	Login      *string  `json:"login"`
	Email      *string  `json:"email"`
	Phone      *string  `json:"phone"`
	Department *string  `json:"department"`
	Language   *string  `json:"language"`
	Active     *bool    `json:"active"`
	RoleIDs    *[]int64 `json:"roleIds"`
	Password   string   `json:"password"`
}

// apply copies the fields present in in onto u.
func (in userInput) apply(u *herald.User) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&u.FirstName, in.FirstName)
	set(&u.MiddleName, in.MiddleName)
	set(&u.LastName, in.LastName)
	set(&u.Login, in.Login)
	set(&u.Email, in.Email)
	set(&u.Phone, in.Phone)
	set(&u.Department, in.Department)
	set(&u.Language, in.Language)
	if in.Active != nil {
		u.Active = *in.Active
	}
	if in.RoleIDs != nil {
		u.RoleIDs = *in.RoleIDs
	}
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, c *call) error {
	q, err := listQuery(r, herald.UserColumns())
	if err != nil {
		return err
	}
	p, err := h.deps.Store.ListUsers(r.Context(), c.key.AccountID, q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(p))
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, c *call) error {
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u := &herald.User{AccountID: c.key.AccountID, Active: true}
	in.apply(u)
	if err := h.deps.Auth.CreateUser(r.Context(), u, in.Password); err != nil {
		return err
	}
	u, err := h.deps.Store.User(r.Context(), c.key.AccountID, u.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/users/"+itoa(u.ID))
	return writeJSON(w, http.StatusCreated, u)
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request, c *call) error {
	return getByID(w, r, c.key.AccountID, h.deps.Store.User)
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := h.deps.Store.User(r.Context(), c.key.AccountID, id)
	if err != nil {
		return err
	}
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	in.apply(u)
	if err := h.deps.Auth.UpdateUser(r.Context(), u, in.Password); err != nil {
		return err
	}
	if u, err = h.deps.Store.User(r.Context(), c.key.AccountID, id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, c *call) error {
	return deleteByID(w, r, c.key.AccountID, h.deps.Auth.DeleteUser)
}
