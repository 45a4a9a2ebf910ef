package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/heraldhq/herald"
)

// FirstAdminLogin is the login of the admin created on first start.
const FirstAdminLogin = "admin"

// bootstrap creates, on a database with no accounts, the first account
// "default" with its Admin user "admin", who is also the system owner. The
// password comes from the configuration or is generated and printed once.
func (m *Main) bootstrap(ctx context.Context) error {
	n, err := m.Store.CountAccounts(ctx)
	if err != nil {
		return fmt.Errorf("counting accounts: %w", err)
	}
	if n > 0 {
		return nil
	}
	ctx = herald.WithActor(ctx, herald.Actor{Login: "system"})
	acc := &herald.Account{Name: herald.DefaultAccountName, TimeZone: "UTC"}
	if err := acc.Validate(); err != nil {
		return err
	}
	if err := m.Store.CreateAccount(ctx, acc); err != nil {
		return fmt.Errorf("creating the first account: %w", err)
	}
	adminRole, err := RoleID(ctx, m.Store, acc.ID, herald.RoleAdmin)
	if err != nil {
		return err
	}
	password, generated := m.Config.AdminPassword, false
	if password == "" {
		password, generated = GeneratePassword(), true
	}
	u := &herald.User{
		AccountID: acc.ID, FirstName: "Herald", LastName: "Administrator", Login: FirstAdminLogin,
		Email: "admin@localhost.localdomain", Department: herald.DepartmentAdmin, Language: "en",
		Active: true, RoleIDs: []int64{adminRole}, SystemOwner: true,
	}
	if err := m.Auth.CreateUser(ctx, u, password); err != nil {
		return fmt.Errorf("creating the first admin (check HERALD_ADMIN_PASSWORD against the password policy): %w", err)
	}
	m.Log.Info("created the first account and its admin", "account", acc.Name, "login", u.Login)
	if generated {
		fmt.Fprintf(m.Stdout, "\n  Herald created the first admin.\n  Sign in at %s as %q with the password:\n\n      %s\n\n  It is shown only now; you will be asked to change it at first sign-in.\n\n",
			m.Config.PublicURL(), u.Login, password)
	}
	return nil
}

// RoleID finds a role of the account by name; EINVALID when there is none.
func RoleID(ctx context.Context, s interface {
	AllRoles(context.Context, int64) ([]herald.Role, error)
}, accountID int64, name string) (int64, error) {
	roles, err := s.AllRoles(ctx, accountID)
	if err != nil {
		return 0, fmt.Errorf("loading roles: %w", err)
	}
	for _, r := range roles {
		if r.Name == name {
			return r.ID, nil
		}
	}
	return 0, herald.Errorf(herald.EINVALID, "No role named %q in the account.", name)
}

// GeneratePassword returns a random 16-character password that meets the
// password policy: it holds upper case, lower case, digits and a symbol.
func GeneratePassword() string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnopqrstuvwxyz"
		digits = "23456789"
		symbol = "-_.!@#%+="
	)
	sets := []string{upper, lower, digits, symbol}
	all := upper + lower + digits + symbol
	b := make([]byte, 16)
	for i := range b {
		set := all
		if i < len(sets) {
			set = sets[i]
		}
		b[i] = set[randInt(len(set))]
	}
	for i := len(b) - 1; i > 0; i-- { // shuffle so the classes are not in fixed places
		j := randInt(i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(fmt.Sprintf("reading random number: %v", err))
	}
	return int(v.Int64())
}
