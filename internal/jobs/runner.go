package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
)

// Handler does the work of one job. It reports progress through report
// (cheap: the runner stores the latest report with its next heartbeat) and
// returns the result, which is stored as JSON. Its ctx is cancelled when
// the runner stops or loses the job's lease; it must then stop and return.
//
// A handler may run more than once for one job (its first server stopped),
// so it must be safe to run again from the start. An error that is an
// *apperr.Error with a code other than internal is shown to the job's
// owner as its message; any other error is logged, and the owner sees
// only that the job failed on the server.
type Handler func(ctx context.Context, j Job, report func(Progress)) (result any, err error)

// Runner defaults.
const (
	DefaultPoll        = time.Second
	DefaultLease       = 30 * time.Second
	DefaultMaxAttempts = 3
)

// ErrInternal is the error a job's owner sees when its handler failed with
// an internal error (the cause is in the server's log).
const ErrInternal = "服务器内部错误，任务未完成；原因已记入服务器日志。(The job failed on the server; the cause is in the server's log.)"

// Runner claims and runs jobs, one at a time. Every server runs one; they
// share the work through the Store. The zero values of its fields other
// than Store are defaults.
type Runner struct {
	Store Store
	// Worker names this runner in the store (its lease token); a random
	// one when "".
	Worker string
	// Poll is how often an idle runner looks for work (DefaultPoll).
	Poll time.Duration
	// Lease is how long a claim holds without a heartbeat (DefaultLease);
	// the runner renews it every third of it.
	Lease time.Duration
	// MaxAttempts is how many claims a job gets before a job whose worker
	// keeps stopping is failed (DefaultMaxAttempts).
	MaxAttempts int
	// Now is the clock (time.Now).
	Now    func() time.Time
	Logger *slog.Logger

	mu       sync.Mutex
	handlers map[string]Handler
	kinds    []string
	wake     chan struct{} // a job was queued here: look now, not at the next poll
}

// Wake makes an idle Run look for work at once rather than at its next
// poll: the caller has just queued a job that a page is waiting for.
// Never blocks; wakes made while Run is busy count as one.
func (r *Runner) Wake() {
	select {
	case r.wakeChan() <- struct{}{}:
	default:
	}
}

func (r *Runner) wakeChan() chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
	return r.wake
}

// Handle registers h for jobs of kind. Register before Run.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	if _, dup := r.handlers[kind]; !dup {
		r.kinds = append(r.kinds, kind)
	}
	r.handlers[kind] = h
}

func (r *Runner) defaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Worker == "" {
		b := make([]byte, 8)
		rand.Read(b)
		r.Worker = hex.EncodeToString(b)
	}
	if r.Poll <= 0 {
		r.Poll = DefaultPoll
	}
	if r.Lease <= 0 {
		r.Lease = DefaultLease
	}
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultMaxAttempts
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
}

// Run runs jobs until ctx is cancelled, then returns nil after the job in
// hand (if any) has stopped. A job cut off by the stop keeps its lease
// until it runs out and is then taken over by another runner.
func (r *Runner) Run(ctx context.Context) error {
	r.defaults()
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	wake := r.wakeChan()
	for {
		for {
			// Work while there is work; poll when there is none.
			did, err := r.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				r.Logger.Error("jobs: claiming a job", "worker", r.Worker, "err", err)
			}
			if !did || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-wake:
		}
	}
}

// RunOnce claims one job and runs it to its end. It reports whether it
// found one; the error is the store's, claiming (a job's own failure is
// stored in the job).
func (r *Runner) RunOnce(ctx context.Context) (bool, error) {
	r.defaults()
	r.mu.Lock()
	kinds := append([]string(nil), r.kinds...)
	r.mu.Unlock()
	if len(kinds) == 0 {
		return false, nil
	}
	j, err := r.Store.Claim(ctx, kinds, r.Worker, r.Now(), r.Lease, r.MaxAttempts)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.run(ctx, j)
	return true, nil
}

// run runs the handler of j with a heartbeat beside it, and finishes j.
func (r *Runner) run(ctx context.Context, j Job) {
	r.mu.Lock()
	h := r.handlers[j.Kind]
	r.mu.Unlock()
	log := r.Logger.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "worker", r.Worker)
	log.Info("jobs: started")

	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		last = Progress{Done: j.Done, Total: j.Total, Message: j.Message}
		lost bool
	)
	report := func(p Progress) {
		mu.Lock()
		last = p
		mu.Unlock()
	}
	stop := make(chan struct{})
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		t := time.NewTicker(r.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-hctx.Done():
				return
			case <-t.C:
			}
			mu.Lock()
			p := last
			mu.Unlock()
			err := r.Store.Heartbeat(context.WithoutCancel(hctx), j.ID, r.Worker, r.Now(), r.Lease, p)
			if apperr.Is(err, apperr.Conflict) {
				// Another runner holds it now: stop, it does the work.
				log.Warn("jobs: lease lost; stopping", "err", err)
				mu.Lock()
				lost = true
				mu.Unlock()
				cancel()
				return
			}
			if err != nil {
				log.Error("jobs: heartbeat", "err", err)
			}
		}
	}()

	result, err := r.call(hctx, h, j, report)
	close(stop)
	<-beat
	mu.Lock()
	wasLost := lost
	mu.Unlock()
	if wasLost {
		return
	}
	if ctx.Err() != nil {
		// The runner is stopping: leave the job to its lease, so that a
		// runner that goes on takes it over.
		log.Info("jobs: stopped with the runner; another runner takes it over after its lease")
		return
	}
	var data json.RawMessage
	msg := ""
	if err == nil {
		data, err = json.Marshal(result)
		if err != nil {
			err = fmt.Errorf("jobs: encoding the result: %w", err)
		}
	}
	if err != nil {
		msg = ShownError(err)
		log.Warn("jobs: failed", "err", err)
	} else {
		log.Info("jobs: done")
	}
	if err := r.Store.Finish(context.WithoutCancel(ctx), j.ID, r.Worker, r.Now(), data, msg); err != nil {
		log.Error("jobs: finishing", "err", err)
	}
}

// call runs h, turning a panic into an error: one bad job must not stop
// the server's runner.
func (r *Runner) call(ctx context.Context, h Handler, j Job, report func(Progress)) (result any, err error) {
	if h == nil {
		return nil, fmt.Errorf("jobs: no handler for kind %q", j.Kind)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: handler panicked: %v", p)
		}
	}()
	return h(ctx, j, report)
}

// ShownError is the sentence a job's owner is shown for err: the message
// of an *apperr.Error that is not internal, else ErrInternal.
func ShownError(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal && ae.Key != "" {
		return ae.Text()
	}
	return ErrInternal
}

// ErrAbandoned is the error of a job whose workers stopped maxAttempts
// times (stored by Store.Claim).
func ErrAbandoned(attempts int) string {
	return fmt.Sprintf("运行此任务的服务器已中断 %d 次，任务已放弃；请重新提交。(The servers running this job stopped %d times; it was given up: submit it again.)", attempts, attempts)
}
