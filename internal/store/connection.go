package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// Audited actions on connections.
const (
	actionAddConnection      = "Added new connection"
	actionChangeConnection   = "Changed connection"
	actionAssignConnection   = "Assigned connection"
	actionUnassignConnection = "Unassigned connection"
)

// connectionSelects are the columns scanConnection reads.
const connectionSelects = "c.id, c.type, c.channel, c.name, c.settings, c.secrets, c.tps, c.created_at, c.updated_at"

// scanConnection reads connectionSelects.
func scanConnection(r scanner) (herald.Connection, error) {
	var c herald.Connection
	var settings string
	err := r.Scan(&c.ID, &c.Type, &c.Channel, &c.Name, &settings, &c.SealedSecrets, &c.TPS, &c.CreatedAt, &c.UpdatedAt)
	c.Settings = json.RawMessage(settings)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	c.Accounts = []int64{}
	return c, err
}

// connectionErr maps the errors of saving a connection.
func connectionErr(err error) error {
	if isUnique(err, "connections_name_key", "connections.name") {
		return taken("name", "Another connection has this name.")
	}
	return fmt.Errorf("saving connection: %w", err)
}

// sealed returns b for a BLOB column: nil stays NULL.
func sealed(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// CreateConnection inserts c and sets its ID and times.
func (s *Store) CreateConnection(ctx context.Context, c *herald.Connection) error {
	return s.inTx(ctx, func(t *tx) error {
		c.CreatedAt, c.UpdatedAt = t.now, t.now
		err := t.queryRow(ctx, `INSERT INTO connections (type, channel, name, settings, secrets, tps, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			c.Type, c.Channel, c.Name, string(c.Settings), sealed(c.SealedSecrets), c.TPS, t.now).Scan(&c.ID)
		if err != nil {
			return connectionErr(err)
		}
		if c.Accounts == nil {
			c.Accounts = []int64{}
		}
		for _, a := range c.Accounts {
			if err := assign(ctx, t, c.ID, a); err != nil {
				return err
			}
		}
		return s.audit(ctx, t, herald.ActorFrom(ctx).AccountID, actionAddConnection, detail("connections", herald.OpInsert, c.ID, nil, c))
	})
}

// Connection returns one connection with its accounts, or ENOTFOUND.
func (s *Store) Connection(ctx context.Context, id int64) (*herald.Connection, error) {
	return getConnection(ctx, s.read(), id)
}

// getConnection reads one connection with its accounts.
func getConnection(ctx context.Context, q querier, id int64) (*herald.Connection, error) {
	c, err := scanConnection(q.queryRow(ctx, "SELECT "+connectionSelects+" FROM connections c WHERE c.id = $1", id))
	if isNoRows(err) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Connection not found.")
	} else if err != nil {
		return nil, fmt.Errorf("reading connection: %w", err)
	}
	if err := loadConnectionAccounts(ctx, q, []*herald.Connection{&c}); err != nil {
		return nil, err
	}
	return &c, nil
}

// Connections returns every connection, by ID.
func (s *Store) Connections(ctx context.Context) ([]herald.Connection, error) {
	rs, err := s.read().query(ctx, "SELECT "+connectionSelects+" FROM connections c ORDER BY c.id")
	if err != nil {
		return nil, fmt.Errorf("listing connections: %w", err)
	}
	defer rs.Close()
	var out []herald.Connection
	for rs.Next() {
		c, err := scanConnection(rs)
		if err != nil {
			return nil, fmt.Errorf("listing connections: %w", err)
		}
		out = append(out, c)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("listing connections: %w", err)
	}
	ptrs := make([]*herald.Connection, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, loadConnectionAccounts(ctx, s.read(), ptrs)
}

// loadConnectionAccounts fills the Accounts of cs.
func loadConnectionAccounts(ctx context.Context, q querier, cs []*herald.Connection) error {
	byID := map[int64]*herald.Connection{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	rs, err := q.query(ctx, "SELECT connection_id, account_id FROM connection_accounts ORDER BY connection_id, account_id")
	if err != nil {
		return fmt.Errorf("reading connection accounts: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var cid, aid int64
		if err := rs.Scan(&cid, &aid); err != nil {
			return fmt.Errorf("reading connection accounts: %w", err)
		}
		if c := byID[cid]; c != nil {
			c.Accounts = append(c.Accounts, aid)
		}
	}
	return rs.Err()
}

// UpdateConnection saves every field of c but its accounts.
func (s *Store) UpdateConnection(ctx context.Context, c *herald.Connection) error {
	return s.inTx(ctx, func(t *tx) error {
		old, err := getConnection(ctx, t, c.ID)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE connections SET type = $1, channel = $2, name = $3, settings = $4, secrets = $5,
			tps = $6, updated_at = $7 WHERE id = $8`,
			c.Type, c.Channel, c.Name, string(c.Settings), sealed(c.SealedSecrets), c.TPS, t.now, c.ID)
		if err != nil {
			return connectionErr(err)
		}
		c.CreatedAt, c.UpdatedAt, c.Accounts = old.CreatedAt, t.now, old.Accounts
		return s.audit(ctx, t, herald.ActorFrom(ctx).AccountID, actionChangeConnection, detail("connections", herald.OpUpdate, c.ID, old, c))
	})
}

// AssignConnection lets accountID use the connection (idempotent).
func (s *Store) AssignConnection(ctx context.Context, connectionID, accountID int64) error {
	return s.inTx(ctx, func(t *tx) error {
		if err := assign(ctx, t, connectionID, accountID); err != nil {
			return err
		}
		return s.audit(ctx, t, accountID, actionAssignConnection,
			detail("connection_accounts", herald.OpInsert, connectionID, nil, map[string]int64{"accountId": accountID}))
	})
}

// assign inserts one connection_accounts row unless it exists.
func assign(ctx context.Context, t *tx, connectionID, accountID int64) error {
	_, err := t.exec(ctx, `INSERT INTO connection_accounts (connection_id, account_id) VALUES ($1, $2)
		ON CONFLICT (connection_id, account_id) DO NOTHING`, connectionID, accountID)
	if foreignKeyViolation(err) {
		return herald.Errorf(herald.ENOTFOUND, "Connection or account not found.")
	} else if err != nil {
		return fmt.Errorf("assigning connection: %w", err)
	}
	return nil
}

// UnassignConnection stops accountID from using the connection
// (idempotent). The account's sender IDs on it stay, and fail to route.
func (s *Store) UnassignConnection(ctx context.Context, connectionID, accountID int64) error {
	return s.inTx(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, `DELETE FROM connection_accounts WHERE connection_id = $1 AND account_id = $2`,
			connectionID, accountID); err != nil {
			return fmt.Errorf("unassigning connection: %w", err)
		}
		return s.audit(ctx, t, accountID, actionUnassignConnection,
			detail("connection_accounts", herald.OpDelete, connectionID, map[string]int64{"accountId": accountID}, nil))
	})
}
