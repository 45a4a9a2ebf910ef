package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// ensureTags returns the IDs of the account's tags named names (ignoring
// case), creating the missing ones. IDs follow the order of names.
func ensureTags(ctx context.Context, t *tx, accountID int64, names []string) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		id, err := tagID(ctx, t, accountID, name)
		if herald.IsNotFound(err) {
			err = t.queryRow(ctx, `INSERT INTO tags (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id`,
				accountID, name, t.now).Scan(&id)
		}
		if err != nil {
			return nil, fmt.Errorf("saving tag %q: %w", name, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// tagID returns the ID of the account's tag named name, or ENOTFOUND.
func tagID(ctx context.Context, q querier, accountID int64, name string) (int64, error) {
	var id int64
	err := q.queryRow(ctx, `SELECT id FROM tags WHERE account_id = $1 AND lower(name) = $2`, accountID, asciiLower(strings.TrimSpace(name))).Scan(&id)
	if isNoRows(err) {
		return 0, herald.Errorf(herald.ENOTFOUND, "No tag %q.", name)
	}
	return id, err
}

// tagContacts links every tag of tagIDs to every contact of contactIDs,
// keeping links that exist.
func tagContacts(ctx context.Context, t *tx, tagIDs, contactIDs []int64) error {
	if len(tagIDs) == 0 || len(contactIDs) == 0 {
		return nil
	}
	const per = 1000 // contacts per statement: two parameters each
	for _, tag := range tagIDs {
		for lo := 0; lo < len(contactIDs); lo += per {
			args := listArgs{tag}
			values := make([]string, 0, per)
			for _, c := range contactIDs[lo:min(lo+per, len(contactIDs))] {
				values = append(values, "("+args.add(c)+", $1)")
			}
			_, err := t.exec(ctx, `INSERT INTO contact_tags (contact_id, tag_id) VALUES `+strings.Join(values, ", ")+
				` ON CONFLICT (contact_id, tag_id) DO NOTHING`, args...)
			if err != nil {
				return fmt.Errorf("tagging contacts: %w", err)
			}
		}
	}
	return nil
}

// Tags returns the account's tags by name with their contact counts.
func (s *Store) Tags(ctx context.Context, accountID int64) ([]herald.Tag, error) {
	out := []herald.Tag{}
	err := eachRow(ctx, s.read(), `SELECT t.id, t.name, (SELECT count(*) FROM contact_tags ct WHERE ct.tag_id = t.id)
		FROM tags t WHERE t.account_id = $1 ORDER BY lower(t.name), t.id`, []any{accountID}, func(r scanner) error {
		var tg herald.Tag
		if err := r.Scan(&tg.ID, &tg.Name, &tg.Contacts); err != nil {
			return err
		}
		out = append(out, tg)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	return out, nil
}

// DeleteTag removes a tag from every contact and deletes it.
func (s *Store) DeleteTag(ctx context.Context, accountID, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		var name string
		err := t.queryRow(ctx, `SELECT name FROM tags WHERE account_id = $1 AND id = $2`, accountID, id).Scan(&name)
		if isNoRows(err) {
			return herald.Errorf(herald.ENOTFOUND, "Tag not found.")
		} else if err != nil {
			return fmt.Errorf("reading tag: %w", err)
		}
		if _, err := t.exec(ctx, `DELETE FROM tags WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return fmt.Errorf("deleting tag: %w", err)
		}
		return s.audit(ctx, t, accountID, actionDeleteTag, detail("tags", herald.OpDelete, id, herald.Tag{ID: id, Name: name}, nil))
	})
}
