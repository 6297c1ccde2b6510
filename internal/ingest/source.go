package ingest

import (
	"archive/zip"
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
	path       string // where the file is
	name, base string // what people call it, and that name's last element
	limits     Limits
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
func preparePath(path, name, forceKind string, lim Limits) (*plan, error) {
	pl := &plan{path: path, name: name, base: filepath.Base(name), limits: lim}
	switch strings.ToLower(filepath.Ext(name)) {
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
		err = prepareXLSX(pl, fi.Size())
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
	gb, maxLine := pl.gb18030, pl.limits.MaxLineBytes
	pl.open = func() (rowReader, error) {
		f, err := open()
		if err != nil {
			return nil, err
		}
		return newCSVRows(f, gb, maxLine), nil
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

func newCSVRows(f io.ReadCloser, gb18030 bool, maxLine int) *csvRows {
	// The cap sits under the decoder, on the file's own bytes: csv.Reader
	// keeps a whole record in memory, and a file without line breaks (or
	// of NUL bytes) would be one record as large as the file.
	br := bufio.NewReaderSize(&lineCap{r: f, max: maxLine, line: 1}, 64<<10)
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

// limitError is a file past one of the Limits: the file is at fault, and
// the message says where and what to do.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// lineCap passes bytes through until one physical line is longer than max
// bytes, then fails with a *limitError naming the line.
type lineCap struct {
	r    io.Reader
	max  int
	cur  int // bytes of the current line so far
	line int // 1-based number of the current line
	err  error
}

func (c *lineCap) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	b := p[:n]
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			c.cur += len(b)
			break
		}
		if c.cur+i > c.max {
			c.cur += i
			break
		}
		c.cur = 0
		c.line++
		b = b[i+1:]
	}
	if c.cur > c.max {
		c.err = &limitError{fmt.Sprintf("line %d is longer than %d bytes, the most a line may hold: is it a CSV file of records, one a line?", c.line, c.max)}
		return 0, c.err
	}
	return n, err
}

// maxSheetRow is the last row of a sheet in Excel and WPS: a workbook that
// says it has rows below it was not saved by a spreadsheet program.
const maxSheetRow = 1 << 20

// ratioFloor is the unzipped size from which Limits.MaxXLSXRatio applies:
// small workbooks of repeated cells compress very well, harmlessly.
const ratioFloor = 16 << 20

// checkUnzipped refuses a workbook that would unzip to more than the
// limits allow, from the sizes its zip directory declares; archive/zip
// (which excelize reads with) fails a member that unzips to more than it
// declared, so the check cannot be lied past.
func checkUnzipped(path string, size int64, lim Limits) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return unreadable("not a readable XLSX workbook: %v", errors.Unwrap(err))
	}
	defer z.Close()
	var total uint64
	for _, f := range z.File {
		total += f.UncompressedSize64
	}
	switch {
	case total > uint64(lim.MaxXLSXBytes):
		return unreadable("the workbook unzips to %d MiB, more than the %d MiB a workbook may: split it into several files, or save it as CSV", total>>20, lim.MaxXLSXBytes>>20)
	case total > ratioFloor && size > 0 && total/uint64(size) > uint64(lim.MaxXLSXRatio):
		return unreadable("the workbook unzips to %d MiB from %d KiB, %d times its size (spreadsheets unzip to 5–20 times theirs): refused as a zip bomb", total>>20, size>>10, total/uint64(size))
	}
	return nil
}

// prepareXLSX hashes the workbook, checks that it opens and has a sheet, and
// sets pl.open to stream its first sheet.
func prepareXLSX(pl *plan, size int64) error {
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
	if err := checkUnzipped(pl.path, size, pl.limits); err != nil {
		return err
	}
	path, maxBytes := pl.path, pl.limits.MaxXLSXBytes
	pl.open = func() (rowReader, error) { return openXLSX(path, maxBytes) }
	x, err := openXLSX(path, maxBytes)
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

func openXLSX(path string, maxBytes int64) (x *xlsxRows, err error) {
	// excelize parses whatever the file holds; a malformed workbook must
	// make an error, never a panic.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed workbook: %v", r)
		}
	}()
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: maxBytes})
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
		if x.n > maxSheetRow {
			return row{}, &limitError{fmt.Sprintf("the sheet has rows past row %d, the last row a sheet may have: not a workbook a spreadsheet program saved", maxSheetRow)}
		}
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
	if errors.Is(err, io.EOF) {
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
