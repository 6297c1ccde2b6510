package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
)

// This file keeps what the servers of a cluster must agree on beyond the
// sessions and limits of auth.go (migration 0010_multi_server): the
// generation of sign-in state that tells every server to forget the
// sessions it caches, changes to accounts that end their sessions, keys
// generated once for all servers, and the consecutive sign-in failures of
// auth.FailureCap.

var _ auth.CapStore = (*DB)(nil)

// AuthGeneration returns a number that grows with every sign-out, role
// change and account lock or unlock, by any process (table
// auth_generation). A server that caches sessions drops them when it has
// changed.
func (db *DB) AuthGeneration(ctx context.Context) (int64, error) {
	var n int64
	if err := db.sql.QueryRowContext(ctx, `SELECT n FROM auth_generation WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: auth generation: %w", err)
	}
	return n, nil
}

// bumpAuthGeneration counts one change to sign-in state, inside the
// transaction that makes it.
func bumpAuthGeneration(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE auth_generation SET n = n + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("store: bump auth generation: %w", err)
	}
	return nil
}

// SetUserRole gives the account named name the role, and ends its
// sessions (they carry the old role) in the same transaction; or
// not_found.
func (db *DB) SetUserRole(ctx context.Context, name string, role auth.Role) error {
	if _, err := auth.ParseRole(string(role)); err != nil {
		return err
	}
	return db.changeUser(ctx, name, "role", `UPDATE users SET role = $1 WHERE name = $2`, string(role))
}

// SetUserDisabled locks (disabled) or unlocks the account named name. A
// lock ends its sessions in the same transaction. Not_found for an
// unknown name.
func (db *DB) SetUserDisabled(ctx context.Context, name string, disabled bool) error {
	return db.changeUser(ctx, name, "lock", `UPDATE users SET disabled = $1 WHERE name = $2`, disabled)
}

// changeUser runs update (with $1 value, $2 name), deletes the account's
// sessions and bumps the auth generation, in one transaction.
func (db *DB) changeUser(ctx context.Context, name, what, update string, value any) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, db.d.q(`SELECT id FROM users WHERE name = $1`), name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.WrapE("store.user_get", apperr.NotFound, err, "error.user_not_found", name)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.d.q(update), value, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.d.q(`DELETE FROM sessions WHERE kind = $1 AND user_id = $2`), auth.KindOfficer, id); err != nil {
			return err
		}
		return bumpAuthGeneration(ctx, tx)
	})
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return fmt.Errorf("store: change %s of user %s: %w", what, name, err)
	}
	return err
}

// Secret returns the secret named name, generating n random bytes for it
// first when it has none: every server sharing the database gets the same
// bytes, the first caller's (concurrent first callers agree too).
func (db *DB) Secret(ctx context.Context, name string, n int) ([]byte, error) {
	fresh := make([]byte, n)
	rand.Read(fresh)
	_, err := db.sql.ExecContext(ctx, db.d.q(`INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`),
		name, hex.EncodeToString(fresh), millis(time.Now()))
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	var v string
	if err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT value FROM server_secrets WHERE name = $1`), name).Scan(&v); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	b, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: stored value is not hex: %w", name, err)
	}
	return b, nil
}

// addFailure counts a failure of a key and returns its failures and
// capped_at: $1 key, $2 now, $3 the cap.
const addFailure = `INSERT INTO signin_failures (key_sha256, failures, last_at, capped_at)
	VALUES ($1, 1, CAST($2 AS BIGINT), CASE WHEN 1 >= $3 THEN CAST($2 AS BIGINT) ELSE 0 END)
	ON CONFLICT (key_sha256) DO UPDATE SET
	failures = signin_failures.failures + 1,
	last_at = CAST($2 AS BIGINT),
	capped_at = CASE WHEN signin_failures.capped_at > 0 THEN signin_failures.capped_at
		WHEN signin_failures.failures + 1 >= $3 THEN CAST($2 AS BIGINT)
		ELSE 0 END
	RETURNING failures, capped_at`

// AddFailure counts one failure of key at now (see auth.CapStore), and
// one in the minute's count of failures.
func (db *DB) AddFailure(ctx context.Context, key string, now time.Time, max int) (int, bool, error) {
	var (
		n      int
		capped int64
	)
	if err := db.sql.QueryRowContext(ctx, db.d.q(addFailure), key, millis(now), max).Scan(&n, &capped); err != nil {
		return 0, false, fmt.Errorf("store: add sign-in failure: %w", err)
	}
	if _, err := db.sql.ExecContext(ctx, db.d.q(`INSERT INTO signin_failure_minutes (minute, n) VALUES ($1, 1)
		ON CONFLICT (minute) DO UPDATE SET n = signin_failure_minutes.n + 1`), now.Unix()/60); err != nil {
		return n, capped > 0, fmt.Errorf("store: count sign-in failure: %w", err)
	}
	return n, capped > 0, nil
}

// Failures returns key's consecutive failures and whether it is capped.
func (db *DB) Failures(ctx context.Context, key string) (int, bool, error) {
	var (
		n      int
		capped int64
	)
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT failures, capped_at FROM signin_failures WHERE key_sha256 = $1`), key).Scan(&n, &capped)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: sign-in failures: %w", err)
	}
	return n, capped > 0, nil
}

// ResetFailures forgets key's failures and reports whether it had any.
func (db *DB) ResetFailures(ctx context.Context, key string) (bool, error) {
	res, err := db.sql.ExecContext(ctx, db.d.q(`DELETE FROM signin_failures WHERE key_sha256 = $1`), key)
	if err != nil {
		return false, fmt.Errorf("store: reset sign-in failures: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: reset sign-in failures: %w", err)
	}
	return n > 0, nil
}

// SignInActivity counts the failures since since (to the minute), the
// accounts with one, and the accounts capped.
func (db *DB) SignInActivity(ctx context.Context, since time.Time) (auth.SignInActivity, error) {
	a := auth.SignInActivity{Since: since}
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT
		(SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM signin_failure_minutes WHERE minute >= $1),
		(SELECT COUNT(*) FROM signin_failures WHERE last_at >= $2),
		(SELECT COUNT(*) FROM signin_failures WHERE capped_at > 0)`), since.Unix()/60, millis(since)).
		Scan(&a.Failures, &a.Accounts, &a.Capped)
	if err != nil {
		return a, fmt.Errorf("store: sign-in activity: %w", err)
	}
	return a, nil
}
