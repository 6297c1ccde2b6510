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
type csvFile struct {
	name string
	f    *os.File
	w    *bufio.Writer
	line []byte
	rows int
}

func createCSV(dir, name string, header ...string) (*csvFile, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	c := &csvFile{name: name, f: f, w: bufio.NewWriterSize(f, 1<<18), line: make([]byte, 0, 256)}
	c.w.WriteString(strings.Join(header, ",") + "\n")
	return c, nil
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

// bytes appends a text field held as bytes.
func (c *csvFile) bytes(b []byte) {
	if len(c.line) > 0 {
		c.line = append(c.line, ',')
	}
	c.line = append(c.line, b...)
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

// empty appends an empty field. The first field of a row is never empty.
func (c *csvFile) empty() { c.line = append(c.line, ',') }

// end writes the row.
func (c *csvFile) end() {
	c.line = append(c.line, '\n')
	c.w.Write(c.line)
	c.rows++
}

// close flushes and closes the file, returning the first error.
func (c *csvFile) close() error {
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

// firstOfMonth returns the first day of month index mi.
func firstOfMonth(mi int) date.Date { return fromCivil(mi/12, mi%12+1, 1) }

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
