package calendar

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newcitizens/rooted/internal/date"
)

// Holiday is a span of consecutive days off of one festival.
type Holiday struct {
	Name string    `json:"name"`
	From date.Date `json:"-"`
	To   date.Date `json:"-"` // inclusive, ≥ From
}

// Year is one year's official notice: its days off and the weekend days
// worked.
type Year struct {
	Year     int         `json:"year"`
	Notice   string      `json:"notice"`   // title and date of the notice, for the record
	Holidays []Holiday   `json:"holidays"` // in the year, not overlapping
	Workdays []date.Date `json:"-"`        // Saturdays or Sundays that are working days (调休)
}

// Lunar holds the Gregorian dates of a year's lunar festivals, which the
// fallback needs to subtract the statutory holidays.
type Lunar struct {
	SpringFestival date.Date // first day of the first lunar month
	Qingming       date.Date
	DragonBoat     date.Date
	MidAutumn      date.Date
}

// Calendar answers working-day questions. It is immutable and safe for
// concurrent use.
type Calendar struct {
	years map[int]*Year
	lunar map[int]Lunar
	off   map[date.Date]string // day → holiday name, from the notices
	work  map[date.Date]bool   // adjusted working days, from the notices
}

//go:embed calendar-cn.yaml
var defaultFile []byte

// Default returns the embedded calendar (calendar-cn.yaml).
func Default() *Calendar {
	c, err := Parse("calendar-cn.yaml", defaultFile)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return c
}

// file is the YAML form.
type file struct {
	Years map[int]yearSpec  `yaml:"years"`
	Lunar map[int]lunarSpec `yaml:"lunar"`
}

type yearSpec struct {
	Notice   string        `yaml:"notice"`
	Holidays []holidaySpec `yaml:"holidays"`
	Workdays []string      `yaml:"workdays"`
}

type holidaySpec struct {
	Name string `yaml:"name"`
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

type lunarSpec struct {
	SpringFestival string `yaml:"spring_festival"`
	Qingming       string `yaml:"qingming"`
	DragonBoat     string `yaml:"dragon_boat"`
	MidAutumn      string `yaml:"mid_autumn"`
}

// Parse reads a calendar file (the format of calendar-cn.yaml). Every
// error names the file, the year and the entry: a malformed date, a
// holiday outside its year or ending before it starts, overlapping
// holidays, or an adjusted working day that is not a Saturday or Sunday,
// lies outside its year or is also a holiday.
func Parse(name string, data []byte) (*Calendar, error) {
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("calendar: %s: %w", name, err)
	}
	c := &Calendar{years: map[int]*Year{}, lunar: map[int]Lunar{}}
	for y, ys := range f.Years {
		yr := Year{Year: y, Notice: ys.Notice}
		for i, h := range ys.Holidays {
			from, err1 := date.Parse(h.From)
			to, err2 := date.Parse(h.To)
			if err := firstErr(err1, err2); err != nil {
				return nil, fmt.Errorf("calendar: %s: year %d: holidays[%d] %q: %w", name, y, i, h.Name, err)
			}
			yr.Holidays = append(yr.Holidays, Holiday{Name: h.Name, From: from, To: to})
		}
		for i, w := range ys.Workdays {
			d, err := date.Parse(w)
			if err != nil {
				return nil, fmt.Errorf("calendar: %s: year %d: workdays[%d]: %w", name, y, i, err)
			}
			yr.Workdays = append(yr.Workdays, d)
		}
		if err := yr.Validate(); err != nil {
			return nil, fmt.Errorf("calendar: %s: %w", name, err)
		}
		c.years[y] = &yr
	}
	for y, ls := range f.Lunar {
		var l Lunar
		for _, p := range []struct {
			field string
			text  string
			dst   *date.Date
		}{{"spring_festival", ls.SpringFestival, &l.SpringFestival}, {"qingming", ls.Qingming, &l.Qingming},
			{"dragon_boat", ls.DragonBoat, &l.DragonBoat}, {"mid_autumn", ls.MidAutumn, &l.MidAutumn}} {
			d, err := date.Parse(p.text)
			if err != nil {
				return nil, fmt.Errorf("calendar: %s: lunar %d: %s: %w", name, y, p.field, err)
			}
			if d.Year() != y {
				return nil, fmt.Errorf("calendar: %s: lunar %d: %s %s is not in %d", name, y, p.field, d, y)
			}
			*p.dst = d
		}
		c.lunar[y] = l
	}
	c.index()
	return c, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Validate checks a year's notice: holidays within the year (a holiday may
// run into the next year only from 31 December), From ≤ To, no overlaps;
// adjusted working days on a Saturday or Sunday, within the year, not on a
// holiday, not repeated. The error names the year and the entry.
func (y *Year) Validate() error {
	if y.Year < 1949 || y.Year > 9999 {
		return fmt.Errorf("year %d: out of range", y.Year)
	}
	off := map[date.Date]string{}
	for i, h := range y.Holidays {
		switch {
		case h.From.IsZero() || h.To.IsZero():
			return fmt.Errorf("year %d: holidays[%d] %q: missing from or to", y.Year, i, h.Name)
		case h.To < h.From:
			return fmt.Errorf("year %d: holidays[%d] %q: ends %s before it starts %s", y.Year, i, h.Name, h.To, h.From)
		case h.From.Year() != y.Year:
			return fmt.Errorf("year %d: holidays[%d] %q: starts %s, outside the year", y.Year, i, h.Name, h.From)
		case h.To-h.From > 31:
			return fmt.Errorf("year %d: holidays[%d] %q: %s to %s is longer than a month", y.Year, i, h.Name, h.From, h.To)
		}
		for d := h.From; d <= h.To; d++ {
			if other, dup := off[d]; dup {
				return fmt.Errorf("year %d: holidays[%d] %q: %s is also in %q", y.Year, i, h.Name, d, other)
			}
			off[d] = h.Name
		}
	}
	seen := map[date.Date]bool{}
	for i, w := range y.Workdays {
		wd := w.Time().Weekday()
		switch {
		case w.Year() != y.Year:
			return fmt.Errorf("year %d: workdays[%d] %s: outside the year", y.Year, i, w)
		case wd != time.Saturday && wd != time.Sunday:
			return fmt.Errorf("year %d: workdays[%d] %s: a %s is a working day anyway; list only weekend days worked", y.Year, i, w, wd)
		case off[w] != "":
			return fmt.Errorf("year %d: workdays[%d] %s: also a day off of %q", y.Year, i, w, off[w])
		case seen[w]:
			return fmt.Errorf("year %d: workdays[%d] %s: listed twice", y.Year, i, w)
		}
		seen[w] = true
	}
	return nil
}

func (c *Calendar) index() {
	c.off, c.work = map[date.Date]string{}, map[date.Date]bool{}
	for _, y := range c.years {
		for _, h := range y.Holidays {
			for d := h.From; d <= h.To; d++ {
				c.off[d] = h.Name
			}
		}
		for _, w := range y.Workdays {
			c.work[w] = true
		}
	}
}

// With returns a copy of c in which y (validated) replaces the notice of
// its year. c is unchanged.
func (c *Calendar) With(years ...Year) (*Calendar, error) {
	n := &Calendar{years: map[int]*Year{}, lunar: c.lunar}
	for k, v := range c.years {
		n.years[k] = v
	}
	for _, y := range years {
		if err := y.Validate(); err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		y := y
		y.Holidays = slices.Clone(y.Holidays)
		y.Workdays = slices.Clone(y.Workdays)
		n.years[y.Year] = &y
	}
	n.index()
	return n, nil
}

// Years returns the years with a notice, in order.
func (c *Calendar) Years() []Year {
	var ys []Year
	for _, y := range c.years {
		ys = append(ys, *y)
	}
	sort.Slice(ys, func(i, j int) bool { return ys[i].Year < ys[j].Year })
	return ys
}

// Official reports whether year has a notice in c.
func (c *Calendar) Official(year int) bool { return c.years[year] != nil }

// Warning returns "" for a year with a notice, and otherwise the warning
// that its working days are an estimate.
func (c *Calendar) Warning(year int) string {
	if c.years[year] != nil {
		return ""
	}
	if _, ok := c.lunar[year]; !ok {
		return fmt.Sprintf("calendar: no official holiday notice for %d and no lunar dates: counting Monday to Friday minus 1 January, 1–2 May and 1–3 October only; add the year's notice", year)
	}
	return fmt.Sprintf("calendar: no official holiday notice for %d: counting Monday to Friday minus the statutory holidays; adjusted working days (调休) are unknown, add the year's notice when it is published", year)
}

// IsWorkday reports whether d is a working day. For a year without a
// notice it is a weekday that is not a statutory holiday (see Warning).
func (c *Calendar) IsWorkday(d date.Date) bool {
	y := d.Year()
	if c.years[y] != nil {
		if c.work[d] {
			return true
		}
		if c.off[d] != "" {
			return false
		}
		return isWeekday(d)
	}
	return isWeekday(d) && !c.statutory(y, d)
}

func isWeekday(d date.Date) bool {
	wd := d.Time().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// statutory reports whether d is a statutory holiday of year y (the 2024
// revision: 13 days).
func (c *Calendar) statutory(y int, d date.Date) bool {
	_, m, day := d.Parts()
	switch {
	case m == time.January && day == 1,
		m == time.May && day <= 2,
		m == time.October && day <= 3:
		return true
	}
	l, ok := c.lunar[y]
	if !ok {
		return false
	}
	// The Spring Festival falls between 21 January and 20 February, so its
	// eve is always in the same year.
	if d >= l.SpringFestival-1 && d <= l.SpringFestival+2 {
		return true
	}
	return d == l.Qingming || d == l.DragonBoat || d == l.MidAutumn
}

// AddWorkdays returns the n-th working day counting from start (n ≥ 1;
// start itself counts when it is a working day): the last day of a period
// of n working days that begins on start. warnings lists, once each, the
// years crossed that have no notice (see Warning). n < 1 is start.
func (c *Calendar) AddWorkdays(start date.Date, n int) (end date.Date, warnings []string) {
	seen := map[int]bool{}
	note := func(y int) {
		if !seen[y] {
			seen[y] = true
			if w := c.Warning(y); w != "" {
				warnings = append(warnings, w)
			}
		}
	}
	d := start
	if n < 1 {
		return start, nil
	}
	for count := 0; ; d++ {
		note(d.Year())
		if c.IsWorkday(d) {
			count++
			if count == n {
				return d, warnings
			}
		}
	}
}

// Workdays counts the working days from through to, both included (0 when
// to < from), with the warnings of AddWorkdays.
func (c *Calendar) Workdays(from, to date.Date) (n int, warnings []string) {
	seen := map[int]bool{}
	for d := from; d <= to; d++ {
		if y := d.Year(); !seen[y] {
			seen[y] = true
			if w := c.Warning(y); w != "" {
				warnings = append(warnings, w)
			}
		}
		if c.IsWorkday(d) {
			n++
		}
	}
	return n, warnings
}

// HolidayName returns the name of the holiday d falls in, from a notice,
// or "".
func (c *Calendar) HolidayName(d date.Date) string { return c.off[d] }

// ParseYears reads a calendar file (the format of calendar-cn.yaml) and
// returns the years with a notice it holds, in order: what an officer
// imports when a new notice is published. Errors are those of Parse.
func ParseYears(name string, data []byte) ([]Year, error) {
	c, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	return c.Years(), nil
}

// Encode returns y in the file format of calendar-cn.yaml (a file with one
// year), which ParseYears reads back: how a year is stored.
func (y Year) Encode() []byte {
	spec := yearSpec{Notice: y.Notice, Workdays: []string{}}
	for _, h := range y.Holidays {
		spec.Holidays = append(spec.Holidays, holidaySpec{Name: h.Name, From: h.From.String(), To: h.To.String()})
	}
	for _, w := range y.Workdays {
		spec.Workdays = append(spec.Workdays, w.String())
	}
	b, err := yaml.Marshal(file{Years: map[int]yearSpec{y.Year: spec}})
	if err != nil {
		panic(err) // strings and slices of strings always marshal
	}
	return b
}
