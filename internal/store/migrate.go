package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder of goose SQL files per engine.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrations returns the migration files of engine (EngineSQLite or
// EnginePostgres), for tools that need to know the schema, such as tests
// that build a template database once per schema.
func Migrations(engine string) (fs.FS, error) {
	sub, err := fs.Sub(migrations, "migrations/"+engine)
	if err != nil {
		return nil, fmt.Errorf("reading %s migrations: %w", engine, err)
	}
	return sub, nil
}

// MigrationStatus is the schema version of the database and the newest
// version this binary knows.
type MigrationStatus struct {
	Current int64 // applied to the database; 0 when none
	Latest  int64 // embedded in the binary
}

// Pending reports whether migrations wait to be applied.
func (m MigrationStatus) Pending() bool { return m.Current < m.Latest }

// newMigrator builds the goose provider for the Store's engine. On
// PostgreSQL an advisory lock lets several processes start at once.
func (s *Store) newMigrator() error {
	fsys, err := Migrations(s.engine)
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect, db := goose.DialectSQLite3, s.writer
	if s.engine == EnginePostgres {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("creating migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
		dialect, db = goose.DialectPostgres, s.pgSQL
	}
	p, err := goose.NewProvider(dialect, db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("loading migrations: %w", err)
	}
	s.migrator = p
	return nil
}

// Migrate applies the pending migrations, each in its own transaction,
// and builds the indexes of contacts that an import deferred and did not
// finish (see RestoreContactIndexes).
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.migrator.Up(ctx); err != nil {
		return fmt.Errorf("migrating database: %w", err)
	}
	return s.RestoreContactIndexes(ctx)
}

// MigrationStatus returns the applied and the latest schema version.
func (s *Store) MigrationStatus(ctx context.Context) (MigrationStatus, error) {
	current, latest, err := s.migrator.GetVersions(ctx)
	if err != nil {
		return MigrationStatus{}, fmt.Errorf("reading schema version: %w", err)
	}
	return MigrationStatus{Current: current, Latest: latest}, nil
}

// Ready returns nil when the database answers and its schema is current,
// and an error otherwise: /readyz reports it and serve refuses to run on
// an old schema.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return fmt.Errorf("pinging database: %w", err)
	}
	pending, err := s.migrator.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("checking schema version: %w", err)
	} else if !pending {
		return nil
	}
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	return fmt.Errorf("database schema is at version %d but this binary needs %d: run herald migrate", st.Current, st.Latest)
}
