package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
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
	c := newAccountCmd("user create", env)
	fs := c.fs
	login := fs.String("login", "", "login (required)")
	email := fs.String("email", "", "e-mail (required)")
	first := fs.String("first-name", "", "first name (required)")
	last := fs.String("last-name", "", "last name (required)")
	dept := fs.String("department", herald.DepartmentFirstLine, "department")
	roles := fs.String("roles", herald.RoleAdmin, "comma-separated role names")
	password := fs.String("password", "", "password; generated and printed when empty")
	owner := fs.Bool("system-owner", false, "may manage every account")
	m, acc, ctx, err := c.open(ctx, args)
	if err != nil {
		return err
	}
	defer m.Close()
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
	c := newAccountCmd("apikey create", env)
	fs := c.fs
	name := fs.String("name", "", "key name (required)")
	scopes := fs.String("scopes", "", "comma-separated scopes: recipients, broadcast, crm, omni-api, dids, admin")
	webhook := fs.String("webhook", "", "webhook URL for statuses and inbound messages")
	senders := fs.String("senders", "", "comma-separated sender IDs the key may use (default any)")
	ips := fs.String("allowed-ips", "", "comma-separated addresses or CIDR prefixes (default any)")
	m, acc, ctx, err := c.open(ctx, args)
	if err != nil {
		return err
	}
	defer m.Close()
	k := &herald.APIKey{AccountID: acc.ID, Name: *name, WebhookURL: *webhook,
		SenderIDs: splitList(*senders), AllowedIPs: splitList(*ips)}
	for _, s := range splitList(*scopes) {
		k.Scopes = append(k.Scopes, herald.Scope(s))
	}
	key, err := m.Auth.CreateAPIKey(ctx, k)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, key)
	return nil
}

// accountCmd is a command that works in one account, named by --account.
type accountCmd struct {
	env     Env
	fs      *flag.FlagSet
	account *string
	load    func() (config.Config, error)
}

func newAccountCmd(name string, env Env) *accountCmd {
	fs := newFlagSet(name, env)
	c := &accountCmd{env: env, fs: fs}
	c.account = fs.String("account", herald.DefaultAccountName, "account (company) name")
	c.load = commonFlags(fs, env)
	return c
}

// open parses args, boots Herald and finds the account. It returns a
// context whose actor is the shell in that account; the caller must Close
// the Main.
func (c *accountCmd) open(ctx context.Context, args []string) (*app.Main, *herald.Account, context.Context, error) {
	if err := c.fs.Parse(args); err != nil {
		return nil, nil, nil, err
	}
	if c.fs.NArg() > 0 {
		return nil, nil, nil, fmt.Errorf("unexpected argument %q", c.fs.Arg(0))
	}
	cfg, err := c.load()
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := open(ctx, c.env, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	acc, err := m.Store.AccountByName(ctx, *c.account)
	if err != nil {
		_ = m.Close()
		if herald.IsNotFound(err) {
			err = herald.Errorf(herald.ENOTFOUND, "No account named %q.", *c.account)
		}
		return nil, nil, nil, fmt.Errorf("account %q: %w", *c.account, err)
	}
	ctx = herald.WithActor(ctx, herald.Actor{AccountID: acc.ID, Login: "cli"})
	return m, acc, ctx, nil
}
