package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ledger"
)

// The ledger table is append-only: this file has an INSERT and SELECTs,
// no UPDATE or DELETE, and triggers in migration 0003 refuse both on
// either engine. Entries are appended inside the transaction of the round
// change they record (see Commit), each sealed on the last entry of its
// round read in that transaction.

const ledgerColumns = `round_id, seq, kind, at, payload, payload_sha256, prev_hash, hash`

func scanEntry(sc interface{ Scan(...any) error }) (ledger.Entry, error) {
	var e ledger.Entry
	var at, payload string
	if err := sc.Scan(&e.Round, &e.Seq, &e.Kind, &at, &payload, &e.PayloadSHA256, &e.PrevHash, &e.Hash); err != nil {
		return e, err
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return e, fmt.Errorf("entry %d: at %q: %w", e.Seq, at, err)
	}
	e.At, e.Payload = t, []byte(payload)
	return e, nil
}

// appendLedger seals drafts on the last entry of round and inserts them,
// in tx.
func (db *DB) appendLedger(ctx context.Context, tx *sql.Tx, round string, drafts []ledger.Draft) error {
	if len(drafts) == 0 {
		return nil
	}
	var prev *ledger.Entry
	e, err := scanEntry(tx.QueryRowContext(ctx, db.d.q(`SELECT `+ledgerColumns+` FROM ledger WHERE round_id = $1 ORDER BY seq DESC LIMIT 1`), round))
	switch {
	case err == nil:
		prev = &e
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("ledger: last entry: %w", err)
	}
	ins := db.d.q(`INSERT INTO ledger (` + ledgerColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`)
	for _, d := range drafts {
		next, err := ledger.Seal(prev, round, d)
		if errors.Is(err, ledger.ErrOutOfOrder) {
			// A step taken with a clock behind the round's last entry:
			// the chain stays in time order, the step is refused.
			return apperr.WrapE("store.ledger_append", apperr.Conflict, err, "error.ledger_step_before", round)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, ins, next.Round, next.Seq, next.Kind, ledger.FormatTime(next.At), string(next.Payload), next.PayloadSHA256, next.PrevHash, next.Hash); err != nil {
			return fmt.Errorf("ledger: append %s: %w", next.Kind, err)
		}
		prev = &next
	}
	return nil
}

// LedgerHead returns the last entry of a round's chain: one indexed row,
// for pages that change only when the chain grows. A round without a chain
// is not_found.
func (db *DB) LedgerHead(ctx context.Context, round string) (ledger.Entry, error) {
	e, err := scanEntry(db.sql.QueryRowContext(ctx, db.d.q(`SELECT `+ledgerColumns+` FROM ledger WHERE round_id = $1 ORDER BY seq DESC LIMIT 1`), round))
	if errors.Is(err, sql.ErrNoRows) {
		return ledger.Entry{}, apperr.E("store.ledger_head", apperr.NotFound, "error.no_ledger", round)
	}
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("store: ledger head %s: %w", round, err)
	}
	return e, nil
}

// Ledger returns the chain of a round, by seq (none is not an error).
func (db *DB) Ledger(ctx context.Context, round string) ([]ledger.Entry, error) {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT `+ledgerColumns+` FROM ledger WHERE round_id = $1 ORDER BY seq`), round)
	if err != nil {
		return nil, fmt.Errorf("store: ledger %s: %w", round, err)
	}
	defer rows.Close()
	var es []ledger.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("store: ledger %s: %w", round, err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: ledger %s: %w", round, err)
	}
	return es, nil
}
