package demo

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/date"
)

// csvFile is one output file: rows are built in line and written through a
// large buffer. No field the generator writes contains a comma, a quote or a
// line break, so no field needs quoting.
//
// A table longer than MaxFileRows continues in further parts, NAME-2.csv,
// NAME-3.csv …, each with the header: every file stays under the per-file
// row cap of `rooted import`, so a generated city of any size imports.
type csvFile struct {
	dir    string
	name   string // of the part being written
	header string
	f      *os.File
	w      *bufio.Writer
	line   []byte
	rows   int    // in the part being written
	max    int    // rows per part: MaxFileRows
	parts  []part // written before this one
	err    error  // the first write error, returned by close
}

// part is one written file of a table and its data rows.
type part struct {
	name string
	rows int
}

// MaxFileRows is the most data rows Generate writes into one file: half of
// ingest's default cap per file (2,000,000), so a file a city adds rows to
// by hand still imports.
const MaxFileRows = 1_000_000

func createCSV(dir, name string, header ...string) (*csvFile, error) {
	c := &csvFile{dir: dir, header: strings.Join(header, ",") + "\n", max: MaxFileRows, line: make([]byte, 0, 256)}
	if err := c.open(name); err != nil {
		return nil, err
	}
	return c, nil
}

// open starts writing the part named name, with the header.
func (c *csvFile) open(name string) error {
	// Every part holds rows about persons (ID numbers, names, phones):
	// synthetic, but shaped like the real thing, so kept to the owner as
	// real personal data would be.
	f, err := os.OpenFile(filepath.Join(c.dir, name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	c.name, c.f, c.rows = name, f, 0
	if c.w == nil {
		c.w = bufio.NewWriterSize(f, 1<<18)
	} else {
		c.w.Reset(f)
	}
	_, err = c.w.WriteString(c.header)
	return err
}

// next closes the part being written and opens the next one.
func (c *csvFile) next() error {
	if err := c.closePart(); err != nil {
		return err
	}
	c.parts = append(c.parts, part{c.name, c.rows})
	base := strings.TrimSuffix(c.parts[0].name, ".csv")
	return c.open(base + "-" + strconv.Itoa(len(c.parts)+1) + ".csv")
}

// written returns every part of the table with its data rows.
func (c *csvFile) written() []part {
	return append(append([]part(nil), c.parts...), part{c.name, c.rows})
}

// begin starts a row.
func (c *csvFile) begin() { c.line = c.line[:0] }

// str appends a text field.
func (c *csvFile) str(s string) {
	if len(c.line) > 0 {
		c.line = append(c.line, ',')
	}
	c.line = append(c.line, s...)
}

// int appends an integer field.
func (c *csvFile) int(n int) {
	if len(c.line) > 0 {
		c.line = append(c.line, ',')
	}
	c.line = strconv.AppendInt(c.line, int64(n), 10)
}

// date appends a date field, empty for no date.
func (c *csvFile) date(d date.Date) {
	if len(c.line) > 0 {
		c.line = append(c.line, ',')
	}
	if d != 0 {
		c.line = appendDate(c.line, d)
	}
}

// month appends a month field (a month index, see monthOf).
func (c *csvFile) month(m int) {
	if len(c.line) > 0 {
		c.line = append(c.line, ',')
	}
	c.line = appendMonth(c.line, m)
}

// end writes the row.
func (c *csvFile) end() {
	if c.err != nil {
		return
	}
	if c.rows == c.max {
		if c.err = c.next(); c.err != nil {
			return
		}
	}
	c.line = append(c.line, '\n')
	_, c.err = c.w.Write(c.line)
	c.rows++
}

// close flushes and closes the file, returning the first error.
func (c *csvFile) close() error {
	err := c.closePart()
	if c.err != nil {
		return c.err
	}
	return err
}

// closePart flushes and closes the part being written.
func (c *csvFile) closePart() error {
	err := c.w.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// civil returns the year, month and day of d without going through
// time.Time (H. Hinnant's days-to-civil algorithm).
func civil(d date.Date) (y, m, dd int) {
	z := int(d) - 719163 + 719468 // days since 0000-03-01
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, dd
}

// fromCivil returns the date y-m-d; d may run past the month's end and
// normalises forward, as date.Of does.
func fromCivil(y, m, d int) date.Date {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return date.Date(era*146097 + doe - 719468 + 719163)
}

// monthOf returns the month index (year×12 + month−1) of d.
func monthOf(d date.Date) int {
	y, m, _ := civil(d)
	return y*12 + m - 1
}

func appendDate(b []byte, d date.Date) []byte {
	y, m, dd := civil(d)
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+dd/10), byte('0'+dd%10))
	return b
}

func appendMonth(b []byte, mi int) []byte {
	y, m := mi/12, mi%12+1
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10))
}
