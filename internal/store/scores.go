package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/registry"
)

// scoreColumns are the written columns of scores, in argument order.
var scoreColumns = []string{"id_number", "as_of", "scheme", "version", "inputs_sha256", "total", "school_points", "frozen", "eligible", "items", "scored_at"}

// scoreRows is how many records one INSERT carries: 500 × 11 parameters is
// well under both engines' limits.
const scoreRows = 500

// scoreInsertSQL returns the INSERT of n records that skips any record
// whose key is already stored: RowsAffected counts the new ones.
func scoreInsertSQL(d dialect, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO scores (%s) VALUES ", strings.Join(scoreColumns, ", "))
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range scoreColumns {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.ph(p))
			p++
		}
		b.WriteByte(')')
	}
	b.WriteString(" ON CONFLICT (id_number, as_of, scheme, version, inputs_sha256) DO NOTHING")
	return b.String()
}

// scoreBatch is one scoring transaction (see registry.ScoreBatch).
type scoreBatch struct {
	db     *DB
	tx     *sql.Tx
	at     any // scored_at of every record of the run
	args   []any
	n      int
	full   *sql.Stmt
	stored int64
	err    error
	done   bool
}

// BeginScores starts a scoring transaction (see registry.PointsStore).
func (db *DB) BeginScores(ctx context.Context) (registry.ScoreBatch, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin scores: %w", err)
	}
	return &scoreBatch{db: db, tx: tx, at: db.d.timestamp(time.Now()), args: make([]any, 0, scoreRows*len(scoreColumns))}, nil
}

// Put buffers one record, writing the buffer when it is full.
func (b *scoreBatch) Put(ctx context.Context, r registry.ScoreRecord) error {
	if b.done {
		return errBatchDone
	}
	if b.err != nil {
		return b.err
	}
	d := b.db.d
	b.args = append(b.args, r.IDNumber, d.date(r.AsOf), r.Scheme, r.Version, r.InputsSHA256, r.Total, r.SchoolPoints, r.Frozen, r.Eligible, r.Items, b.at)
	b.n++
	if b.n == scoreRows {
		b.err = b.flush(ctx)
	}
	return b.err
}

func (b *scoreBatch) flush(ctx context.Context) error {
	if b.n == 0 {
		return nil
	}
	var (
		res sql.Result
		err error
	)
	if b.n == scoreRows {
		if b.full == nil {
			if b.full, err = b.tx.PrepareContext(ctx, scoreInsertSQL(b.db.d, scoreRows)); err != nil {
				return fmt.Errorf("store: put scores: %w", err)
			}
		}
		res, err = b.full.ExecContext(ctx, b.args...)
	} else {
		res, err = b.tx.ExecContext(ctx, scoreInsertSQL(b.db.d, b.n), b.args...)
	}
	if err != nil {
		return fmt.Errorf("store: put scores: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: put scores: %w", err)
	}
	b.stored += n
	clear(b.args)
	b.args, b.n = b.args[:0], 0
	return nil
}

// Commit writes the buffered records and commits; on error it rolls back.
func (b *scoreBatch) Commit(ctx context.Context) (stored int64, err error) {
	if b.done {
		return 0, errBatchDone
	}
	if b.err == nil {
		b.err = b.flush(ctx)
	}
	if b.err != nil {
		b.Rollback()
		return 0, b.err
	}
	b.close()
	// Stored scores feed the officers' pages as the registry does: the
	// registry's version tells every server that they changed.
	if err := bumpVersion(ctx, b.tx); err != nil {
		b.Rollback()
		return 0, err
	}
	if err := b.tx.Commit(); err != nil {
		b.done = true
		return 0, fmt.Errorf("store: commit scores: %w", err)
	}
	b.done = true
	return b.stored, nil
}

// Rollback abandons the batch; a no-op after Commit or Rollback.
func (b *scoreBatch) Rollback() error {
	if b.done {
		return nil
	}
	b.done = true
	b.close()
	if err := b.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("store: rollback scores: %w", err)
	}
	return nil
}

func (b *scoreBatch) close() {
	if b.full != nil {
		b.full.Close()
		b.full = nil
	}
}

var _ registry.PointsStore = (*DB)(nil)
