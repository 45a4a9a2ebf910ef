package api

import (
	"context"
	"net/http"
)

// The helpers in this file hold the steps that the per-resource handlers
// share for /{id} routes. The load, save and delete functions are usually
// store method values such as Contacts.Attribute, whose (ctx, accountID, id)
// shape keeps every lookup scoped to the caller's account.

// getByID answers GET …/{id}: it parses the id, loads the object of
// accountID with load and answers 200 with it.
func getByID[T any](w http.ResponseWriter, r *http.Request, accountID int64,
	load func(ctx context.Context, accountID, id int64) (T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := load(r.Context(), accountID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// deleteByID answers DELETE …/{id}: it parses the id, deletes the object of
// accountID with del and answers 204.
func deleteByID(w http.ResponseWriter, r *http.Request, accountID int64,
	del func(ctx context.Context, accountID, id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := del(r.Context(), accountID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// patch answers PATCH …/{id}: it parses the id and loads the object, so that
// an unknown id is reported before a bad body, then decodes the body into an
// I, lets apply copy it onto the object (and validate it), saves it and
// answers 200 with the object as saved.
func patch[T, I any](w http.ResponseWriter, r *http.Request, accountID int64,
	load func(ctx context.Context, accountID, id int64) (T, error),
	apply func(in I, v T) error,
	save func(ctx context.Context, v T) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := load(r.Context(), accountID, id)
	if err != nil {
		return err
	}
	var in I
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := apply(in, v); err != nil {
		return err
	}
	if err := save(r.Context(), v); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
