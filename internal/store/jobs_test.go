package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/jobs"
)

// TestJobsAndFiles runs the jobs and files tests on each engine.
func TestJobsAndFiles(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *DB)
	}{
		{"EnqueueDedupes", testEnqueueDedupes},
		{"ClaimHeartbeatFinish", testClaimHeartbeatFinish},
		{"ClaimExpiredLease", testClaimExpiredLease},
		{"ConcurrentClaims", testConcurrentClaims},
		{"FilesRoundTrip", testFilesRoundTrip},
		{"FileTooLarge", testFileTooLarge},
		{"FilesExpire", testFilesExpire},
		{"PruneJobs", testPruneJobs},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					db, err := Open(context.Background(), e.dsn(t))
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { db.Close() })
					tt.fn(t, db)
				})
			}
		})
	}
}

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func testEnqueueDedupes(t *testing.T, db *DB) {
	ctx := context.Background()
	a, created, err := db.Enqueue(ctx, jobs.Job{Kind: "reform", Key: "2026-12-01", Owner: "ann", Input: json.RawMessage(`{"x":1}`)}, t0)
	if err != nil || !created {
		t.Fatalf("first enqueue: %v created=%v", err, created)
	}
	if a.State != jobs.Queued || a.ID == 0 || !a.CreatedAt.Equal(t0) || string(a.Input) != `{"x":1}` {
		t.Errorf("stored %+v", a)
	}
	b, created, err := db.Enqueue(ctx, jobs.Job{Kind: "reform", Key: "2026-12-01", Owner: "bob"}, t0)
	if err != nil || created || b.ID != a.ID {
		t.Fatalf("second enqueue of a live key: id %d created %v err %v, want job %d again", b.ID, created, err, a.ID)
	}
	// Another kind, or no key, is another job.
	c, created, err := db.Enqueue(ctx, jobs.Job{Kind: "housing", Key: "2026-12-01"}, t0)
	if err != nil || !created || c.ID == a.ID {
		t.Fatalf("other kind: %v %v", err, created)
	}
	d1, _, _ := db.Enqueue(ctx, jobs.Job{Kind: "import"}, t0)
	d2, created, err := db.Enqueue(ctx, jobs.Job{Kind: "import"}, t0)
	if err != nil || !created || d1.ID == d2.ID || d1.Key == d2.Key {
		t.Fatalf("keyless jobs: %v created=%v ids %d %d", err, created, d1.ID, d2.ID)
	}
	// Once finished, the key may be enqueued again.
	j, err := db.Claim(ctx, []string{"reform"}, "w1", t0, time.Minute, 3)
	if err != nil || j.ID != a.ID {
		t.Fatalf("claim: %v %d", err, j.ID)
	}
	if err := db.Finish(ctx, j.ID, "w1", t0.Add(time.Second), json.RawMessage(`"r"`), ""); err != nil {
		t.Fatal(err)
	}
	e, created, err := db.Enqueue(ctx, jobs.Job{Kind: "reform", Key: "2026-12-01"}, t0)
	if err != nil || !created || e.ID == a.ID {
		t.Fatalf("after finish: %v created=%v", err, created)
	}
	latest, err := db.LatestDone(ctx, "reform", "2026-12-01")
	if err != nil || latest.ID != a.ID || string(latest.Result) != `"r"` {
		t.Fatalf("latest done: %+v %v", latest, err)
	}
	if _, err := db.LatestDone(ctx, "housing", "2026-12-01"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("latest done of a kind never done: %v, want not found", err)
	}
	list, err := db.Jobs(ctx, "ann", "reform", 10)
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("ann's reform jobs: %+v %v", list, err)
	}
	if list, _ := db.Jobs(ctx, "", "", 10); len(list) != 5 || list[0].ID != e.ID {
		t.Errorf("all jobs, newest first: got %d", len(list))
	}
}

func testClaimHeartbeatFinish(t *testing.T, db *DB) {
	ctx := context.Background()
	if _, err := db.Claim(ctx, []string{"import"}, "w1", t0, time.Minute, 3); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("claim on an empty queue: %v, want not found", err)
	}
	q, _, err := db.Enqueue(ctx, jobs.Job{Kind: "import", Owner: "ann"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Enqueue(ctx, jobs.Job{Kind: "other"}, t0); err != nil {
		t.Fatal(err)
	}
	j, err := db.Claim(ctx, []string{"import"}, "w1", t0, time.Minute, 3)
	if err != nil {
		t.Fatal(err)
	}
	if j.ID != q.ID || j.State != jobs.Running || j.Worker != "w1" || j.Attempts != 1 || !j.LeaseUntil.Equal(t0.Add(time.Minute)) || !j.StartedAt.Equal(t0) {
		t.Fatalf("claimed %+v", j)
	}
	if _, err := db.Claim(ctx, []string{"import"}, "w2", t0, time.Minute, 3); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("second claim while leased: %v, want not found", err)
	}
	if err := db.Heartbeat(ctx, j.ID, "w1", t0.Add(30*time.Second), time.Minute, jobs.Progress{Done: 5, Total: 10, Message: "persons.csv"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Heartbeat(ctx, j.ID, "w2", t0, time.Minute, jobs.Progress{}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("heartbeat by another worker: %v, want conflict", err)
	}
	got, err := db.Job(ctx, j.ID)
	if err != nil || got.Done != 5 || got.Total != 10 || got.Message != "persons.csv" || !got.LeaseUntil.Equal(t0.Add(90*time.Second)) {
		t.Fatalf("after heartbeat: %+v %v", got, err)
	}
	if err := db.Finish(ctx, j.ID, "w2", t0, nil, "x"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("finish by another worker: %v, want conflict", err)
	}
	if err := db.Finish(ctx, j.ID, "w1", t0.Add(time.Minute), nil, "the file is empty"); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Job(ctx, j.ID)
	if got.State != jobs.Failed || got.Error != "the file is empty" || got.FinishedAt.IsZero() || got.Worker != "" {
		t.Errorf("after finish: %+v", got)
	}
	if err := db.Heartbeat(ctx, j.ID, "w1", t0, time.Minute, jobs.Progress{}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("heartbeat after finish: %v, want conflict", err)
	}
	if _, err := db.Job(ctx, 999); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("missing job: %v", err)
	}
}

func testClaimExpiredLease(t *testing.T, db *DB) {
	ctx := context.Background()
	q, _, _ := db.Enqueue(ctx, jobs.Job{Kind: "import"}, t0)
	now := t0
	for attempt := 1; attempt <= 3; attempt++ {
		worker := "w" + string(rune('0'+attempt))
		j, err := db.Claim(ctx, []string{"import"}, worker, now, time.Minute, 3)
		if err != nil || j.ID != q.ID || j.Attempts != attempt {
			t.Fatalf("claim %d: %+v %v", attempt, j, err)
		}
		// The worker stops; its lease runs out.
		if _, err := db.Claim(ctx, []string{"import"}, "x", now.Add(59*time.Second), time.Minute, 3); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("claim within the lease: %v", err)
		}
		now = now.Add(61 * time.Second)
	}
	if _, err := db.Claim(ctx, []string{"import"}, "w4", now, time.Minute, 3); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("claim after the last attempt: %v, want not found", err)
	}
	got, _ := db.Job(ctx, q.ID)
	if got.State != jobs.Failed || got.Error != jobs.ErrAbandoned(3) {
		t.Errorf("abandoned job: %+v", got)
	}
	// The stopped worker comes back: its lease is gone.
	if err := db.Finish(ctx, q.ID, "w3", now, nil, ""); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("finish by a worker whose job was given up: %v, want conflict", err)
	}
}

// testConcurrentClaims: workers claiming at once never get the same job,
// and together they get every job.
func testConcurrentClaims(t *testing.T, db *DB) {
	ctx := context.Background()
	const n, workers = 40, 6
	for range n {
		if _, _, err := db.Enqueue(ctx, jobs.Job{Kind: "k"}, t0); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu  sync.Mutex
		got = map[int64]string{}
		wg  sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := string(rune('a' + w))
			for {
				j, err := db.Claim(ctx, []string{"k"}, name, t0, time.Hour, 3)
				if apperr.Is(err, apperr.NotFound) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if prev, dup := got[j.ID]; dup {
					t.Errorf("job %d claimed by %s and %s", j.ID, prev, name)
				}
				got[j.ID] = name
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(got) != n {
		t.Errorf("claimed %d jobs, want %d", len(got), n)
	}
}

func testFilesRoundTrip(t *testing.T, db *DB) {
	ctx := context.Background()
	data := make([]byte, 2*chunkSize+12345)
	for i := range data {
		data[i] = byte(i * 7)
	}
	f, err := db.CreateFile(ctx, jobs.File{Owner: "ann", Name: "人员.csv", ExpiresAt: t0.Add(time.Hour)}, bytes.NewReader(data), 1<<30, t0)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if f.Size != int64(len(data)) || f.SHA256 != hex.EncodeToString(sum[:]) || len(f.ID) != 32 {
		t.Errorf("created %+v", f)
	}
	info, r, err := db.OpenFile(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("read back %d bytes (%v), want %d equal", len(back), err, len(data))
	}
	if info.Owner != "ann" || info.Name != "人员.csv" || !info.ExpiresAt.Equal(t0.Add(time.Hour)) || !info.CreatedAt.Equal(t0) {
		t.Errorf("info %+v", info)
	}
	empty, err := db.CreateFile(ctx, jobs.File{Owner: "ann", Name: "empty.csv", ExpiresAt: t0.Add(time.Hour)}, bytes.NewReader(nil), 10, t0)
	if err != nil || empty.Size != 0 {
		t.Fatalf("empty file: %+v %v", empty, err)
	}
	if err := db.DeleteFile(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.OpenFile(ctx, f.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("deleted file: %v, want not found", err)
	}
	var chunks int
	if err := db.sql.QueryRow(db.d.q(`SELECT COUNT(*) FROM file_chunks WHERE file_id = $1`), f.ID).Scan(&chunks); err != nil {
		t.Fatal(err)
	}
	if chunks != 0 {
		t.Errorf("%d chunks left after delete", chunks)
	}
}

func testFileTooLarge(t *testing.T, db *DB) {
	ctx := context.Background()
	_, err := db.CreateFile(ctx, jobs.File{Owner: "ann", Name: "big.csv", ExpiresAt: t0.Add(time.Hour)}, bytes.NewReader(make([]byte, chunkSize+1)), chunkSize, t0)
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("over the limit: %v, want invalid", err)
	}
	var files, chunks int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM files`).Scan(&files); err != nil {
		t.Fatal(err)
	}
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM file_chunks`).Scan(&chunks); err != nil {
		t.Fatal(err)
	}
	if files != 0 || chunks != 0 {
		t.Errorf("%d files and %d chunks left, want none", files, chunks)
	}
}

// failingReader gives n bytes, then an error: an upload cut off.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.ErrClosedPipe
	}
	k := min(len(p), r.n)
	r.n -= k
	return k, nil
}

func testFilesExpire(t *testing.T, db *DB) {
	ctx := context.Background()
	short, _ := db.CreateFile(ctx, jobs.File{Owner: "ann", Name: "q.csv", ExpiresAt: t0.Add(time.Minute)}, bytes.NewReader([]byte("a")), 10, t0)
	long, _ := db.CreateFile(ctx, jobs.File{Owner: "ann", Name: "r.csv", ExpiresAt: t0.Add(48 * time.Hour)}, bytes.NewReader([]byte("b")), 10, t0)
	// A cut-off upload leaves nothing behind.
	if _, err := db.CreateFile(ctx, jobs.File{Owner: "ann", Name: "cut.csv", ExpiresAt: t0.Add(48 * time.Hour)}, &failingReader{n: chunkSize + 10}, 1<<30, t0); err == nil {
		t.Fatal("a failing reader made a file")
	}
	n, err := db.DeleteExpiredFiles(ctx, t0.Add(2*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("swept %d (%v), want 1", n, err)
	}
	if _, err := db.FileInfo(ctx, short.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("expired file still there: %v", err)
	}
	if _, err := db.FileInfo(ctx, long.ID); err != nil {
		t.Errorf("unexpired file gone: %v", err)
	}
	var files int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM files`).Scan(&files); err != nil {
		t.Fatal(err)
	}
	if files != 1 {
		t.Errorf("%d files left, want 1", files)
	}
}

// testPruneJobs: old finished jobs of the prefix go, except the latest done
// one of each kind; live jobs, recent ones and other kinds stay.
func testPruneJobs(t *testing.T, db *DB) {
	ctx := context.Background()
	run := func(kind, key string, at time.Time, fail bool) int64 {
		t.Helper()
		j, _, err := db.Enqueue(ctx, jobs.Job{Kind: kind, Key: key}, at)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Claim(ctx, []string{kind}, "w", at, time.Minute, 3); err != nil {
			t.Fatal(err)
		}
		msg := ""
		if fail {
			msg = "failed"
		}
		if err := db.Finish(ctx, j.ID, "w", at, json.RawMessage(`{}`), msg); err != nil {
			t.Fatal(err)
		}
		return j.ID
	}
	old, recent := t0.Add(-2*time.Hour), t0.Add(-time.Minute)
	gone := []int64{run("view:a", "1", old, false), run("view:a", "2", old, true)}
	kept := []int64{
		run("view:a", "3", old, false),    // the latest done of view:a
		run("view:a", "4", old, true),     // failed, but the latest done is 3: it goes
		run("view:b", "1", recent, false), // recent
		run("import", "", old, false),     // another prefix
	}
	gone, kept = append(gone, kept[1]), append(kept[:1], kept[2:]...)
	live, _, err := db.Enqueue(ctx, jobs.Job{Kind: "view:a", Key: "5"}, old)
	if err != nil {
		t.Fatal(err)
	}
	kept = append(kept, live.ID)
	n, err := db.PruneJobs(ctx, "view:", t0.Add(-time.Hour))
	if err != nil || n != int64(len(gone)) {
		t.Fatalf("PruneJobs: %d, %v; want %d removed", n, err, len(gone))
	}
	for _, id := range gone {
		if _, err := db.Job(ctx, id); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("job %d: %v, want removed", id, err)
		}
	}
	for _, id := range kept {
		if _, err := db.Job(ctx, id); err != nil {
			t.Errorf("job %d: %v, want kept", id, err)
		}
	}
	if _, err := db.PruneJobs(ctx, "", t0); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("PruneJobs without a prefix: %v, want invalid", err)
	}
}
