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

// scoreConflict makes an INSERT into scores skip any record whose key is
// already stored: RowsAffected counts the new ones.
const scoreConflict = " ON CONFLICT (id_number, as_of, scheme, version, inputs_sha256) DO NOTHING"

// scoreInsertSQL returns the INSERT of n records into table: scores, with
// scoreConflict, or a SQLite run's staging table (see BeginScores).
func scoreInsertSQL(d dialect, table string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(scoreColumns, ", "))
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
	if table == "scores" {
		b.WriteString(scoreConflict)
	}
	return b.String()
}

// stageScores is where a SQLite scoring run keeps its records until
// Commit: like an import (see batch), a run takes as long as the scoring
// of every person, and holding SQLite's write lock that long would refuse
// citizens' writes.
const stageScores = "temp.stage_scores"

// mergeScoresSQL moves the staged records into scores, in key order, each
// new one once.
var mergeScoresSQL = fmt.Sprintf("INSERT INTO scores (%[1]s) SELECT %[1]s FROM %[2]s WHERE true ORDER BY id_number, as_of, scheme, version, inputs_sha256, rowid%[3]s",
	strings.Join(scoreColumns, ", "), stageScores, scoreConflict)

// scoreBatch is one scoring transaction (see registry.ScoreBatch): on
// PostgreSQL a transaction; on SQLite a connection whose TEMP table holds
// the records until Commit merges them in one short write transaction.
type scoreBatch struct {
	db     *DB
	tx     *sql.Tx    // PostgreSQL
	conn   *stageConn // SQLite
	into   execer     // tx or conn
	table  string     // scores or stageScores
	at     any        // scored_at of every record of the run
	args   []any
	n      int
	full   *sql.Stmt
	stored int64
	err    error
	done   bool
	// ctx is the context the run was begun with, for Rollback, whose
	// signature (registry.ScoreBatch) carries none; release runs the
	// cleanup under context.WithoutCancel of it.
	ctx context.Context
}

// BeginScores starts a scoring transaction (see registry.PointsStore). On
// SQLite it takes no lock until Commit.
func (db *DB) BeginScores(ctx context.Context) (registry.ScoreBatch, error) {
	b := &scoreBatch{db: db, at: db.d.timestamp(time.Now()), args: make([]any, 0, scoreRows*len(scoreColumns)), ctx: ctx}
	if db.d.engine != EngineSQLite {
		tx, err := db.sql.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("store: begin scores: %w", err)
		}
		b.tx, b.into, b.table = tx, tx, "scores"
		return b, nil
	}
	conn, err := db.stageConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: begin scores: %w", err)
	}
	b.conn, b.into, b.table = conn, conn, stageScores
	for _, q := range []string{
		`PRAGMA temp.cache_size = -65536`,
		`DROP TABLE IF EXISTS ` + stageScores,
		`CREATE TEMP TABLE stage_scores (` + strings.Join(scoreColumns, ", ") + `)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			return nil, fmt.Errorf("store: begin scores: %w", err)
		}
	}
	return b, nil
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
			if b.full, err = b.into.PrepareContext(ctx, scoreInsertSQL(b.db.d, b.table, scoreRows)); err != nil {
				return fmt.Errorf("store: put scores: %w", err)
			}
		}
		res, err = b.full.ExecContext(ctx, b.args...)
	} else {
		res, err = b.into.ExecContext(ctx, scoreInsertSQL(b.db.d, b.table, b.n), b.args...)
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
		_ = b.rollback(ctx) // the error that matters is returned
		return 0, b.err
	}
	b.close()
	if b.conn != nil {
		stored, err := b.merge(ctx)
		b.done = true
		// Merged or abandoned, the staged records are done with: a staging
		// table left behind is dropped by the connection's next run.
		_ = b.release(ctx)
		if err != nil {
			return 0, err
		}
		return stored, nil
	}
	// Stored scores feed the officers' pages as the registry does: the
	// registry's version tells every server that they changed.
	if err := bumpVersion(ctx, b.tx); err != nil {
		_ = b.rollback(ctx) // the error that matters is returned
		return 0, err
	}
	if err := b.tx.Commit(); err != nil {
		b.done = true
		return 0, fmt.Errorf("store: commit scores: %w", err)
	}
	b.done = true
	return b.stored, nil
}

// merge moves a SQLite run's staged records into scores in one write
// transaction, waiting for the turn to write.
func (b *scoreBatch) merge(ctx context.Context) (stored int64, err error) {
	tx, done, err := b.db.beginWrite(ctx, b.conn)
	if err != nil {
		return 0, fmt.Errorf("store: commit scores: %w", err)
	}
	defer done()
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, mergeScoresSQL)
	if err != nil {
		return 0, fmt.Errorf("store: commit scores: %w", err)
	}
	if stored, err = res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("store: commit scores: %w", err)
	}
	// Stored scores feed the officers' pages as the registry does.
	if err := bumpVersion(ctx, tx); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: commit scores: %w", err)
	}
	return stored, nil
}

// release drops a SQLite run's staging table and gives its connection
// back, whatever the state of ctx (context.WithoutCancel): a cancelled run
// still cleans up. It returns every failure, joined.
func (b *scoreBatch) release(ctx context.Context) error {
	if b.conn == nil {
		return nil
	}
	var errs []error
	if _, err := b.conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+stageScores); err != nil {
		errs = append(errs, fmt.Errorf("drop %s: %w", stageScores, err))
	}
	if err := b.conn.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close connection: %w", err))
	}
	b.conn = nil
	return errors.Join(errs...)
}

// Rollback abandons the batch; a no-op after Commit or Rollback.
func (b *scoreBatch) Rollback() error {
	return b.rollback(b.ctx)
}

// rollback is Rollback with the context of the caller that abandons the
// batch (Commit's, on a failed commit).
func (b *scoreBatch) rollback(ctx context.Context) error {
	if b.done {
		return nil
	}
	b.done = true
	b.close()
	if b.conn != nil {
		if err := b.release(ctx); err != nil {
			return fmt.Errorf("store: rollback scores: %w", err)
		}
		return nil
	}
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
