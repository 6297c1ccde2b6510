package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/jobs"
)

var _ jobs.Store = (*DB)(nil)

const jobCols = `id, kind, job_key, owner, state, progress_done, progress_total, message, input, result, error, attempts, worker, created_at, started_at, finished_at, lease_until`

type rowScanner interface{ Scan(dest ...any) error }

func scanJob(r rowScanner) (jobs.Job, error) {
	var (
		j                                 jobs.Job
		state, input, result              string
		created, started, finished, lease int64
	)
	err := r.Scan(&j.ID, &j.Kind, &j.Key, &j.Owner, &state, &j.Done, &j.Total, &j.Message, &input, &result, &j.Error, &j.Attempts, &j.Worker, &created, &started, &finished, &lease)
	if err != nil {
		return j, err
	}
	j.State = jobs.State(state)
	if input != "" {
		j.Input = json.RawMessage(input)
	}
	if result != "" {
		j.Result = json.RawMessage(result)
	}
	j.CreatedAt = fromMillis(created)
	if started > 0 {
		j.StartedAt = fromMillis(started)
	}
	if finished > 0 {
		j.FinishedAt = fromMillis(finished)
	}
	if lease > 0 {
		j.LeaseUntil = fromMillis(lease)
	}
	return j, nil
}

// Enqueue stores j queued, or returns the live job of its kind and key
// (see jobs.Store).
func (db *DB) Enqueue(ctx context.Context, j jobs.Job, now time.Time) (jobs.Job, bool, error) {
	if j.Kind == "" {
		return j, false, apperr.E("store.job_enqueue", apperr.Invalid, "error.job_needs_kind")
	}
	if j.Key == "" {
		b := make([]byte, 12)
		rand.Read(b)
		j.Key = "#" + hex.EncodeToString(b)
	}
	if len(j.Input) > 0 && !json.Valid(j.Input) {
		return j, false, apperr.E("store.job_enqueue", apperr.Invalid, "error.job_input_not_json", j.Kind)
	}
	// The partial unique index on live (kind, key) decides between two
	// servers enqueueing at once; the loser returns the winner's job. A
	// live job may finish between the failed insert and the read: then
	// insert again.
	for range 5 {
		row := db.sql.QueryRowContext(ctx, db.d.q(`INSERT INTO job_queue (kind, job_key, owner, state, input, created_at) VALUES ($1, $2, $3, 'queued', $4, $5) RETURNING `+jobCols),
			j.Kind, j.Key, j.Owner, string(j.Input), millis(now))
		stored, err := scanJob(row)
		if err == nil {
			return stored, true, nil
		}
		if !isUniqueViolation(err) {
			return j, false, fmt.Errorf("store: enqueue %s job: %w", j.Kind, err)
		}
		row = db.sql.QueryRowContext(ctx, db.d.q(`SELECT `+jobCols+` FROM job_queue WHERE kind = $1 AND job_key = $2 AND state IN ('queued', 'running')`), j.Kind, j.Key)
		live, err := scanJob(row)
		if err == nil {
			return live, false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return j, false, fmt.Errorf("store: enqueue %s job: %w", j.Kind, err)
		}
	}
	return j, false, fmt.Errorf("store: enqueue %s job: the live job kept changing", j.Kind)
}

// kindsIn returns "IN ($n, …)" for kinds, numbering placeholders from
// first, and the arguments.
func (db *DB) kindsIn(kinds []string, first int) (string, []any) {
	ph := make([]string, len(kinds))
	args := make([]any, len(kinds))
	for i, k := range kinds {
		ph[i] = fmt.Sprintf("$%d", first+i)
		args[i] = k
	}
	return "IN (" + strings.Join(ph, ", ") + ")", args
}

// Claim takes the oldest claimable job of kinds for worker (see
// jobs.Store). On PostgreSQL the row is chosen FOR UPDATE SKIP LOCKED, so
// two workers claiming at once take different jobs; on SQLite the
// statement runs under the database's one write lock.
func (db *DB) Claim(ctx context.Context, kinds []string, worker string, now time.Time, lease time.Duration, maxAttempts int) (jobs.Job, error) {
	if len(kinds) == 0 || worker == "" {
		return jobs.Job{}, apperr.E("store.job_claim", apperr.Invalid, "error.job_claim_args")
	}
	in, kargs := db.kindsIn(kinds, 4)
	nowMs := millis(now)
	// Jobs whose workers kept stopping are given up first, so that they
	// are not claimed once more.
	_, err := db.sql.ExecContext(ctx, db.d.q(`UPDATE job_queue SET state = 'failed', error = $1, finished_at = $2, worker = ''
		WHERE state = 'running' AND lease_until < $2 AND attempts >= $3 AND kind `+in),
		append([]any{jobs.ErrAbandoned(maxAttempts), nowMs, maxAttempts}, kargs...)...)
	if err != nil {
		return jobs.Job{}, fmt.Errorf("store: claim: giving up abandoned jobs: %w", err)
	}
	lock := ""
	if db.d.engine == EnginePostgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	in, kargs = db.kindsIn(kinds, 5)
	q := `UPDATE job_queue SET state = 'running', worker = $1, lease_until = $2, started_at = $3, attempts = attempts + 1
		WHERE id = (SELECT id FROM job_queue
			WHERE (state = 'queued' OR (state = 'running' AND lease_until < $4)) AND kind ` + in + `
			ORDER BY id LIMIT 1` + lock + `)
		RETURNING ` + jobCols
	args := append([]any{worker, millis(now.Add(lease)), nowMs, nowMs}, kargs...)
	var j jobs.Job
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = scanJob(tx.QueryRowContext(ctx, db.d.q(q), args...))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return j, apperr.E("store.job_claim", apperr.NotFound, "error.no_job_to_claim")
	}
	if err != nil {
		return j, fmt.Errorf("store: claim: %w", err)
	}
	return j, nil
}

// Heartbeat extends worker's lease on job id and records its progress
// (see jobs.Store).
func (db *DB) Heartbeat(ctx context.Context, id int64, worker string, now time.Time, lease time.Duration, p jobs.Progress) error {
	res, err := db.sql.ExecContext(ctx, db.d.q(`UPDATE job_queue SET lease_until = $1, progress_done = $2, progress_total = $3, message = $4
		WHERE id = $5 AND worker = $6 AND state = 'running'`), millis(now.Add(lease)), p.Done, p.Total, p.Message, id, worker)
	return db.held(res, err, "heartbeat", id)
}

// Finish ends job id held by worker, done or failed (see jobs.Store).
func (db *DB) Finish(ctx context.Context, id int64, worker string, now time.Time, result json.RawMessage, errMsg string) error {
	state := jobs.Done
	if errMsg != "" {
		state = jobs.Failed
		result = nil
	}
	res, err := db.sql.ExecContext(ctx, db.d.q(`UPDATE job_queue SET state = $1, result = $2, error = $3, finished_at = $4, worker = ''
		WHERE id = $5 AND worker = $6 AND state = 'running'`), string(state), string(result), errMsg, millis(now), id, worker)
	return db.held(res, err, "finish", id)
}

// held turns the outcome of an update of a held job into an error: a
// conflict when no row was updated (the lease was lost).
func (db *DB) held(res sql.Result, err error, op string, id int64) error {
	if err != nil {
		return fmt.Errorf("store: %s job %d: %w", op, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s job %d: %w", op, id, err)
	}
	if n == 0 {
		return apperr.E("store.job_update", apperr.Conflict, "error.job_not_held", id)
	}
	return nil
}

// Job returns job id (see jobs.Store).
func (db *DB) Job(ctx context.Context, id int64) (jobs.Job, error) {
	j, err := scanJob(db.sql.QueryRowContext(ctx, db.d.q(`SELECT `+jobCols+` FROM job_queue WHERE id = $1`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, apperr.E("store.job_get", apperr.NotFound, "error.no_job", id)
	}
	if err != nil {
		return j, fmt.Errorf("store: job %d: %w", id, err)
	}
	return j, nil
}

// LatestDone returns the latest done job of kind and key (see jobs.Store).
func (db *DB) LatestDone(ctx context.Context, kind, key string) (jobs.Job, error) {
	j, err := scanJob(db.sql.QueryRowContext(ctx, db.d.q(`SELECT `+jobCols+` FROM job_queue WHERE kind = $1 AND job_key = $2 AND state = 'done' ORDER BY finished_at DESC, id DESC LIMIT 1`), kind, key))
	if errors.Is(err, sql.ErrNoRows) {
		return j, apperr.E("store.job_latest_done", apperr.NotFound, "error.no_done_job", kind, key)
	}
	if err != nil {
		return j, fmt.Errorf("store: latest %s job: %w", kind, err)
	}
	return j, nil
}

// Jobs returns the latest jobs of owner and kind (see jobs.Store).
func (db *DB) Jobs(ctx context.Context, owner, kind string, limit int) ([]jobs.Job, error) {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT `+jobCols+` FROM job_queue
		WHERE ($1 = '' OR owner = $1) AND ($2 = '' OR kind = $2) ORDER BY id DESC LIMIT $3`), owner, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	defer rows.Close()
	var out []jobs.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("store: jobs: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: jobs: %w", err)
	}
	return out, nil
}

// PruneJobs removes the finished (done or failed) jobs whose kind starts
// with kindPrefix and that finished before before, except the latest done
// job of each kind, which may still be the answer a page serves. It
// returns how many it removed. Used for the computed views' results
// (internal/web/views.go), which a newer registry makes useless.
func (db *DB) PruneJobs(ctx context.Context, kindPrefix string, before time.Time) (int64, error) {
	if kindPrefix == "" {
		return 0, apperr.E("store.job_prune", apperr.Invalid, "error.job_prune_no_prefix")
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(kindPrefix) + "%"
	res, err := db.sql.ExecContext(ctx, db.d.q(`DELETE FROM job_queue
		WHERE kind LIKE $1 ESCAPE '\' AND state IN ('done', 'failed') AND finished_at < $2
		AND id NOT IN (SELECT MAX(id) FROM job_queue WHERE kind LIKE $1 ESCAPE '\' AND state = 'done' GROUP BY kind)`),
		like, millis(before))
	if err != nil {
		return 0, fmt.Errorf("store: prune %s jobs: %w", kindPrefix, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: prune %s jobs: %w", kindPrefix, err)
	}
	return n, nil
}
