// Package calendar counts official working days (工作日) in China: the
// State Council publishes each year's public holidays and the weekend days
// that become working days to compensate (调休), so Monday to Friday is not
// the rule. The calendar is data: calendar-cn.yaml is embedded with the
// years whose notices were known when it was written, and an officer adds
// a year when its notice comes out (rooted stores it in the database; see
// Calendar.With).
//
// A year without a notice falls back to Monday–Friday minus the statutory
// holidays, and every answer about such a year carries a warning, so that
// a deadline computed that way is never mistaken for an official one.
//
// The package is pure: no files (but the embedded default), no database.
//
// It must not read the clock: every question names its day.
package calendar
