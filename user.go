package herald

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Default departments; admins create more. Users of the Admin department see
// every conversation.
const (
	DepartmentAdmin     = "Admin"
	DepartmentFirstLine = "First line support"
)

// User is a person who signs in to the portal of one account.
type User struct {
	ID          int64   `json:"id"`
	AccountID   int64   `json:"-"`
	FirstName   string  `json:"firstName"`
	MiddleName  string  `json:"middleName"`
	LastName    string  `json:"lastName"`
	Login       string  `json:"login"`
	Email       string  `json:"email"`
	Phone       string  `json:"phone"`
	Department  string  `json:"department"`
	Language    string  `json:"language"` // "en" or "es"
	Active      bool    `json:"active"`
	RoleIDs     []int64 `json:"roleIds"`
	SystemOwner bool    `json:"systemOwner"` // may manage every account

	// Filled by the store when it loads a user.
	Admin       bool          `json:"admin"`       // holds the Admin system role
	Permissions PermissionSet `json:"-"`           // union of the roles' permissions
	TwoFactor   bool          `json:"twoFactor"`   // TOTP second factor enabled
	LastLoginAt *time.Time    `json:"lastLoginAt"` // nil before the first sign-in
	CreatedAt   time.Time     `json:"createdAt"`
	UpdatedAt   time.Time     `json:"updatedAt"`
}

// Name returns the user's first and last name.
func (u *User) Name() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// Can reports whether the user holds permission p.
func (u *User) Can(p Permission) bool { return u.Admin || u.Permissions.Has(p) }

var (
	loginRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$`)
	phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{3,30}$`)
)

// Validate checks the user's fields and fills defaults. Department existence
// and login uniqueness are checked by the store.
func (u *User) Validate() error {
	var vs Violations
	u.FirstName = strings.TrimSpace(u.FirstName)
	u.MiddleName = strings.TrimSpace(u.MiddleName)
	u.LastName = strings.TrimSpace(u.LastName)
	u.Login = strings.TrimSpace(u.Login)
	u.Email = strings.TrimSpace(u.Email)
	u.Phone = strings.TrimSpace(u.Phone)
	u.Department = strings.TrimSpace(u.Department)
	vs.CheckLen("firstName", u.FirstName, true, 50)
	vs.CheckLen("middleName", u.MiddleName, false, 50)
	vs.CheckLen("lastName", u.LastName, true, 50)
	vs.CheckLen("login", u.Login, true, 64)
	if !vs.Has("login") && !loginRE.MatchString(u.Login) {
		vs.Add("login", VFormat, "Login must be 2 to 64 characters: letters, digits, '.', '_', '@' or '-', starting with a letter or digit.")
	}
	vs.CheckLen("email", u.Email, true, 254)
	if !vs.Has("email") {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			vs.Add("email", VFormat, "Enter an e-mail address such as name@example.com.")
		}
	}
	if u.Phone != "" && !phoneRE.MatchString(u.Phone) {
		vs.Add("phone", VFormat, "Enter a phone number of digits, optionally starting with +.")
	}
	if u.Department == "" {
		u.Department = DepartmentFirstLine
	}
	vs.CheckLen("department", u.Department, true, 64)
	if u.Language == "" {
		u.Language = "en"
	}
	if !knownLanguage(u.Language) {
		vs.Add("language", VUnknown, "Language must be en or es.")
	}
	if len(u.RoleIDs) == 0 {
		vs.Add("roleIds", VRequired, "Assign at least one role.")
	}
	return vs.Err()
}

// knownLanguage reports whether the portal speaks l.
func knownLanguage(l string) bool { return l == "en" || l == "es" }

// UserColumns are the columns of the Users table.
func UserColumns() []Column {
	return []Column{
		{Key: "id", Label: "ID", Type: ColNumber, Sortable: true, Filterable: true, Hidden: true},
		{Key: "firstName", Label: "First name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "middleName", Label: "Middle name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "lastName", Label: "Last name", Type: ColText, Sortable: true, Filterable: true},
		{Key: "login", Label: "Login", Type: ColText, Sortable: true, Filterable: true},
		{Key: "email", Label: "E-mail", Type: ColText, Sortable: true, Filterable: true},
		{Key: "phone", Label: "Contact phone", Type: ColText, Sortable: true, Filterable: true},
		{Key: "department", Label: "Department", Type: ColText, Sortable: true, Filterable: true, Hidden: true},
		{Key: "active", Label: "Active", Type: ColBool, Sortable: true, Filterable: true, Hidden: true},
		{Key: "lastLoginAt", Label: "Last sign-in", Type: ColTime, Sortable: true, Filterable: true, Hidden: true},
		{Key: "createdAt", Label: "Created", Type: ColTime, Sortable: true, Filterable: true},
		{Key: "updatedAt", Label: "Updated", Type: ColTime, Sortable: true, Filterable: true},
	}
}

// Credentials are a user's secrets and sign-in state. They never leave the
// auth service; the User type does not carry them.
type Credentials struct {
	UserID             int64
	PasswordHash       string     // argon2id, PHC string format
	PasswordChangedAt  time.Time  // when the password was last set
	MustChangePassword bool       // set by admins and on first sign-in
	TOTPSecret         []byte     // sealed with the server's secret key; nil when none
	TOTPEnabled        bool       // the second factor is confirmed and required
	FailedLogins       int        // consecutive failures since the last success
	LockedUntil        *time.Time // sign-in refused until then
	LastLoginAt        *time.Time // last successful sign-in
}

// UserStore keeps users and their credentials. Methods that take accountID
// are scoped to it: another account's user is ENOTFOUND.
type UserStore interface {
	// CreateUser inserts u with its roles and first password hash (also the
	// first entry of the password history) and sets ID and times.
	// MustChangePassword starts as mustChange. EINVALID with VTaken on
	// "login" when any account uses the login (case-insensitive), with
	// VUnknown on "department" or "roleIds" for unknown ones.
	CreateUser(ctx context.Context, u *User, passwordHash string, mustChange bool) error
	// User returns one user with roles, permissions and admin flag.
	User(ctx context.Context, accountID, id int64) (*User, error)
	// UserByID returns a user of any account, for sessions. ENOTFOUND.
	UserByID(ctx context.Context, id int64) (*User, error)
	// UserByLogin returns the user with login (case-insensitive) in any
	// account, for sign-in. ENOTFOUND.
	UserByLogin(ctx context.Context, login string) (*User, error)
	// UpdateUser saves the profile fields, active flag, roles and system
	// owner flag. Same errors as CreateUser.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes a user and their sessions' reach.
	DeleteUser(ctx context.Context, accountID, id int64) error
	// ListUsers returns one page of users (UserColumns).
	ListUsers(ctx context.Context, accountID int64, q ListQuery) (Page[User], error)
	// CountActiveAdmins counts active users of the account holding the Admin role.
	CountActiveAdmins(ctx context.Context, accountID int64) (int, error)

	// Credentials returns the user's secrets and sign-in state.
	Credentials(ctx context.Context, userID int64) (*Credentials, error)
	// PasswordHistory returns the user's last n password hashes, newest first.
	PasswordHistory(ctx context.Context, userID int64, n int) ([]string, error)
	// SetPassword stores a new hash, appends it to the history, sets
	// PasswordChangedAt to now and MustChangePassword to mustChange.
	SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error
	// RecordLoginSuccess clears failures and the lock and sets LastLoginAt.
	RecordLoginSuccess(ctx context.Context, userID int64) error
	// RecordLoginFailure counts one failure, sets LockedUntil to lockUntil
	// when it is not nil, and returns the new count of consecutive failures.
	RecordLoginFailure(ctx context.Context, userID int64, lockUntil *time.Time) (int, error)
	// SetTOTP stores the sealed TOTP secret (nil clears it) and whether it is enabled.
	SetTOTP(ctx context.Context, userID int64, sealedSecret []byte, enabled bool) error
	// UseTOTPStep records that the user gave the TOTP code of time step
	// step; false when a code of that step or a later one was taken
	// already (a replayed code).
	UseTOTPStep(ctx context.Context, userID, step int64) (bool, error)

	// Departments returns the account's departments in name order.
	Departments(ctx context.Context, accountID int64) ([]string, error)
	// CreateDepartment adds a department; EINVALID with VTaken if it exists.
	CreateDepartment(ctx context.Context, accountID int64, name string) error

	// UserPref returns a per-user preference (such as a table's chosen
	// columns or the theme); "" when unset.
	UserPref(ctx context.Context, userID int64, key string) (string, error)
	// SetUserPref saves a per-user preference.
	SetUserPref(ctx context.Context, userID int64, key, value string) error
}
