package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/jobs"
	"github.com/newcitizens/rooted/internal/store"
	"github.com/newcitizens/rooted/internal/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var engines = []struct {
	name string
	dsn  func(t testing.TB) string
}{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "jobs.db") }},
	{"postgres", pgtest.DSN},
}

// eachEngine runs fn on a fresh database of each engine.
func eachEngine(t *testing.T, fn func(t *testing.T, st *store.DB)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			st, err := store.Open(context.Background(), e.dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			fn(t, st)
		})
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// waitFinished polls until every job of kind is finished; it fails the
// test only if that never happens (a hang, not a slowness).
func waitFinished(t *testing.T, st jobs.Store, kind string, n int) []jobs.Job {
	t.Helper()
	for range 6000 {
		list, err := st.Jobs(context.Background(), "", kind, n+1)
		if err != nil {
			t.Fatal(err)
		}
		live := 0
		for _, j := range list {
			if j.State.Live() {
				live++
			}
		}
		if len(list) == n && live == 0 {
			return list
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the jobs of kind %s never finished", kind)
	return nil
}

// TestTwoRunnersNeverRunOneJobAtOnce: two runners on one store share the
// jobs; no job runs twice, let alone twice at once, and every job ends done.
func TestTwoRunnersNeverRunOneJobAtOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		const n = 30
		var (
			mu     sync.Mutex
			active = map[int64]string{}
			runs   = map[int64]int{}
			by     = map[string]int{}
		)
		handler := func(worker string) jobs.Handler {
			return func(ctx context.Context, j jobs.Job, report func(jobs.Progress)) (any, error) {
				mu.Lock()
				if other, ok := active[j.ID]; ok {
					t.Errorf("job %d runs on %s and %s at once", j.ID, other, worker)
				}
				active[j.ID] = worker
				runs[j.ID]++
				by[worker]++
				mu.Unlock()
				report(jobs.Progress{Done: 1, Total: 2})
				time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
				mu.Lock()
				delete(active, j.ID)
				mu.Unlock()
				return map[string]string{"by": worker}, nil
			}
		}
		for i := range n {
			if _, _, err := st.Enqueue(ctx, jobs.Job{Kind: "work", Key: fmt.Sprint(i)}, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for _, w := range []string{"A", "B"} {
			r := &jobs.Runner{Store: st, Worker: w, Poll: 5 * time.Millisecond, Lease: time.Minute, Logger: quiet}
			r.Handle("work", handler(w))
			wg.Add(1)
			go func() { defer wg.Done(); _ = r.Run(ctx) }() // ends with ctx; what it ran is checked below
		}
		list := waitFinished(t, st, "work", n)
		cancel()
		wg.Wait()
		for _, j := range list {
			if j.State != jobs.Done || j.Attempts != 1 || runs[j.ID] != 1 {
				t.Errorf("job %d: state %s, attempts %d, ran %d times; want done once", j.ID, j.State, j.Attempts, runs[j.ID])
			}
		}
		t.Logf("runs by worker: %v", by)
	})
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestKilledRunnersJobIsResumed: a runner that stops mid-job (its server
// killed) leaves the job running under its lease; once the lease has run
// out, the other runner takes it over and runs it from the start.
func TestKilledRunnersJobIsResumed(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.DB) {
		clock := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		const lease = time.Minute
		q, _, err := st.Enqueue(context.Background(), jobs.Job{Kind: "import", Owner: "ann"}, clock.Now())
		if err != nil {
			t.Fatal(err)
		}

		// Runner A starts the job and is killed in the middle of it.
		started := make(chan struct{})
		a := &jobs.Runner{Store: st, Worker: "A", Lease: lease, Now: clock.Now, Logger: quiet}
		a.Handle("import", func(ctx context.Context, j jobs.Job, report func(jobs.Progress)) (any, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		})
		actx, kill := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _, _ = a.RunOnce(actx) }() // killed mid-job: its error is the point
		<-started
		kill()
		<-done
		j, _ := st.Job(context.Background(), q.ID)
		if j.State != jobs.Running || j.Worker != "A" {
			t.Fatalf("after A was killed: state %s worker %q, want running under A's lease", j.State, j.Worker)
		}

		// B finds nothing while A's lease holds, and takes it over after.
		var ran []int
		b := &jobs.Runner{Store: st, Worker: "B", Lease: lease, Now: clock.Now, Logger: quiet}
		b.Handle("import", func(ctx context.Context, j jobs.Job, report func(jobs.Progress)) (any, error) {
			ran = append(ran, j.Attempts)
			return "imported", nil
		})
		clock.Add(lease - time.Second)
		if did, err := b.RunOnce(context.Background()); did || err != nil {
			t.Fatalf("B within A's lease: did %v, err %v; want nothing", did, err)
		}
		clock.Add(2 * time.Second)
		if did, err := b.RunOnce(context.Background()); !did || err != nil {
			t.Fatalf("B after A's lease: did %v, err %v; want the job", did, err)
		}
		j, _ = st.Job(context.Background(), q.ID)
		if j.State != jobs.Done || j.Attempts != 2 || string(j.Result) != `"imported"` || len(ran) != 1 || ran[0] != 2 {
			t.Errorf("after B: %+v, B ran attempts %v; want done on attempt 2", j, ran)
		}
	})
}

// TestLostLeaseStopsTheHandler: a runner whose lease was taken over (it
// was too slow to renew it) has its handler's context cancelled and does
// not finish the job: only the new holder does.
func TestLostLeaseStopsTheHandler(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.DB) {
		clock := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		q, _, _ := st.Enqueue(context.Background(), jobs.Job{Kind: "import"}, clock.Now())
		started, cancelled := make(chan struct{}), make(chan struct{})
		a := &jobs.Runner{Store: st, Worker: "A", Lease: 30 * time.Millisecond, Now: clock.Now, Logger: quiet}
		a.Handle("import", func(ctx context.Context, j jobs.Job, report func(jobs.Progress)) (any, error) {
			close(started)
			<-ctx.Done()
			close(cancelled)
			return "A's result", nil
		})
		done := make(chan struct{})
		go func() { defer close(done); _, _ = a.RunOnce(context.Background()) }() // its lease is lost: B's result must stand
		<-started
		// B takes the job over once A's lease has run out.
		clock.Add(time.Second)
		j, err := st.Claim(context.Background(), []string{"import"}, "B", clock.Now(), time.Hour, 3)
		if err != nil || j.ID != q.ID {
			t.Fatalf("B's claim: %v", err)
		}
		<-cancelled // A's next heartbeat finds the lease lost
		<-done
		if err := st.Finish(context.Background(), q.ID, "B", clock.Now(), []byte(`"B's result"`), ""); err != nil {
			t.Fatalf("B's finish: %v", err)
		}
		j, _ = st.Job(context.Background(), q.ID)
		if string(j.Result) != `"B's result"` {
			t.Errorf("result %s, want B's", j.Result)
		}
	})
}

// TestHandlerErrorsShownSafely: an application error's message is shown;
// an internal error or a panic is not (its cause could name a path or a
// SQL statement).
func TestHandlerErrorsShownSafely(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.DB) {
		for _, tt := range []struct {
			name string
			h    jobs.Handler
			want string
		}{
			{"invalid", func(context.Context, jobs.Job, func(jobs.Progress)) (any, error) {
				return nil, apperr.E("import.read", apperr.Invalid, "error.import_file", "人员.csv", "empty file")
			}, "import: 人员.csv: empty file"},
			{"internal", func(context.Context, jobs.Job, func(jobs.Progress)) (any, error) {
				return nil, errors.New("open /tmp/rooted-123/upload: permission denied")
			}, jobs.ErrInternal},
			{"panic", func(context.Context, jobs.Job, func(jobs.Progress)) (any, error) {
				panic("index out of range")
			}, jobs.ErrInternal},
		} {
			t.Run(tt.name, func(t *testing.T) {
				q, _, _ := st.Enqueue(context.Background(), jobs.Job{Kind: tt.name}, time.Now())
				r := &jobs.Runner{Store: st, Logger: quiet}
				r.Handle(tt.name, tt.h)
				if did, err := r.RunOnce(context.Background()); !did || err != nil {
					t.Fatalf("did %v err %v", did, err)
				}
				j, _ := st.Job(context.Background(), q.ID)
				if j.State != jobs.Failed || j.Error != tt.want {
					t.Errorf("state %s error %q, want failed with %q", j.State, j.Error, tt.want)
				}
			})
		}
	})
}

// TestWake: a runner that polls once an hour runs a job queued while it
// was idle as soon as it is woken, not at its next poll.
func TestWake(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.DB) {
		r := &jobs.Runner{Store: st, Logger: quiet, Poll: time.Hour}
		ran := make(chan struct{})
		r.Handle("wake", func(context.Context, jobs.Job, func(jobs.Progress)) (any, error) {
			close(ran)
			return nil, nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := r.Run(ctx); err != nil {
				t.Errorf("Run: %v", err)
			}
		}()
		t.Cleanup(func() { cancel(); <-done })
		// Run's first look most likely finds nothing (the test cannot
		// know: when the job comes first, the test passes without a wake
		// too). Two wakes stand for any number (the channel holds one).
		if _, _, err := st.Enqueue(context.Background(), jobs.Job{Kind: "wake"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		r.Wake()
		r.Wake()
		select {
		case <-ran:
		case <-time.After(30 * time.Second): // a hang: the poll is an hour
			t.Fatal("the woken runner did not run the job")
		}
	})
}
