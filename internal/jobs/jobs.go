package jobs

import (
	"context"
	"encoding/json"
	"time"
)

// State is where a job is in its life.
type State string

// The states of a job. Queued and running are live; done and failed are
// final.
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// Live reports whether s is queued or running.
func (s State) Live() bool { return s == Queued || s == Running }

// Job is one piece of durable work.
type Job struct {
	ID int64
	// Kind names the handler that runs it, e.g. "import".
	Kind string
	// Key identifies the work within its kind: two live jobs never share
	// kind and key (Enqueue returns the live one). "" for a job that is
	// never deduplicated (each import is its own); Enqueue then gives it
	// a unique key.
	Key string
	// Owner is the user who asked for it; only they (and admins, where a
	// page allows) see it.
	Owner string
	State State
	// Progress of a running job: Done of Total units (Total 0: unknown),
	// and what it is doing now.
	Done, Total int64
	Message     string
	// Input is what the handler needs (small JSON: file ids, options);
	// Result what it made (JSON), when done.
	Input  json.RawMessage
	Result json.RawMessage
	// Error is why it failed: a sentence safe to show its owner, never a
	// cause from inside (a path, a SQL error).
	Error string
	// Attempts counts the claims: 1 on the first run, 2 when a second
	// server took it over, ….
	Attempts int
	// Worker is the runner holding it while running (its lease token).
	Worker     string
	CreatedAt  time.Time
	StartedAt  time.Time // of the latest attempt; zero while queued
	FinishedAt time.Time // zero while live
	LeaseUntil time.Time // running: another runner may take it after this
}

// Progress is a running job's latest report.
type Progress struct {
	Done, Total int64
	Message     string
}

// Store keeps jobs. Errors are *apperr.Error: not_found for a missing job,
// conflict for a lease lost, invalid for a job that cannot be stored.
type Store interface {
	// Enqueue stores j as queued (ID, State, Attempts, CreatedAt set by the
	// store; CreatedAt = now) and returns it with created true; when a
	// queued or running job of the same Kind and Key exists, it stores
	// nothing and returns that one with created false.
	Enqueue(ctx context.Context, j Job, now time.Time) (stored Job, created bool, err error)
	// Claim takes, for worker, the oldest job of one of kinds that is
	// queued, or running with LeaseUntil before now (its worker stopped):
	// it becomes running with Worker = worker, LeaseUntil = now+lease,
	// StartedAt = now and Attempts one more. A job whose lease ran out
	// after maxAttempts claims is failed instead (Error says so) and not
	// returned. Two workers never claim one job: the claim is atomic.
	// Not found when nothing is to be done.
	Claim(ctx context.Context, kinds []string, worker string, now time.Time, lease time.Duration, maxAttempts int) (Job, error)
	// Heartbeat extends the lease of job id to now+lease and records p,
	// if worker still holds it; conflict otherwise (another worker took it
	// over, or it was finished).
	Heartbeat(ctx context.Context, id int64, worker string, now time.Time, lease time.Duration, p Progress) error
	// Finish ends job id held by worker: done with result when errMsg is
	// "", else failed with errMsg. Conflict when worker no longer holds it.
	Finish(ctx context.Context, id int64, worker string, now time.Time, result json.RawMessage, errMsg string) error
	// Job returns job id, or not_found.
	Job(ctx context.Context, id int64) (Job, error)
	// LatestDone returns the most recently finished done job of kind and
	// key, or not_found.
	LatestDone(ctx context.Context, kind, key string) (Job, error)
	// Jobs returns the latest limit jobs of kind (all kinds when ""),
	// of owner (everyone's when ""), newest first.
	Jobs(ctx context.Context, owner, kind string, limit int) ([]Job, error)
}
