package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/listquery"
	"github.com/heraldhq/herald/internal/problem"
)

// maxBody bounds request bodies.
const maxBody = 1 << 20

// decode reads a JSON object into v. It refuses other content types, bodies
// over 1 MiB and unknown fields, and says where malformed JSON broke.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return herald.Errorf(problem.CodeUnsupportedMedia, "Send the body as application/json, not %s.", mt)
		}
	}
	body, err := readBody(r)
	if err != nil {
		return herald.Errorf(problem.CodeBadRequest, "Could not read the request body.")
	}
	if len(body) > maxBody {
		return herald.Errorf(problem.CodeBadRequest, "The request body is larger than %d bytes.", maxBody)
	}
	return decodeJSON(body, v)
}

// readBody reads r's body, at most maxBody+1 bytes: in one buffer of the
// announced length when there is one.
func readBody(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= maxBody {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, maxBody+1))
}

// decodeJSON reads one JSON value from body into v, refusing unknown
// fields.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(body, err)
	}
	if dec.More() {
		return herald.Errorf(problem.CodeBadRequest, "The body holds more than one JSON value.")
	}
	return nil
}

// jsonError explains a decoding error: where the syntax broke, which field
// has the wrong type, which field is unknown.
func jsonError(body []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return herald.Errorf(problem.CodeBadRequest, "The request body is empty; send a JSON object.")
	case errors.As(err, &syn):
		line, col := position(body, syn.Offset)
		return herald.Errorf(problem.CodeBadRequest, "Malformed JSON at line %d, column %d: %s.", line, col, syn.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(body, int64(len(body)))
		return herald.Errorf(problem.CodeBadRequest, "Malformed JSON: the body ends early at line %d, column %d.", line, col)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return herald.Errorf(problem.CodeBadRequest, "The body must be a JSON object.")
		}
		return herald.Violations{{Field: field, Code: herald.VFormat, Message: fmt.Sprintf("%s must be %s, not %s.", field, jsonType(typ.Type.Kind().String()), typ.Value)}}.Err()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return herald.Violations{{Field: name, Code: herald.VUnknown, Message: fmt.Sprintf("Unknown field %q.", name)}}.Err()
	}
	return herald.Errorf(problem.CodeBadRequest, "Malformed JSON: %s.", err.Error())
}

// jsonType names a Go kind the way a JSON user would.
func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "bool":
		return "true or false"
	case kind == "slice", kind == "array":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	}
	return "a string"
}

// position turns a byte offset into a 1-based line and column.
func position(body []byte, off int64) (line, col int) {
	if off > int64(len(body)) {
		off = int64(len(body))
	}
	before := body[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, herald.Errorf(herald.ENOTFOUND, "No object with id %q.", r.PathValue("id"))
	}
	return id, nil
}

// list is the body of every list answer.
type list[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
	Prev  string `json:"prev,omitempty"`
}

// listOf wraps a store page, never answering null for no items.
func listOf[T any](p herald.Page[T]) list[T] {
	if p.Items == nil {
		p.Items = []T{}
	}
	return list[T]{Items: p.Items, Next: p.Next, Prev: p.Prev}
}

// listQuery parses a list request's filters for cols.
func listQuery(r *http.Request, cols []herald.Column) (herald.ListQuery, error) {
	return listquery.Parse(r.URL.Query(), cols)
}
