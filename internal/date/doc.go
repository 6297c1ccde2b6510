// Package date is the civil calendar date used everywhere in rooted: a day
// number that compares, subtracts and sorts as an integer, with no time zone.
//
// Registry facts are valid from one day to another; ages, residence spells and
// permit anniversaries are all day arithmetic. A plain int32 keeps a million
// residents' histories small and their comparisons cheap.
//
// It also owns CST, China Standard Time, the one zone in which rooted turns
// an instant into a day or a clock time.
package date
