package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// quarantine writes the refused rows of one file: UTF-8 with a BOM (so that
// Excel opens it as UTF-8), the original header plus line and reason. It
// writes to a temporary file beside the final one and renames it only when
// the file's import has committed, so a failed import leaves no half file and
// an earlier quarantine file is replaced whole or not at all.
type quarantine struct {
	path   string // final path
	header []string
	tmp    *os.File
	buf    *bufio.Writer
	w      *csv.Writer
	rec    []string
}

// add writes one refused row: its cells as read, padded or cut to the
// header's width so that line and reason stay in their columns.
func (q *quarantine) add(cells []string, line int, reason string) error {
	if q.w == nil {
		if err := q.create(); err != nil {
			return err
		}
	}
	width := len(q.header)
	q.rec = q.rec[:0]
	for i := 0; i < width; i++ {
		if i < len(cells) {
			q.rec = append(q.rec, cells[i])
		} else {
			q.rec = append(q.rec, "")
		}
	}
	q.rec = append(q.rec, strconv.Itoa(line), reason)
	return q.w.Write(q.rec)
}

func (q *quarantine) create() error {
	dir := filepath.Dir(q.path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	// 0600 (CreateTemp's mode) is kept on purpose: the file holds
	// personal data.
	f, err := os.CreateTemp(dir, "."+filepath.Base(q.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	q.tmp = f
	q.buf = bufio.NewWriterSize(f, 64<<10)
	q.w = csv.NewWriter(q.buf)
	if _, err := q.buf.Write(utf8BOM); err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	hdr := append(append([]string(nil), q.header...), "line", "reason")
	return q.w.Write(hdr)
}

// finish flushes the file and moves it into place.
func (q *quarantine) finish() error {
	if q.w == nil {
		return nil
	}
	q.w.Flush()
	err := q.w.Error()
	if err == nil {
		err = q.buf.Flush()
	}
	if err == nil {
		err = q.tmp.Sync()
	}
	if cerr := q.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(q.tmp.Name(), q.path)
	}
	if err != nil {
		os.Remove(q.tmp.Name())
		return fmt.Errorf("quarantine: %w", err)
	}
	q.w = nil
	return nil
}

// abort removes the temporary file, if any. It is safe after finish.
func (q *quarantine) abort() {
	if q.w == nil {
		return
	}
	q.tmp.Close()
	os.Remove(q.tmp.Name())
	q.w = nil
}
