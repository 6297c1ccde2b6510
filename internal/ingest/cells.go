package ingest

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/date"
)

// isSpace reports the characters trimmed from every cell: ASCII white space,
// the ideographic (full-width) space U+3000, the no-break space and a stray
// byte-order mark.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', '\u3000', '\u00A0', '\uFEFF':
		return true
	}
	return false
}

// trim removes isSpace characters from both ends of s.
func trim(s string) string {
	// Most cells need nothing; skip TrimFunc's rune decoding for them.
	if s == "" || (s[0] > ' ' && s[0] < 0x80 && s[len(s)-1] > ' ' && s[len(s)-1] < 0x80) {
		return s
	}
	return strings.TrimFunc(s, isSpace)
}

// blankRow reports whether every cell of a row is empty after trimming.
func blankRow(cells []string) bool {
	for _, c := range cells {
		if trim(c) != "" {
			return false
		}
	}
	return true
}

// dateProblem says why a date cell was refused.
type dateProblem int

const (
	dateOK dateProblem = iota
	dateBad
	dateExcel60
)

// parseDay reads a day: 2024-03-01 (or 2024-3-1), 2024/3/1, 2024年3月1日, a
// trailing time of day being ignored; with serialOK, also an Excel serial
// day number as an XLSX cell holds it.
func parseDay(s string, serialOK, date1904 bool) (date.Date, dateProblem) {
	if serialOK && looksSerial(s) {
		return excelSerial(s, date1904)
	}
	if i := strings.IndexByte(s, ' '); i > 0 && isTimeOfDay(trim(s[i+1:])) {
		s = s[:i]
	}
	y, m, d, n, ok := splitDate(s)
	if !ok || n != 3 {
		return 0, dateBad
	}
	t, err := date.Valid(y, m, d, s)
	if err != nil {
		return 0, dateBad
	}
	return t, dateOK
}

// parseMonth reads a month: 2024-03 (or 2024-3), 2024/3, 2024年3月, or with
// serialOK an Excel serial day (its month). It returns the first day.
func parseMonth(s string, serialOK, date1904 bool) (date.Date, dateProblem) {
	if serialOK && looksSerial(s) {
		d, p := excelSerial(s, date1904)
		if p != dateOK {
			return 0, p
		}
		return d.FirstOfMonth(), dateOK
	}
	y, m, _, n, ok := splitDate(s)
	if !ok || n != 2 {
		return 0, dateBad
	}
	t, err := date.Valid(y, m, 1, s)
	if err != nil {
		return 0, dateBad
	}
	return t, dateOK
}

// splitDate splits a 4-digit year and one or two 1–2 digit parts separated
// by '-', '/' or '.', or written 2024年3月[1日]. n is the number of parts.
func splitDate(s string) (y, m, d, n int, ok bool) {
	if len(s) < 6 || !isDigits(s[:4]) {
		return 0, 0, 0, 0, false
	}
	y = atoi(s[:4])
	rest := s[4:]
	var nums [2]int
	if strings.HasPrefix(rest, "年") {
		rest = rest[len("年"):]
		for _, unit := range []string{"月", "日"} {
			k := digitsPrefix(rest)
			if k == 0 || k > 2 || !strings.HasPrefix(rest[k:], unit) {
				break
			}
			nums[n] = atoi(rest[:k])
			n++
			rest = rest[k+len(unit):]
		}
		if n == 0 || rest != "" {
			return 0, 0, 0, 0, false
		}
		return y, nums[0], nums[1], n + 1, true
	}
	sep := rest[0]
	if sep != '-' && sep != '/' && sep != '.' {
		return 0, 0, 0, 0, false
	}
	for rest != "" && n < 2 {
		if rest[0] != sep {
			return 0, 0, 0, 0, false
		}
		rest = rest[1:]
		k := digitsPrefix(rest)
		if k == 0 || k > 2 {
			return 0, 0, 0, 0, false
		}
		nums[n] = atoi(rest[:k])
		n++
		rest = rest[k:]
	}
	if rest != "" {
		return 0, 0, 0, 0, false
	}
	return y, nums[0], nums[1], n + 1, true
}

// isTimeOfDay reports h:mm or hh:mm:ss, as Excel appends to dates it saves
// as CSV text ("2024/3/1 0:00").
func isTimeOfDay(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 2 || !isDigits(p) {
			return false
		}
	}
	return true
}

// looksSerial reports a plain decimal number, as XLSX stores a date cell.
func looksSerial(s string) bool {
	k := digitsPrefix(s)
	if k == 0 || k > 7 {
		return false
	}
	if k == len(s) {
		return true
	}
	return s[k] == '.' && isDigits(s[k+1:])
}

// The Excel day numbers: day 1 is 1900-01-01 in the 1900 system, and Excel
// counts a 1900-02-29 that never was as day 60, so from day 61 on the days
// are one more than the calendar's; in the 1904 system day 0 is 1904-01-01.
var (
	excelBefore60 = date.Of(1899, time.December, 31)
	excelFrom61   = date.Of(1899, time.December, 30)
	excel1904     = date.Of(1904, time.January, 1)
	excelLast     = date.Of(9999, time.December, 31)
)

// excelSerial converts an Excel serial day (a fraction is a time of day and
// is dropped).
func excelSerial(s string, date1904 bool) (date.Date, dateProblem) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, dateBad
	}
	n := int(math.Floor(v))
	var d date.Date
	switch {
	case date1904:
		d = excel1904.AddDays(n)
	case n < 1:
		return 0, dateBad
	case n < 60:
		d = excelBefore60.AddDays(n)
	case n == 60:
		return 0, dateExcel60
	default:
		d = excelFrom61.AddDays(n)
	}
	if d > excelLast {
		return 0, dateBad
	}
	return d, dateOK
}

func isDigits(s string) bool {
	return s != "" && digitsPrefix(s) == len(s)
}

func digitsPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// atoi reads a short run of ASCII digits (callers check them).
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// runes counts the characters of s.
func runes(s string) int { return utf8.RuneCountInString(s) }
