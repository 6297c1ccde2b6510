package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/jobs"
)

var _ jobs.FileStore = (*DB)(nil)

// chunkSize is the most bytes one file_chunks row holds: big enough that a
// 512 MiB upload is 512 rows, small enough to be one short write.
const chunkSize = 1 << 20

// partialTTL is how long an unfinished file (its writer stopped) stays
// before the sweep removes it.
const partialTTL = time.Hour

// CreateFile stores r's content as a new file, chunk by chunk (see
// jobs.FileStore).
func (db *DB) CreateFile(ctx context.Context, f jobs.File, r io.Reader, maxBytes int64, now time.Time) (jobs.File, error) {
	b := make([]byte, 16)
	rand.Read(b)
	f.ID = hex.EncodeToString(b)
	f.CreatedAt = now.UTC().Truncate(time.Millisecond)
	if f.ExpiresAt.IsZero() {
		return f, apperr.E("store.file_put", apperr.Invalid, "error.file_needs_expiry", f.Name)
	}
	// The row is written first, marked incomplete and due within the hour,
	// so that a writer that stops leaves nothing the sweep would not find.
	if _, err := db.sql.ExecContext(ctx, db.d.q(`INSERT INTO files (id, owner, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`),
		f.ID, f.Owner, f.Name, millis(f.CreatedAt), millis(now.Add(partialTTL))); err != nil {
		return f, fmt.Errorf("store: create file %s: %w", f.Name, err)
	}
	ok := false
	defer func() {
		if !ok {
			// The error that matters is already being returned; a row left
			// behind is marked due within the hour, so the sweep removes it.
			_ = db.DeleteFile(context.WithoutCancel(ctx), f.ID)
		}
	}()
	h := sha256.New()
	buf := make([]byte, chunkSize)
	ins := db.d.q(`INSERT INTO file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			f.Size += int64(n)
			if f.Size > maxBytes {
				return f, apperr.E("store.file_put", apperr.Invalid, "error.file_too_large", f.Name, maxBytes>>20)
			}
			h.Write(buf[:n])
			if _, err := db.sql.ExecContext(ctx, ins, f.ID, seq, buf[:n]); err != nil {
				return f, fmt.Errorf("store: create file %s: chunk %d: %w", f.Name, seq, err)
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return f, fmt.Errorf("store: create file %s: reading: %w", f.Name, err)
		}
	}
	f.SHA256 = hex.EncodeToString(h.Sum(nil))
	if _, err := db.sql.ExecContext(ctx, db.d.q(`UPDATE files SET size = $1, sha256 = $2, complete = $3, expires_at = $4 WHERE id = $5`),
		f.Size, f.SHA256, true, millis(f.ExpiresAt), f.ID); err != nil {
		return f, fmt.Errorf("store: create file %s: %w", f.Name, err)
	}
	ok = true
	return f, nil
}

// FileInfo returns file id's description (see jobs.FileStore).
func (db *DB) FileInfo(ctx context.Context, id string) (jobs.File, error) {
	var (
		f                jobs.File
		created, expires int64
	)
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT id, owner, name, size, sha256, created_at, expires_at FROM files WHERE id = $1 AND complete = $2`), id, true).
		Scan(&f.ID, &f.Owner, &f.Name, &f.Size, &f.SHA256, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.E("store.file_get", apperr.NotFound, "error.no_file", id)
	}
	if err != nil {
		return f, fmt.Errorf("store: file %s: %w", id, err)
	}
	f.CreatedAt, f.ExpiresAt = fromMillis(created), fromMillis(expires)
	return f, nil
}

// OpenFile returns file id and a reader of its content (see
// jobs.FileStore). The reader holds one chunk in memory at a time.
func (db *DB) OpenFile(ctx context.Context, id string) (jobs.File, io.ReadCloser, error) {
	f, err := db.FileInfo(ctx, id)
	if err != nil {
		return f, nil, err
	}
	return f, &chunkReader{ctx: ctx, db: db, id: id}, nil
}

// chunkReader reads a file's chunks in order, one query each.
type chunkReader struct {
	ctx  context.Context
	db   *DB
	id   string
	seq  int
	buf  []byte
	done bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		var data []byte
		err := c.db.sql.QueryRowContext(c.ctx, c.db.d.q(`SELECT data FROM file_chunks WHERE file_id = $1 AND seq = $2`), c.id, c.seq).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			c.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("store: read file %s chunk %d: %w", c.id, c.seq, err)
		}
		c.seq++
		c.buf = data
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *chunkReader) Close() error { c.buf, c.done = nil, true; return nil }

// DeleteFile removes file id (see jobs.FileStore).
func (db *DB) DeleteFile(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.d.q(`DELETE FROM file_chunks WHERE file_id = $1`), id); err != nil {
			return fmt.Errorf("store: delete file %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, db.d.q(`DELETE FROM files WHERE id = $1`), id); err != nil {
			return fmt.Errorf("store: delete file %s: %w", id, err)
		}
		return nil
	})
}

// DeleteExpiredFiles removes the files due at now, one transaction each
// (see jobs.FileStore).
func (db *DB) DeleteExpiredFiles(ctx context.Context, now time.Time) (int, error) {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT id FROM files WHERE expires_at <= $1`), millis(now))
	if err != nil {
		return 0, fmt.Errorf("store: expired files: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return 0, fmt.Errorf("store: expired files: %w", err)
	}
	for i, id := range ids {
		if err := db.DeleteFile(ctx, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
