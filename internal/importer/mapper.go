package importer

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/phone"
)

// Mapper turns a row's cells into a contact by an import's mapping.
type Mapper struct {
	phone int // column of the phone number
	email int // -1 when not mapped
	tags  int // -1 when not mapped
	attrs []mappedAttr
	ids   []mappedIdentity
}

// mappedAttr is an attribute and its column.
type mappedAttr struct {
	col  int
	attr herald.Attribute
}

// mappedIdentity is an identity kind and its column.
type mappedIdentity struct {
	col  int
	kind string
}

// NewMapper builds the mapper of mapping for the account's attributes.
// A quick import maps the first column to the phone number and nothing
// else. It returns EINVALID when the phone number is not mapped or a
// field does not exist.
func NewMapper(mapping []herald.ColumnMapping, attrs []herald.Attribute, quick bool) (*Mapper, error) {
	m := &Mapper{phone: -1, email: -1, tags: -1}
	if quick {
		m.phone = 0
		return m, nil
	}
	byKey := map[string]herald.Attribute{}
	for _, a := range attrs {
		byKey[a.ColumnKey()] = a
	}
	var vs herald.Violations
	for _, c := range mapping {
		a, isAttr := byKey[c.Field]
		kind, isID := strings.CutPrefix(c.Field, herald.ColIdentity)
		switch {
		case c.Field == "":
		case c.Field == herald.FieldPhone:
			m.phone = c.Column
		case c.Field == herald.FieldEmail:
			m.email = c.Column
		case c.Field == herald.FieldTags:
			m.tags = c.Column
		case isAttr:
			m.attrs = append(m.attrs, mappedAttr{col: c.Column, attr: a})
		case isID:
			m.ids = append(m.ids, mappedIdentity{col: c.Column, kind: kind})
		default:
			vs.Add("mapping", herald.VUnknown, "Column %d is mapped to %q, which is not a contact field.", c.Column+1, c.Field)
		}
	}
	if m.phone < 0 {
		vs.Add("mapping", herald.VRequired, "Map a column to the phone number: it is the one required field.")
	}
	return m, vs.Err()
}

// cell returns the trimmed cell col of cells, "" when the row is short.
func cell(cells []string, col int) string {
	if col < 0 || col >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[col])
}

// Blank reports whether every cell of a row is empty.
func Blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Row converts row number n with cells. A row with problems has Err set
// to every reason, with the column it is in, and keeps a copy of cells.
func (m *Mapper) Row(n int, cells []string) herald.ImportRow {
	r := herald.ImportRow{Row: n}
	var errs []string
	if num, err := phone.Parse(cell(cells, m.phone)); err != nil {
		errs = append(errs, fmt.Sprintf("phone number (column %d) %s", m.phone+1, err.Error()))
	} else {
		r.Phone, r.Country = num.E164, num.Country
	}
	if e := strings.ToLower(cell(cells, m.email)); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			errs = append(errs, fmt.Sprintf("e-mail (column %d) %q is not an e-mail address", m.email+1, e))
		} else {
			r.Email = e
		}
	}
	if t := cell(cells, m.tags); t != "" {
		r.Tags = strings.Split(t, ",")
	}
	if len(m.attrs) > 0 {
		r.Values = make(map[int64]herald.Value, len(m.attrs))
	}
	for _, a := range m.attrs {
		v, err := a.attr.ParseValue(cell(cells, a.col))
		if err != nil {
			errs = append(errs, fmt.Sprintf("column %d: %s", a.col+1, strings.TrimSuffix(herald.ErrorMessage(err), ".")))
			continue
		}
		r.Values[a.attr.ID] = v
	}
	for _, id := range m.ids {
		if v := cell(cells, id.col); v != "" {
			if r.Identities == nil {
				r.Identities = map[string]string{}
			}
			r.Identities[id.kind] = v
		}
	}
	if len(errs) > 0 {
		r.Err = strings.ToUpper(errs[0][:1]) + errs[0][1:]
		for _, e := range errs[1:] {
			r.Err += "; " + e
		}
		r.Err += "."
		r.Cells = append([]string(nil), cells...)
	}
	return r
}

// SuggestMapping maps columns by their headers: to a preset's field when
// a preset names the header, or to the field whose name the header is
// (phone, e-mail, tags, an attribute or an identity).
func SuggestMapping(headers []string, attrs []herald.Attribute, preset map[string]string) []herald.ColumnMapping {
	names := map[string]string{"phone": herald.FieldPhone, "phone number": herald.FieldPhone, "phonenumber": herald.FieldPhone,
		"mobile": herald.FieldPhone, "msisdn": herald.FieldPhone, "telefono": herald.FieldPhone, "teléfono": herald.FieldPhone,
		"telefon": herald.FieldPhone, "email": herald.FieldEmail, "e-mail": herald.FieldEmail, "tags": herald.FieldTags}
	for _, a := range attrs {
		names[herald.Fold(a.Name)] = a.ColumnKey()
	}
	for _, k := range herald.IdentityKinds() {
		names[k] = herald.ColIdentity + k
	}
	used := map[string]bool{}
	out := make([]herald.ColumnMapping, len(headers))
	for i, h := range headers {
		h = herald.Fold(h)
		field, ok := preset[h]
		if !ok {
			field = names[h]
		}
		if field != "" && !used[field] {
			used[field] = true
			out[i] = herald.ColumnMapping{Column: i, Field: field}
		} else {
			out[i] = herald.ColumnMapping{Column: i}
		}
	}
	return out
}

// PresetOf returns the preset mapping (folded header to field) of mapping
// over headers.
func PresetOf(headers []string, mapping []herald.ColumnMapping) map[string]string {
	out := map[string]string{}
	for _, m := range mapping {
		if m.Field != "" && m.Column < len(headers) && strings.TrimSpace(headers[m.Column]) != "" {
			out[herald.Fold(headers[m.Column])] = m.Field
		}
	}
	return out
}

// ColumnName is the spreadsheet name of column i (0 is A).
func ColumnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}
