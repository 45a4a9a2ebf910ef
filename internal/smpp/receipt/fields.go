package receipt

import "strings"

// key identifies a receipt field.
type key uint8

const (
	keyNone key = iota
	keyID
	keySub
	keyDlvrd
	keySubmitDate
	keyDoneDate
	keyStat
	keyErr
	keyText
	numKeys
)

// field is one "key:value" of a receipt text.
type field struct {
	key      key
	start    int // offset of the key
	valStart int // offset just after the colon
	val      string
}

// fields splits a receipt text into its known fields. A key is a known word
// (in any case, with or without underscores, "submit date" and "done date"
// as two words) followed by optional spaces and a colon or an equals sign,
// and preceded by the start of the text or a character that is not a letter
// or digit. The first occurrence of each key counts; a value runs to the
// next counted key, so a colon or an already seen key inside the message
// text (which comes last) does not cut it.
func fields(s string) []field {
	var seen [numKeys]bool
	fs := make([]field, 0, 8)
	for i := 0; i < len(s); i++ {
		if s[i] != ':' && s[i] != '=' {
			continue
		}
		k, start := keyBefore(s, i)
		if k == keyNone || seen[k] {
			continue
		}
		seen[k] = true
		fs = append(fs, field{key: k, start: start, valStart: i + 1})
	}
	for j := range fs {
		end := len(s)
		if j+1 < len(fs) {
			end = fs[j+1].start
		}
		v := s[fs[j].valStart:end]
		if fs[j].key != keyText {
			v = strings.Trim(v, " \t\r\n,;\x00")
		} else {
			v = strings.TrimRight(strings.TrimLeft(v, " "), "\x00\r\n")
		}
		fs[j].val = v
	}
	return fs
}

// keyBefore returns the key that ends just before the separator at s[i],
// and the offset where it starts.
func keyBefore(s string, i int) (key, int) {
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	end := j
	for j > 0 && isWordChar(s[j-1]) {
		j--
	}
	if j == end || j > 0 && isAlnum(s[j-1]) {
		return keyNone, 0
	}
	word := s[j:end]
	if strings.EqualFold(word, "date") || strings.EqualFold(word, "time") {
		m := j
		for m > 0 && s[m-1] == ' ' {
			m--
		}
		e := m
		for m > 0 && isWordChar(s[m-1]) {
			m--
		}
		if m > 0 && isAlnum(s[m-1]) {
			return keyNone, 0
		}
		switch lookupKey(s[m:e]) {
		case keySub, keySubmitDate:
			return keySubmitDate, m
		case keyDoneDate, keyNone:
			if strings.EqualFold(s[m:e], "done") {
				return keyDoneDate, m
			}
		}
		return keyNone, 0
	}
	return lookupKey(word), j
}

// lookupKey maps a key word to its key, ignoring case and underscores.
func lookupKey(word string) key {
	w := strings.ToLower(strings.ReplaceAll(word, "_", ""))
	switch w {
	case "id", "msgid", "messageid", "smscid":
		return keyID
	case "sub":
		return keySub
	case "dlvrd", "dlvr", "delivered":
		return keyDlvrd
	case "submitdate", "submittime", "submitted", "subdate":
		return keySubmitDate
	case "submit":
		return keySubmitDate // "submit date" as two words, resolved by keyBefore
	case "donedate", "donetime":
		return keyDoneDate
	case "stat", "status", "state":
		return keyStat
	case "err", "error", "errcode", "errorcode":
		return keyErr
	case "text", "txt":
		return keyText
	}
	return keyNone
}

// isWordChar reports whether c can be part of a key word.
func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
