package ingest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// row is one non-blank row of a source file.
type row struct {
	cells  []string
	line   int   // 1-based: CSV physical line of the record start, XLSX row number
	syntax error // a CSV syntax error in this row (the row is quarantined)
}

// rowReader streams the rows of one file, header first. next returns io.EOF
// after the last row; any other error is fatal for the file.
type rowReader interface {
	next() (row, error)
	close() error
}

// plan is one file as found by the pre-flight reading: its format, encoding,
// kind and header. Nothing is written before every file has a plan.
type plan struct {
	path, base string
	xlsx       bool
	gb18030    bool // CSV not valid UTF-8: read as GB18030 (a superset of GBK)
	date1904   bool // XLSX in the 1904 date system
	sha256     string
	header     []string // header cells as read
	match      headerMatch
	quarantine string // path of the quarantine file, if one is needed
	open       func() (rowReader, error)
}

// errUnreadable is wrapped by every reason a file cannot be imported at all.
var errUnreadable = errors.New("unreadable file")

func unreadable(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), errUnreadable)
}

var (
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// preparePath opens path, decides its format and encoding, hashes it and
// reads its header. Errors wrap errUnreadable when the file itself is at
// fault.
func preparePath(path, forceKind string) (*plan, error) {
	pl := &plan{path: path, base: filepath.Base(path)}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
	case ".xlsx", ".xlsm":
		pl.xlsx = true
	case ".xls", ".et", ".ods", ".numbers":
		return nil, unreadable("not CSV or XLSX: save it as .xlsx or as CSV")
	default:
		return nil, unreadable("not CSV or XLSX (the name must end in .csv or .xlsx)")
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, unreadable("no such file")
		}
		return nil, unreadable("%v", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, unreadable("not a regular file")
	}
	if fi.Size() == 0 {
		return nil, unreadable("empty file")
	}
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	if pl.xlsx {
		err = prepareXLSX(pl)
	} else {
		err = prepareCSV(pl, open)
	}
	if err != nil {
		return nil, err
	}
	return pl, pl.readHeader(forceKind)
}

// prepareCSV scans the file once for its hash and whether it is UTF-8, and
// sets pl.open to read it with the right decoder.
func prepareCSV(pl *plan, open func() (io.ReadCloser, error)) error {
	f, err := open()
	if err != nil {
		return unreadable("%v", err)
	}
	defer f.Close()
	h := sha256.New()
	var scan utf8Scanner
	var head headBytes
	if _, err := io.Copy(io.MultiWriter(h, &scan, &head), f); err != nil {
		return unreadable("%v", err)
	}
	switch {
	case bytes.HasPrefix(head.b, zipMagic):
		return unreadable("not a CSV file (it looks like XLSX: name it .xlsx)")
	case bytes.HasPrefix(head.b, oleMagic):
		return unreadable("not a CSV file (an old .xls workbook: save it as .xlsx or CSV)")
	case bytes.HasPrefix(head.b, []byte{0xFF, 0xFE}), bytes.HasPrefix(head.b, []byte{0xFE, 0xFF}):
		return unreadable("CSV in UTF-16 is not supported: save as UTF-8 or GBK CSV")
	}
	pl.sha256 = hex.EncodeToString(h.Sum(nil))
	pl.gb18030 = !scan.valid()
	gb := pl.gb18030
	pl.open = func() (rowReader, error) {
		f, err := open()
		if err != nil {
			return nil, err
		}
		return newCSVRows(f, gb), nil
	}
	return nil
}

// headBytes keeps the first bytes written to it, for magic numbers.
type headBytes struct{ b []byte }

func (h *headBytes) Write(p []byte) (int, error) {
	if n := 8 - len(h.b); n > 0 {
		h.b = append(h.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

// utf8Scanner checks, as bytes stream through it, that they are valid UTF-8.
// A character split between two writes is carried over to the next.
type utf8Scanner struct {
	carry   [utf8.UTFMax]byte
	n       int // bytes in carry
	invalid bool
}

func (s *utf8Scanner) Write(p []byte) (int, error) {
	written := len(p)
	if s.invalid {
		return written, nil
	}
	if s.n > 0 {
		k := min(len(p), utf8.UTFMax-s.n)
		buf := append(s.carry[:s.n:s.n], p[:k]...)
		if !utf8.FullRune(buf) {
			s.n += copy(s.carry[s.n:], p[:k])
			return written, nil
		}
		r, size := utf8.DecodeRune(buf)
		if r == utf8.RuneError && size <= 1 {
			s.invalid = true
			return written, nil
		}
		p = p[size-s.n:]
		s.n = 0
	}
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		s.invalid = true
		return written, nil
	}
	s.n = copy(s.carry[:], p[cut:])
	return written, nil
}

// valid reports whether everything written was UTF-8.
func (s *utf8Scanner) valid() bool { return !s.invalid && s.n == 0 }

// csvRows reads CSV records. Blank records are skipped without being
// counted: spreadsheet programs leave rows of empty cells (",,,,,") below
// the data, and counting them would make "read" disagree with what the
// sender sees as the rows of the file.
type csvRows struct {
	r      *csv.Reader
	closer io.Closer
	offset int64
}

func newCSVRows(f io.ReadCloser, gb18030 bool) *csvRows {
	br := bufio.NewReaderSize(f, 64<<10)
	var in io.Reader = br
	if gb18030 {
		// Bytes that are not GB18030 either become U+FFFD, which the
		// validators report as undecodable characters.
		in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	} else if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &csvRows{r: r, closer: f}
}

func (c *csvRows) next() (row, error) {
	for {
		rec, err := c.r.Read()
		if err == io.EOF {
			return row{}, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			// A quote error spoils one record, not the file: csv.Reader
			// has consumed its lines and goes on with the next record.
			if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote)) && c.r.InputOffset() > c.offset {
				c.offset = c.r.InputOffset()
				return row{cells: rec, line: pe.StartLine, syntax: pe}, nil
			}
			return row{}, err
		}
		c.offset = c.r.InputOffset()
		if blankRow(rec) {
			continue
		}
		line, _ := c.r.FieldPos(0)
		return row{cells: rec, line: line}, nil
	}
}

func (c *csvRows) close() error { return c.closer.Close() }

// xlsxOptions bound what a workbook may unzip to: a spreadsheet feed is at
// most a few hundred megabytes of XML, and a zip bomb should fail early.
var xlsxOptions = excelize.Options{UnzipSizeLimit: 4 << 30}

// prepareXLSX hashes the workbook, checks that it opens and has a sheet, and
// sets pl.open to stream its first sheet.
func prepareXLSX(pl *plan) error {
	f, err := os.Open(pl.path)
	if err != nil {
		return unreadable("%v", err)
	}
	h := sha256.New()
	var head headBytes
	_, err = io.Copy(io.MultiWriter(h, &head), f)
	f.Close()
	if err != nil {
		return unreadable("%v", err)
	}
	if bytes.HasPrefix(head.b, oleMagic) {
		return unreadable("not an XLSX workbook (an old .xls workbook or an encrypted one: save it as .xlsx without a password)")
	}
	if !bytes.HasPrefix(head.b, zipMagic) {
		return unreadable("not an XLSX workbook")
	}
	pl.sha256 = hex.EncodeToString(h.Sum(nil))
	path := pl.path
	pl.open = func() (rowReader, error) { return openXLSX(path) }
	x, err := openXLSX(path)
	if err != nil {
		return unreadable("not a readable XLSX workbook: %v", err)
	}
	pl.date1904 = x.date1904
	return x.close()
}

// xlsxRows streams the first sheet of a workbook. The line of a row is its
// row number; empty rows are skipped without being counted, as for CSV.
type xlsxRows struct {
	f        *excelize.File
	rows     *excelize.Rows
	n        int
	date1904 bool
}

func openXLSX(path string) (x *xlsxRows, err error) {
	// excelize parses whatever the file holds; a malformed workbook must
	// make an error, never a panic.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed workbook: %v", r)
		}
	}()
	f, err := excelize.OpenFile(path, xlsxOptions)
	if err != nil {
		return nil, err
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errors.New("the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, err
	}
	x = &xlsxRows{f: f, rows: rows}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		x.date1904 = *props.Date1904
	}
	return x, nil
}

func (x *xlsxRows) next() (r row, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("row %d: malformed workbook: %v", x.n, p)
		}
	}()
	for x.rows.Next() {
		// Next moves one row number at a time, also over rows the sheet
		// does not store, so counting the calls gives the row number.
		x.n++
		cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return row{}, fmt.Errorf("row %d: %w", x.n, err)
		}
		if blankRow(cells) {
			continue
		}
		return row{cells: cells, line: x.n}, nil
	}
	if err := x.rows.Error(); err != nil {
		return row{}, err
	}
	return row{}, io.EOF
}

func (x *xlsxRows) close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readHeader reads the first non-blank row and decides the file's kind.
func (pl *plan) readHeader(forceKind string) error {
	rr, err := pl.open()
	if err != nil {
		return unreadable("%v", err)
	}
	defer rr.close()
	r, err := rr.next()
	if err == io.EOF {
		return unreadable("empty file: no header row")
	}
	if err != nil {
		return unreadable("reading the header: %v", err)
	}
	if r.syntax != nil {
		return unreadable("header row: %v", r.syntax)
	}
	pl.header = make([]string, len(r.cells))
	for i, c := range r.cells {
		pl.header[i] = strings.TrimPrefix(c, "\uFEFF")
	}
	if forceKind != "" {
		k := kindByName(forceKind)
		if k == nil {
			return unreadable("unknown kind %q (kinds: %s)", forceKind, strings.Join(KindNames(), ", "))
		}
		pl.match = matchHeader(k, pl.header)
		if len(pl.match.missing) > 0 {
			return unreadable("header lacks the %s columns %s", k.name, strings.Join(pl.match.missing, ", "))
		}
	} else {
		m, ok := detectKind(pl.header)
		if !ok {
			return unreadable("unknown header %q: no kind of file (%s) has all its required columns", joinShort(pl.header), strings.Join(KindNames(), ", "))
		}
		pl.match = m
	}
	if pl.match.duplicate != "" {
		return unreadable("header names the column %q twice", pl.match.duplicate)
	}
	return nil
}
