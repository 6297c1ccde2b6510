package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// sandboxKey is the settings key that marks a demo sandbox.
const sandboxKey = "sandbox"

// MarkSandbox marks the database as a demo sandbox: its data is synthetic,
// commands that change state may be run as of another day (--as-of), and
// pages say so. The mark is never removed: a database that has held
// back-dated decisions stays one whose decisions cannot be trusted.
// Marking twice is not an error.
func (db *DB) MarkSandbox(ctx context.Context) error {
	_, err := db.sql.ExecContext(ctx, db.d.q(`INSERT INTO settings (key, value) VALUES ($1, 'true')
		ON CONFLICT (key) DO UPDATE SET value = 'true'`), sandboxKey)
	if err != nil {
		return fmt.Errorf("store: mark sandbox: %w", err)
	}
	return nil
}

// Sandbox reports whether the database was marked a demo sandbox
// (MarkSandbox).
func (db *DB) Sandbox(ctx context.Context) (bool, error) {
	var v string
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT value FROM settings WHERE key = $1`), sandboxKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: sandbox: %w", err)
	}
	return v == "true", nil
}
