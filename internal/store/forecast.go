package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/forecast"
)

var _ forecast.Source = (*DB)(nil)

// ForecastChildren calls fn for every person born on or after bornFrom
// who has at least one residence, with all their residences (town, since,
// until) ordered by since; persons come in ID order. It streams one query:
// fn runs while it is open and must not use the store. It stops at and
// returns fn's first error unwrapped.
func (db *DB) ForecastChildren(ctx context.Context, bornFrom date.Date, fn func(forecast.Child) error) error {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT p.id_number, p.birth_date, r.town, r.since, r.until
		FROM persons p JOIN residences r ON r.id_number = p.id_number
		WHERE p.birth_date >= $1
		ORDER BY p.id_number, r.since, r.address`), db.d.date(bornFrom))
	if err != nil {
		return fmt.Errorf("store: forecast children: %w", err)
	}
	defer rows.Close()
	var (
		cur  forecast.Child
		have bool
	)
	for rows.Next() {
		var (
			id    string
			birth date.Date
			s     forecast.Spell
		)
		if err := rows.Scan(&id, scanDate(&birth), &s.Town, scanDate(&s.Since), scanDate(&s.Until)); err != nil {
			return fmt.Errorf("store: forecast children: %w", err)
		}
		if have && id != cur.ID {
			if err := fn(cur); err != nil {
				return err
			}
			have = false
		}
		if !have {
			// A fresh slice: fn may keep the child.
			cur = forecast.Child{ID: id, Birth: birth, Spells: make([]forecast.Spell, 0, 2)}
			have = true
		}
		cur.Spells = append(cur.Spells, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: forecast children: %w", err)
	}
	if have {
		return fn(cur)
	}
	return nil
}

// ForecastGuardians returns every guardian of the guardians table with
// their children (of any age: bornFrom only bounds what the caller needs,
// and the caller ignores children it does not know, which saves three
// joins to persons at a million residents), their permits as the days
// they were valid (issued_on to valid_to: a lapsed permit's valid_to is
// the day before it lapsed) and their pension periods as days (first day
// of the first month to the last day of the last, To zero while open).
// Three queries; the result is in no set order.
func (db *DB) ForecastGuardians(ctx context.Context, bornFrom date.Date) ([]forecast.Guardian, error) {
	var gs []forecast.Guardian
	index := map[string]int{}
	each := func(what, query string, fn func(*sql.Rows) error) error {
		rows, err := db.sql.QueryContext(ctx, query)
		if err != nil {
			return fmt.Errorf("store: forecast guardians: %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return fmt.Errorf("store: forecast guardians: %s: %w", what, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: forecast guardians: %s: %w", what, err)
		}
		return nil
	}
	err := each("links", `SELECT guardian, child FROM guardians`, func(rows *sql.Rows) error {
		var guardian, child string
		if err := rows.Scan(&guardian, &child); err != nil {
			return err
		}
		i, ok := index[guardian]
		if !ok {
			i = len(gs)
			index[guardian] = i
			gs = append(gs, forecast.Guardian{ID: guardian})
		}
		gs[i].Children = append(gs[i].Children, child)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each("permits", `SELECT id_number, issued_on, valid_to FROM permits
		WHERE id_number IN (SELECT guardian FROM guardians)`, func(rows *sql.Rows) error {
		var id string
		var iv date.Interval
		if err := rows.Scan(&id, scanDate(&iv.From), scanDate(&iv.To)); err != nil {
			return err
		}
		if i, ok := index[id]; ok && !iv.From.IsZero() {
			gs[i].Permits = append(gs[i].Permits, iv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each("pension", `SELECT id_number, from_month, to_month FROM insurance
		WHERE kind = 'pension' AND id_number IN (SELECT guardian FROM guardians)`, func(rows *sql.Rows) error {
		var id string
		var iv date.Interval
		if err := rows.Scan(&id, scanDate(&iv.From), scanDate(&iv.To)); err != nil {
			return err
		}
		if !iv.To.IsZero() {
			iv.To = iv.To.EndOfMonth()
		}
		if i, ok := index[id]; ok {
			gs[i].Pension = append(gs[i].Pension, iv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gs, nil
}

// RentalHouseholds counts the households that meet the public-rental
// proxy on asOf (see forecast.Source): residences of kind rented covering
// asOf, grouped by town and address into households; kept when a member
// holds a permit valid on asOf (issued_on ≤ asOf ≤ valid_to) and the
// latest member moved in on or before rentedBy. A person with two rented
// residences covering asOf (an old one never closed) counts at both: one
// scan of residences, no per-person ranking, keeps the query cheap at a
// million residents. Counts per town and size, ordered by town and size;
// nothing personal leaves the database.
func (db *DB) RentalHouseholds(ctx context.Context, asOf, rentedBy date.Date) ([]forecast.HouseholdCount, error) {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`WITH hh AS (
		SELECT r.town, r.address, COUNT(*) AS size, MAX(r.since) AS latest,
			SUM(CASE WHEN EXISTS (SELECT 1 FROM permits p
				WHERE p.id_number = r.id_number AND p.issued_on <= $1 AND p.valid_to >= $1) THEN 1 ELSE 0 END) AS holders
		FROM residences r
		WHERE r.kind = 'rented' AND r.since <= $1 AND (r.until IS NULL OR r.until >= $1)
		GROUP BY r.town, r.address
	)
	SELECT town, size, COUNT(*) FROM hh
	WHERE holders > 0 AND latest <= $2
	GROUP BY town, size
	ORDER BY town, size`), db.d.date(asOf), db.d.date(rentedBy))
	if err != nil {
		return nil, fmt.Errorf("store: rental households: %w", err)
	}
	defer rows.Close()
	var out []forecast.HouseholdCount
	for rows.Next() {
		var c forecast.HouseholdCount
		if err := rows.Scan(&c.Town, &c.Size, &c.Count); err != nil {
			return nil, fmt.Errorf("store: rental households: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rental households: %w", err)
	}
	return out, nil
}
