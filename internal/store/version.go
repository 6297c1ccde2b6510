package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Version returns the registry's version: a number that grows with every
// committed import and permits run (table registry_version). Equal
// versions mean an unchanged registry.
func (db *DB) Version(ctx context.Context) (int64, error) {
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT n FROM registry_version WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: registry version: %w", err)
	}
	return n, nil
}

// bumpVersion counts one change to the registry, inside the transaction
// that makes it. The row lock it takes is held only from here to the
// commit, which follows at once.
func bumpVersion(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE registry_version SET n = n + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("store: bump registry version: %w", err)
	}
	return nil
}
