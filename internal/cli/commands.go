package cli

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
)

// migrate applies pending migrations, or prints the schema status.
func migrate(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("migrate", env)
	status := fs.Bool("status", false, "print the schema version without migrating")
	load := commonFlags(fs, env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	m, err := open(ctx, env, cfg) // Open migrates
	if err != nil {
		return err
	}
	defer m.Close()
	st, err := m.Store.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	verb := "migrated"
	if *status {
		verb = "schema"
	}
	fmt.Fprintf(env.Stdout, "%s: engine=%s version=%d latest=%d\n", verb, m.Store.Engine(), st.Current, st.Latest)
	return nil
}

// createUser creates a portal user from the shell.
func createUser(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("user create", env)
	account := fs.String("account", herald.DefaultAccountName, "account (company) name")
	login := fs.String("login", "", "login (required)")
	email := fs.String("email", "", "e-mail (required)")
	first := fs.String("first-name", "", "first name (required)")
	last := fs.String("last-name", "", "last name (required)")
	dept := fs.String("department", herald.DepartmentFirstLine, "department")
	roles := fs.String("roles", herald.RoleAdmin, "comma-separated role names")
	password := fs.String("password", "", "password; generated and printed when empty")
	owner := fs.Bool("system-owner", false, "may manage every account")
	load := commonFlags(fs, env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	m, err := open(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	acc, err := m.Store.AccountByName(ctx, *account)
	if err != nil {
		return fmt.Errorf("account %q: %w", *account, err)
	}
	u := &herald.User{AccountID: acc.ID, Login: *login, Email: *email, FirstName: *first, LastName: *last,
		Department: *dept, Language: "en", Active: true, SystemOwner: *owner}
	for _, name := range splitList(*roles) {
		id, err := app.RoleID(ctx, m.Store, acc.ID, name)
		if err != nil {
			return err
		}
		u.RoleIDs = append(u.RoleIDs, id)
	}
	pw := *password
	if pw == "" {
		pw = app.GeneratePassword()
	}
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: acc.ID, Login: "cli"})
	if err := m.Auth.CreateUser(ctx, u, pw); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created user %q (id %d) in account %q\n", u.Login, u.ID, acc.Name)
	if *password == "" {
		fmt.Fprintf(env.Stdout, "password: %s\n(change required at first sign-in)\n", pw)
	}
	return nil
}

// createAPIKey creates an API key from the shell and prints it once.
func createAPIKey(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("apikey create", env)
	account := fs.String("account", herald.DefaultAccountName, "account (company) name")
	name := fs.String("name", "", "key name (required)")
	scopes := fs.String("scopes", "", "comma-separated scopes: recipients, broadcast, crm, omni-api, dids, admin")
	webhook := fs.String("webhook", "", "webhook URL for statuses and inbound messages")
	senders := fs.String("senders", "", "comma-separated sender IDs the key may use (default any)")
	ips := fs.String("allowed-ips", "", "comma-separated addresses or CIDR prefixes (default any)")
	load := commonFlags(fs, env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	m, err := open(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	acc, err := m.Store.AccountByName(ctx, *account)
	if err != nil {
		return fmt.Errorf("account %q: %w", *account, err)
	}
	k := &herald.APIKey{AccountID: acc.ID, Name: *name, WebhookURL: *webhook,
		SenderIDs: splitList(*senders), AllowedIPs: splitList(*ips)}
	for _, s := range splitList(*scopes) {
		k.Scopes = append(k.Scopes, herald.Scope(s))
	}
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: acc.ID, Login: "cli"})
	key, err := m.Auth.CreateAPIKey(ctx, k)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, key)
	return nil
}
