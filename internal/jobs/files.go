package jobs

import (
	"context"
	"io"
	"log/slog"
	"time"
)

// File is a stored file: an upload waiting for its import job, or a
// quarantine file a job made. Its content lives beside it in the store,
// in chunks, so that no file needs to fit in memory. It holds personal
// data: only its Owner may fetch it, and it is removed after ExpiresAt.
type File struct {
	// ID is a random token, not a sequence: knowing one file's id tells
	// nothing of another's.
	ID        string
	Owner     string
	Name      string // as its sender named it, or as made (x.quarantine.csv)
	Size      int64  // bytes
	SHA256    string // hex
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Expired reports whether f is past its expiry at now.
func (f File) Expired(now time.Time) bool { return !now.Before(f.ExpiresAt) }

// FileStore keeps files. Errors are *apperr.Error: not_found for a missing
// (or unfinished, or removed) file, invalid for content over the limit.
type FileStore interface {
	// CreateFile stores the content read from r as a new file (f's ID,
	// Size, SHA256 and CreatedAt are set by the store) and returns it. At
	// most maxBytes are read: more is an invalid error and nothing stays.
	// Content is written in short transactions, one chunk each, so that a
	// slow upload holds no lock; a file whose writing stopped (the server
	// died) is never returned and is removed by DeleteExpiredFiles.
	CreateFile(ctx context.Context, f File, r io.Reader, maxBytes int64, now time.Time) (File, error)
	// FileInfo returns file id's description, or not_found.
	FileInfo(ctx context.Context, id string) (File, error)
	// OpenFile returns file id and its content, read chunk by chunk; the
	// caller closes it. Not found when missing.
	OpenFile(ctx context.Context, id string) (File, io.ReadCloser, error)
	// DeleteFile removes file id and its content; removing a missing
	// file is no error.
	DeleteFile(ctx context.Context, id string) error
	// DeleteExpiredFiles removes every file with ExpiresAt not after now,
	// and returns how many.
	DeleteExpiredFiles(ctx context.Context, now time.Time) (int, error)
}

// SweepFiles removes expired files at once and then every interval until
// ctx is cancelled. Every server runs it: the expiry is stored with each
// file, so a restart loses nothing, and two servers sweeping at once only
// find less to do.
func SweepFiles(ctx context.Context, fs FileStore, interval time.Duration, now func() time.Time, log *slog.Logger) {
	if now == nil {
		now = time.Now
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := fs.DeleteExpiredFiles(ctx, now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("jobs: removing expired files", "err", err)
		case n > 0:
			log.Info("jobs: removed expired files", "files", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
