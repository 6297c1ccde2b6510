package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

// Towns returns every town, ordered by code.
func (db *DB) Towns(ctx context.Context) ([]registry.Town, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT code, name, kind FROM towns ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("store: towns: %w", err)
	}
	defer rows.Close()
	var ts []registry.Town
	for rows.Next() {
		var t registry.Town
		if err := rows.Scan(&t.Code, &t.Name, &t.Kind); err != nil {
			return nil, fmt.Errorf("store: towns: %w", err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: towns: %w", err)
	}
	return ts, nil
}

// Schools returns every school, ordered by code.
func (db *DB) Schools(ctx context.Context) ([]registry.School, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT code, name, town, level, entry_seats FROM schools ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("store: schools: %w", err)
	}
	defer rows.Close()
	var ss []registry.School
	for rows.Next() {
		var s registry.School
		if err := rows.Scan(&s.Code, &s.Name, &s.Town, &s.Level, &s.EntrySeats); err != nil {
			return nil, fmt.Errorf("store: schools: %w", err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: schools: %w", err)
	}
	return ss, nil
}

// personIDPage is how many IDs ForEachPersonID reads per query (a variable
// so that tests can page through a few rows).
var personIDPage = 10000

// ForEachPersonID calls fn with every person's ID number, in ID order,
// reading a page at a time so that no query is open while fn runs (fn may
// use the store). It stops at and returns fn's first error unwrapped.
func (db *DB) ForEachPersonID(ctx context.Context, fn func(id string) error) error {
	query := db.d.q(`SELECT id_number FROM persons WHERE id_number > $1 ORDER BY id_number LIMIT $2`)
	ids := make([]string, 0, personIDPage)
	after := ""
	for {
		ids = ids[:0]
		rows, err := db.sql.QueryContext(ctx, query, after, personIDPage)
		if err != nil {
			return fmt.Errorf("store: person ids: %w", err)
		}
		// The rows are closed before fn runs: no query is open then.
		if ids, err = appendIDs(ids, rows); err != nil {
			return fmt.Errorf("store: person ids: %w", err)
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < personIDPage {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

const personColumns = `id_number, name, phone, education, hukou_type, birth_date, sex, origin`

// personRow returns the scan destinations of personColumns.
func personRow(p *registry.Person) []any {
	return []any{&p.IDNumber, &p.Name, &p.Phone, &p.Education, &p.HukouType, scanDate(&p.BirthDate), (*string)(&p.Sex), &p.Origin}
}

// Person returns the person with ID number id, or an *apperr.Error with
// code not_found.
func (db *DB) Person(ctx context.Context, id string) (registry.Person, error) {
	var p registry.Person
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT `+personColumns+` FROM persons WHERE id_number = $1`), id).Scan(personRow(&p)...)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Person{}, apperr.WrapE("store.person_get", apperr.NotFound, err, "error.person_not_found", ident.MaskID(id))
	}
	if err != nil {
		return registry.Person{}, fmt.Errorf("store: person %s: %w", ident.MaskID(id), err)
	}
	return p, nil
}

// statTables are the keys of Stats and the tables they count.
var statTables = []string{"persons", "guardians", "residences", "jobs", "insurance", "facts", "permits", "permit_events", "towns", "schools", "imports"}

// Stats returns the row count of each table in statTables, keyed by table
// name ("insurance" counts insurance periods).
func (db *DB) Stats(ctx context.Context) (map[string]int64, error) {
	query := "SELECT "
	for i, t := range statTables {
		if i > 0 {
			query += ", "
		}
		query += "(SELECT COUNT(*) FROM " + t + ")"
	}
	counts := make([]int64, len(statTables))
	dest := make([]any, len(statTables))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := db.sql.QueryRowContext(ctx, query).Scan(dest...); err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	m := make(map[string]int64, len(statTables))
	for i, t := range statTables {
		m[t] = counts[i]
	}
	return m, nil
}

var sexLabels = map[string]string{string(registry.Male): "男", string(registry.Female): "女"}

// bornBy returns the latest birth date of a person who is at least age
// whole years old on asOf (date.YearsBetween's rule): the same month and
// day age years earlier, or 28 February when that day is a 29 February
// that does not exist.
func bornBy(asOf date.Date, age int) date.Date {
	y, m, d := asOf.Parts()
	y -= age
	leap := y%4 == 0 && (y%100 != 0 || y%400 == 0)
	if m == time.February && d == 29 && !leap {
		d = 28
	}
	return date.Of(y, m, d)
}

// Figures counts the current residents on asOf: persons with a residence
// whose since ≤ asOf and whose until is open or ≥ asOf, each once, in the
// town of the latest such residence (by since, then address). ByTown lists
// every town (label: its name), then any unknown town codes, largest
// first; ByOrigin the province codes of origin (label: the province's
// Chinese name, "" if unknown), largest first; BySex and
// ByAge in their fixed order (ByAge from the birth date at asOf). Permits
// counts active permits valid on asOf.
func (db *DB) Figures(ctx context.Context, asOf date.Date) (registry.Figures, error) {
	if asOf.IsZero() {
		return registry.Figures{}, apperr.E("store.figures", apperr.Invalid, "error.figures_need_asof")
	}
	d := db.d
	// Bands in SQL as birth-date cut-offs: one query, grouped into a few
	// thousand rows at most, whatever the population.
	band := "CASE WHEN p.birth_date IS NULL THEN ''"
	args := []any{d.date(asOf)}
	bands := registry.AgeBands
	for _, b := range bands[:len(bands)-1] {
		args = append(args, d.date(bornBy(asOf, b.To+1)))
		band += fmt.Sprintf(" WHEN p.birth_date > $%d THEN '%s'", len(args), b.Key)
	}
	band += fmt.Sprintf(" ELSE '%s' END", bands[len(bands)-1].Key)
	query := d.q(`WITH cur AS (
		SELECT id_number, town,
			ROW_NUMBER() OVER (PARTITION BY id_number ORDER BY since DESC, address DESC) AS rn
		FROM residences
		WHERE since <= $1 AND (until IS NULL OR until >= $1)
	)
	SELECT cur.town, substr(p.origin, 1, 2) AS province, p.sex, ` + band + ` AS band, COUNT(*)
	FROM cur JOIN persons p ON p.id_number = cur.id_number
	WHERE cur.rn = 1
	GROUP BY 1, 2, 3, 4`)

	towns, err := db.Towns(ctx)
	if err != nil {
		return registry.Figures{}, fmt.Errorf("store: figures: %w", err)
	}
	byTown := make(map[string]int64)
	byOrigin := make(map[string]int64)
	bySex := make(map[string]int64)
	byAge := make(map[string]int64)
	f := registry.Figures{AsOf: asOf}

	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return registry.Figures{}, fmt.Errorf("store: figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var town, province, sex, age string
		var n int64
		if err := rows.Scan(&town, &province, &sex, &age, &n); err != nil {
			return registry.Figures{}, fmt.Errorf("store: figures: %w", err)
		}
		f.Total += n
		byTown[town] += n
		byOrigin[province] += n
		bySex[sex] += n
		byAge[age] += n
	}
	if err := rows.Err(); err != nil {
		return registry.Figures{}, fmt.Errorf("store: figures: %w", err)
	}
	rows.Close()

	for _, t := range towns {
		f.ByTown = append(f.ByTown, registry.Count{Key: t.Code, Label: t.Name, N: byTown[t.Code]})
		delete(byTown, t.Code)
	}
	for code, n := range byTown { // residences naming a town no longer listed
		f.ByTown = append(f.ByTown, registry.Count{Key: code, N: n})
	}
	sortCounts(f.ByTown)

	for code, n := range byOrigin {
		f.ByOrigin = append(f.ByOrigin, registry.Count{Key: code, Label: provinceName(code), N: n})
	}
	sortCounts(f.ByOrigin)

	for _, s := range []string{string(registry.Male), string(registry.Female)} {
		f.BySex = append(f.BySex, registry.Count{Key: s, Label: sexLabels[s], N: bySex[s]})
		delete(bySex, s)
	}
	for s, n := range bySex {
		f.BySex = append(f.BySex, registry.Count{Key: s, N: n})
	}
	for _, b := range registry.AgeBands {
		f.ByAge = append(f.ByAge, registry.Count{Key: b.Key, Label: b.NameZH, N: byAge[b.Key]})
	}
	if n := byAge[""]; n > 0 {
		f.ByAge = append(f.ByAge, registry.Count{Key: "", Label: "未知", N: n})
	}

	err = db.sql.QueryRowContext(ctx, d.q(`SELECT COUNT(*) FROM permits WHERE status = $1 AND valid_to >= $2`),
		registry.PermitActive, d.date(asOf)).Scan(&f.Permits)
	if err != nil {
		return registry.Figures{}, fmt.Errorf("store: figures: permits: %w", err)
	}
	return f, nil
}

// sortCounts orders counts largest first, then by key.
func sortCounts(cs []registry.Count) {
	slices.SortFunc(cs, func(a, b registry.Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
}

// provinceName returns the Chinese name of a 2-digit province code, or ""
// when the code is not a province's.
func provinceName(code string) string {
	name, _ := ident.ProvinceName(code)
	return name
}

// appendIDs appends the single string column of every row to ids and closes
// rows (deferred, so that every path closes them).
func appendIDs(ids []string, rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// scanIDs is appendIDs into a new slice.
func scanIDs(rows *sql.Rows) ([]string, error) {
	return appendIDs(nil, rows)
}
