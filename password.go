package herald

import (
	"strings"
	"time"
	"unicode"
)

// PasswordPolicy holds the rules for portal passwords.
type PasswordPolicy struct {
	MinLength     int           // at least this many characters
	MaxLength     int           // at most this many characters
	MinGroups     int           // of: upper case, lower case, digits, special characters
	History       int           // a new password must differ from this many previous ones
	MaxAge        time.Duration // after this the password must be changed; 0 never
	MinAge        time.Duration // non-admins cannot change their own password sooner
	InactiveBlock time.Duration // non-admins not signed in for this long are blocked; 0 never
	IdleTimeout   time.Duration // a session idle this long is signed out
	MaxFailures   int           // consecutive failed sign-ins before a lock
	LockFor       time.Duration // how long the lock lasts
}

// DefaultPasswordPolicy returns the policy Herald ships with.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{
		MinLength:     8,
		MaxLength:     128,
		MinGroups:     3,
		History:       7,
		MaxAge:        60 * 24 * time.Hour,
		MinAge:        24 * time.Hour,
		InactiveBlock: 30 * 24 * time.Hour,
		IdleTimeout:   60 * time.Minute,
		MaxFailures:   5,
		LockFor:       15 * time.Minute,
	}
}

// CheckPassword reports the violations of the password rules that need no
// history: length and character groups, and that it is not the login. The
// violations name field.
func (p PasswordPolicy) CheckPassword(field, password, login string) Violations {
	var vs Violations
	n := len([]rune(password))
	switch {
	case n < p.MinLength:
		vs.Add(field, VTooShort, "The password must be at least %d characters long.", p.MinLength)
	case n > p.MaxLength:
		vs.Add(field, VTooLong, "The password must be at most %d characters long.", p.MaxLength)
	}
	if g := passwordGroups(password); g < p.MinGroups {
		vs.Add(field, VPolicy, "The password must mix at least %d of: upper-case letters, lower-case letters, digits, special characters.", p.MinGroups)
	}
	if login != "" && strings.EqualFold(password, login) {
		vs.Add(field, VPolicy, "The password must not be the login.")
	}
	return vs
}

// passwordGroups counts the character groups present in s.
func passwordGroups(s string) int {
	var upper, lower, digit, special bool
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			special = true
		}
	}
	n := 0
	for _, b := range [...]bool{upper, lower, digit, special} {
		if b {
			n++
		}
	}
	return n
}

// PasswordExpired reports whether a password set at changedAt has expired at now.
func (p PasswordPolicy) PasswordExpired(changedAt, now time.Time) bool {
	return p.MaxAge > 0 && now.Sub(changedAt) > p.MaxAge
}
