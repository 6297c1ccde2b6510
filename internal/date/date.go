package date

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Date is a civil date as a day number: 1 is 0001-01-01 (proleptic
// Gregorian). The zero Date means "no date" (an open end, an unknown day).
type Date int32

// epochOffset is the day number of 1970-01-01.
const epochOffset = 719163

// Of returns the date y-m-d. Out-of-range months and days normalise the way
// time.Date does (2026-02-30 is 2026-03-02); use Parse to reject them.
func Of(y int, m time.Month, d int) Date {
	return FromTime(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// FromTime returns the calendar date of t in t's own location.
func FromTime(t time.Time) Date {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date(u.Unix()/86400 + epochOffset)
}

// Today returns the current date in China Standard Time, the zone every
// deadline and age in rooted is reckoned in.
func Today() Date { return FromTime(time.Now().In(cst)) }

var cst = time.FixedZone("CST", 8*3600)

// Time returns midnight UTC of d. It panics on no date, which is a programming
// error: check IsZero first.
func (d Date) Time() time.Time {
	if d == 0 {
		panic("date: Time of zero Date")
	}
	return time.Unix(int64(d-epochOffset)*86400, 0).UTC()
}

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d == 0 }

// Parts returns the year, month and day of d.
func (d Date) Parts() (int, time.Month, int) { return d.Time().Date() }

// Year returns d's year.
func (d Date) Year() int { y, _, _ := d.Parts(); return y }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// AddDate adds years, months and days the way time.Time.AddDate does, so a
// 29 February anniversary falls on 1 March in a common year.
func (d Date) AddDate(years, months, days int) Date {
	return FromTime(d.Time().AddDate(years, months, days))
}

// FirstOfMonth returns the first day of d's month.
func (d Date) FirstOfMonth() Date { y, m, _ := d.Parts(); return Of(y, m, 1) }

// EndOfMonth returns the last day of d's month.
func (d Date) EndOfMonth() Date { y, m, _ := d.Parts(); return Of(y, m+1, 1) - 1 }

// String formats d as YYYY-MM-DD, or "" for no date.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	y, m, dd := d.Parts()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// Month formats d's month as YYYY-MM, or "" for no date.
func (d Date) Month() string {
	if d == 0 {
		return ""
	}
	y, m, _ := d.Parts()
	return fmt.Sprintf("%04d-%02d", y, int(m))
}

// YearsBetween returns the number of whole years from birth to on (an age).
// It is negative when on is before birth.
func YearsBetween(birth, on Date) int {
	by, bm, bd := birth.Parts()
	y, m, d := on.Parts()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}

// MonthsBetween returns the number of whole calendar months from a to b
// (a month is complete on the same day-of-month, or the month's last day).
func MonthsBetween(a, b Date) int {
	if b < a {
		return -MonthsBetween(b, a)
	}
	ay, am, ad := a.Parts()
	by, bm, bd := b.Parts()
	n := (by-ay)*12 + int(bm-am)
	if bd < ad && b != b.EndOfMonth() {
		n--
	}
	return n
}

// ErrInvalid is returned (wrapped) by Parse for text that is not a real date.
var ErrInvalid = errors.New("not a valid date")

// Parse reads an ISO date YYYY-MM-DD and rejects dates that do not exist.
func Parse(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%q: %w (want YYYY-MM-DD)", s, ErrInvalid)
	}
	y, err1 := strconv.Atoi(s[0:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:10])
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, fmt.Errorf("%q: %w (want YYYY-MM-DD)", s, ErrInvalid)
	}
	return Valid(y, m, d, s)
}

// Valid returns the date y-m-d, or an error naming text when no such day exists.
func Valid(y, m, d int, text string) (Date, error) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, fmt.Errorf("%q: %w", text, ErrInvalid)
	}
	t := Of(y, time.Month(m), d)
	if ty, tm, td := t.Parts(); ty != y || int(tm) != m || td != d {
		return 0, fmt.Errorf("%q: %w (no such day)", text, ErrInvalid)
	}
	return t, nil
}

// MustParse is Parse for constants in tests and tables; it panics on error.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Interval is a closed range of days [From, To]; a zero To is open-ended.
type Interval struct {
	From, To Date
}

// Contains reports whether day lies in the interval.
func (iv Interval) Contains(day Date) bool {
	return day >= iv.From && (iv.To == 0 || day <= iv.To)
}
