package registry

import "strconv"

// HouseholdClass is a class of public-rental units and the household sizes
// it houses. HouseholdClasses is the one definition the housing forecast
// (CLI, page, workbook) and housing rounds share, so that a household of a
// given size is in the same class everywhere.
type HouseholdClass struct {
	Code    string // unit type code, as housing rounds name it
	NameZH  string
	NameEN  string
	MinSize int // household sizes housed, inclusive
	MaxSize int // 0: open
}

// HouseholdClasses: households of 1–2 persons a one-bedroom unit, 3–4 a
// two-bedroom, 5 or more a three-bedroom. An assumption shaped by common
// public-rental allocation rules (no Wenling figure was found); a city
// with other rules changes this table.
var HouseholdClasses = []HouseholdClass{
	{Code: "one_bedroom", NameZH: "一居室", NameEN: "one-bedroom", MinSize: 1, MaxSize: 2},
	{Code: "two_bedroom", NameZH: "两居室", NameEN: "two-bedroom", MinSize: 3, MaxSize: 4},
	{Code: "three_bedroom", NameZH: "三居室", NameEN: "three-bedroom", MinSize: 5},
}

// Houses reports whether the class houses a household of size persons.
func (c HouseholdClass) Houses(size int) bool {
	return size >= c.MinSize && (c.MaxSize == 0 || size <= c.MaxSize)
}

// Sizes is the household sizes of the class, "1–2" or "5+".
func (c HouseholdClass) Sizes() string {
	switch c.MaxSize {
	case 0:
		return strconv.Itoa(c.MinSize) + "+"
	case c.MinSize:
		return strconv.Itoa(c.MinSize)
	}
	return strconv.Itoa(c.MinSize) + "–" + strconv.Itoa(c.MaxSize)
}
