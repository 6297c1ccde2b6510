package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// engines are the databases the suite runs against; dsn returns a fresh,
// empty database for t.
var engines = []struct {
	name string
	dsn  func(t testing.TB) string
}{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "rooted.db") }},
	{"postgres", pgtest.DSN},
}

// TestStore runs every store test against each engine, each test on a fresh
// database.
func TestStore(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, dsn string)
	}{
		{"MigrateIdempotent", testMigrateIdempotent},
		{"DefaultTowns", testDefaultTowns},
		{"UpsertChanges", testUpsertChanges},
		{"AllKinds", testAllKinds},
		{"Rollback", testRollback},
		{"CommitRecordsImport", testCommitRecordsImport},
		{"PersonNotFound", testPersonNotFound},
		{"ForEachPersonID", testForEachPersonID},
		{"Stats", testStats},
		{"Figures", testFigures},
		{"UpdatePermits", testUpdatePermits},
		{"DatesRoundTrip", testDatesRoundTrip},
		{"ReadDuringBatch", testReadDuringBatch},
		{"Version", testVersion},
		{"Sandbox", testSandbox},
		{"MigrationInsertedBefore", testMigrationInsertedBefore},
		{"CancelledBatch", testCancelledBatch},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) { tt.fn(t, e.dsn(t)) })
			}
		})
	}
}

var ctx = context.Background()

func mustOpen(t *testing.T, dsn string) *DB {
	t.Helper()
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// put runs one batch of puts and commits it, returning the changed count.
func put(t *testing.T, db *DB, puts func(b registry.Batch) error) int64 {
	t.Helper()
	b, err := db.BeginBatch(ctx)
	if err != nil {
		t.Fatalf("BeginBatch: %v", err)
	}
	defer b.Rollback()
	if err := puts(b); err != nil {
		t.Fatalf("put: %v", err)
	}
	n, err := b.Commit(ctx, registry.ImportRun{File: "test.csv", Kind: "test"})
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return n
}

func putPersons(t *testing.T, db *DB, ps ...registry.Person) int64 {
	t.Helper()
	return put(t, db, func(b registry.Batch) error {
		for _, p := range ps {
			if err := b.PutPerson(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

func stats(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	s, err := db.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return s
}

// person makes a person whose derived fields agree with the arguments;
// the ID number only needs to be unique here.
func person(seq int, birth string, sex registry.Sex, origin string) registry.Person {
	b := date.MustParse(birth)
	return registry.Person{
		IDNumber:  fmt.Sprintf("%s%s%04d", origin, strings.ReplaceAll(birth, "-", ""), seq),
		Name:      fmt.Sprintf("测试%d", seq),
		BirthDate: b,
		Sex:       sex,
		Origin:    origin,
	}
}

var d = date.MustParse

func testMigrateIdempotent(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	n, err := db.Migrate(ctx)
	if err != nil || n != 0 {
		t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
	}
	db.Close()
	db = mustOpen(t, dsn) // Open twice: nothing pending
	if n, err := db.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("Migrate after reopen = %d, %v; want 0, nil", n, err)
	}
	ms, err := db.migrations()
	if err != nil {
		t.Fatal(err)
	}
	var recorded int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", recorded, len(ms))
	}
	if got := stats(t, db)["towns"]; got != int64(len(registry.DefaultTowns)) {
		t.Errorf("towns = %d after reopening, want %d (seeded once)", got, len(registry.DefaultTowns))
	}
}

func testDefaultTowns(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	got, err := db.Towns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(registry.DefaultTowns)
	sort.Slice(want, func(i, j int) bool { return want[i].Code < want[j].Code })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Towns = %v\nwant %v", got, want)
	}
	// A deployment that replaced the towns keeps its own on reopen.
	put(t, db, func(b registry.Batch) error {
		return b.PutTown(ctx, registry.Town{Code: "zeguo", Name: "泽国镇（新）", Kind: "town"})
	})
	db.Close()
	db = mustOpen(t, dsn)
	got, err = db.Towns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("towns after reopen: %d, want %d", len(got), len(want))
	}
}

func testUpsertChanges(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	a := person(1, "1990-01-02", registry.Male, "510102")
	b := person(2, "1992-03-04", registry.Female, "520102")
	res := registry.Residence{IDNumber: a.IDNumber, Town: "zeguo", Address: "泽国镇1号", Since: d("2020-01-01"), Kind: "rented"}
	putAll := func(ps ...registry.Person) int64 {
		return put(t, db, func(bt registry.Batch) error {
			for _, p := range ps {
				if err := bt.PutPerson(ctx, p); err != nil {
					return err
				}
			}
			return bt.PutResidence(ctx, res)
		})
	}
	if n := putAll(a, b); n != 3 {
		t.Errorf("first import changed %d, want 3", n)
	}
	if n := putAll(a, b); n != 0 {
		t.Errorf("identical re-import changed %d, want 0", n)
	}
	b.Phone = "13800000000"
	if n := putAll(a, b); n != 1 {
		t.Errorf("one changed phone: changed %d, want 1", n)
	}
	got, err := db.Person(ctx, b.IDNumber)
	if err != nil || got != b {
		t.Errorf("Person = %+v, %v; want %+v", got, err, b)
	}
	// Provenance: the changed row names the third import, the others the first.
	for _, tt := range []struct {
		id   string
		want int64
	}{{a.IDNumber, 1}, {b.IDNumber, 3}} {
		var imp int64
		if err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT import_id FROM persons WHERE id_number = $1`), tt.id).Scan(&imp); err != nil {
			t.Fatal(err)
		}
		if imp != tt.want {
			t.Errorf("import_id = %d, want %d", imp, tt.want)
		}
	}
}

func testAllKinds(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	child := person(1, "2018-05-06", registry.Female, "510102")
	parent := person(2, "1988-01-01", registry.Male, "510102")
	puts := func(b registry.Batch) error {
		for _, err := range []error{
			b.PutTown(ctx, registry.Town{Code: "newtown", Name: "新镇", Kind: "town"}),
			b.PutSchool(ctx, registry.School{Code: "s1", Name: "第一小学", Town: "zeguo", Level: "primary", EntrySeats: 180}),
			b.PutPerson(ctx, child),
			b.PutPerson(ctx, parent),
			b.PutGuardian(ctx, registry.Guardianship{Child: child.IDNumber, Guardian: parent.IDNumber}),
			b.PutResidence(ctx, registry.Residence{IDNumber: parent.IDNumber, Town: "zeguo", Address: "一号", Since: d("2020-01-01"), Kind: "rented", Source: "landlord"}),
			b.PutJob(ctx, registry.Job{IDNumber: parent.IDNumber, EmployerUSCC: "91331081MA2AAAAAA1", EmployerName: "某公司", Since: d("2020-02-01"), Contract: "yes"}),
			b.PutInsurance(ctx, registry.Insurance{IDNumber: parent.IDNumber, Kind: "pension", From: d("2020-02-01"), To: d("2024-05-01")}),
			b.PutFact(ctx, registry.Fact{IDNumber: parent.IDNumber, Kind: "volunteer_hours", Value: "12.5", Date: d("2023-07-01")}),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	}
	if n := put(t, db, puts); n != 9 {
		t.Errorf("first import changed %d, want 9", n)
	}
	if n := put(t, db, puts); n != 0 {
		t.Errorf("re-import changed %d, want 0", n)
	}
	schools, err := db.Schools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.School{{Code: "s1", Name: "第一小学", Town: "zeguo", Level: "primary", EntrySeats: 180}}
	if !reflect.DeepEqual(schools, want) {
		t.Errorf("Schools = %+v, want %+v", schools, want)
	}
	s := stats(t, db)
	for _, k := range []string{"schools", "persons", "guardians", "residences", "jobs", "insurance", "facts"} {
		if want := map[string]int64{"persons": 2}[k]; (want == 0 && s[k] != 1) || (want != 0 && s[k] != want) {
			t.Errorf("Stats[%s] = %d", k, s[k])
		}
	}
	if s["towns"] != int64(len(registry.DefaultTowns))+1 {
		t.Errorf("Stats[towns] = %d, want %d", s["towns"], len(registry.DefaultTowns)+1)
	}
}

func testRollback(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	b, err := db.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// More than one flush, so rows really reached the database.
	for i := range sortRows + 10 {
		if err := b.PutPerson(ctx, person(i, "1990-01-01", registry.Male, "510102")); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Rollback(); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	if err := b.Rollback(); err != nil {
		t.Errorf("second Rollback: %v", err)
	}
	s := stats(t, db)
	if s["persons"] != 0 || s["imports"] != 0 {
		t.Errorf("after rollback persons=%d imports=%d, want 0 0", s["persons"], s["imports"])
	}
	// Rollback after Commit is a no-op, and the database stays usable.
	b, err = db.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutPerson(ctx, person(1, "1990-01-01", registry.Male, "510102")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx, registry.ImportRun{}); err != nil {
		t.Fatal(err)
	}
	if err := b.Rollback(); err != nil {
		t.Errorf("Rollback after Commit: %v", err)
	}
	if s := stats(t, db); s["persons"] != 1 {
		t.Errorf("persons = %d after commit, want 1", s["persons"])
	}
}

func testCommitRecordsImport(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	b, err := db.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	for i := range 3 {
		if err := b.PutPerson(ctx, person(i, "1990-01-01", registry.Male, "510102")); err != nil {
			t.Fatal(err)
		}
	}
	run := registry.ImportRun{File: "persons.csv", SHA256: "abc123", Kind: "persons", Read: 5, Accepted: 3, Quarantined: 2}
	changed, err := b.Commit(ctx, run)
	if err != nil || changed != 3 {
		t.Fatalf("Commit = %d, %v; want 3, nil", changed, err)
	}
	var got registry.ImportRun
	var gotChanged int64
	var at any
	err = db.sql.QueryRowContext(ctx, `SELECT file, sha256, kind, read, accepted, quarantined, changed, at FROM imports`).
		Scan(&got.File, &got.SHA256, &got.Kind, &got.Read, &got.Accepted, &got.Quarantined, &gotChanged, &at)
	if err != nil {
		t.Fatal(err)
	}
	if got != run || gotChanged != 3 || at == nil {
		t.Errorf("imports row = %+v changed=%d at=%v; want %+v changed=3", got, gotChanged, at, run)
	}
}

func testPersonNotFound(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	const id = "51010219900101123X"
	_, err := db.Person(ctx, id)
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("Person(missing) error = %v, want code not_found", err)
	}
	if strings.Contains(err.Error(), id) {
		t.Errorf("error %q contains the full ID number", err)
	}
}

func testForEachPersonID(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	defer func(n int) { personIDPage = n }(personIDPage)
	personIDPage = 3 // cross page boundaries
	var want []string
	var ps []registry.Person
	for i := range 10 {
		p := person(i, "1990-01-01", registry.Male, "510102")
		ps = append(ps, p)
		want = append(want, p.IDNumber)
	}
	putPersons(t, db, ps...)
	var got []string
	if err := db.ForEachPersonID(ctx, func(id string) error {
		got = append(got, id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("ForEachPersonID = %v\nwant %v", got, want)
	}
	stop := fmt.Errorf("stop")
	if err := db.ForEachPersonID(ctx, func(string) error { return stop }); err != stop { //nolint:errorlint // the contract is fn's error itself, unwrapped
		t.Errorf("error from fn = %v, want it returned as is", err)
	}
}

func testStats(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	s := stats(t, db)
	var keys []string
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"facts", "guardians", "imports", "insurance", "jobs", "permit_events", "permits", "persons", "residences", "schools", "towns"}
	if !slices.Equal(keys, want) {
		t.Errorf("Stats keys = %v, want %v", keys, want)
	}
}

func testFigures(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	asOf := d("2024-06-15")
	moved := person(1, "1990-06-15", registry.Male, "510102")    // 34
	left := person(2, "1985-01-01", registry.Female, "510102")   // gone before asOf
	child5 := person(3, "2018-06-16", registry.Female, "520102") // 5: sixth birthday tomorrow
	child6 := person(4, "2018-06-15", registry.Male, "520102")   // 6 today; arrived today
	old61 := person(5, "1963-06-15", registry.Female, "510000")  // 61 today; leaves today
	old60 := person(6, "1963-06-16", registry.Male, "330781")    // 60
	future := person(7, "1990-01-01", registry.Male, "330781")   // arrives after asOf
	nowhere := person(8, "1990-01-01", registry.Male, "330781")  // no residence
	res := []registry.Residence{
		// moved: the old address was never closed; counted once, in the newer town.
		{IDNumber: moved.IDNumber, Town: "taiping", Address: "太平1号", Since: d("2020-01-01"), Kind: "rented"},
		{IDNumber: moved.IDNumber, Town: "zeguo", Address: "泽国2号", Since: d("2024-01-01"), Kind: "rented"},
		{IDNumber: left.IDNumber, Town: "daxi", Address: "大溪3号", Since: d("2019-01-01"), Until: d("2024-06-14"), Kind: "rented"},
		{IDNumber: child5.IDNumber, Town: "zeguo", Address: "泽国4号", Since: d("2020-01-01"), Kind: "relative"},
		{IDNumber: child6.IDNumber, Town: "taiping", Address: "太平5号", Since: asOf, Kind: "rented"},
		{IDNumber: old61.IDNumber, Town: "chengdong", Address: "城东6号", Since: d("2010-01-01"), Until: asOf, Kind: "owned"},
		{IDNumber: old60.IDNumber, Town: "chengdong", Address: "城东7号", Since: d("2000-01-01"), Kind: "owned"},
		{IDNumber: future.IDNumber, Town: "daxi", Address: "大溪8号", Since: d("2024-06-16"), Kind: "rented"},
	}
	put(t, db, func(b registry.Batch) error {
		for _, p := range []registry.Person{moved, left, child5, child6, old61, old60, future, nowhere} {
			if err := b.PutPerson(ctx, p); err != nil {
				return err
			}
		}
		for _, r := range res {
			if err := b.PutResidence(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	// Permits: one active and valid, one active but expired, one lapsed.
	permits := map[string]registry.Permit{
		moved.IDNumber:  {Number: "P1", IDNumber: moved.IDNumber, Town: "zeguo", IssuedOn: d("2024-01-01"), ValidTo: d("2024-12-31"), Status: registry.PermitActive, UpdatedOn: d("2024-01-01")},
		child5.IDNumber: {Number: "P2", IDNumber: child5.IDNumber, Town: "zeguo", IssuedOn: d("2023-06-14"), ValidTo: d("2024-06-14"), Status: registry.PermitActive, UpdatedOn: d("2023-06-14")},
		old60.IDNumber:  {Number: "P3", IDNumber: old60.IDNumber, Town: "chengdong", IssuedOn: d("2020-01-01"), ValidTo: d("2024-12-31"), Status: registry.PermitLapsed, LapsedOn: d("2024-01-01"), UpdatedOn: d("2024-01-01")},
	}
	if _, err := db.UpdatePermits(ctx, func(h registry.PersonHistory) registry.PermitChange {
		if p, ok := permits[h.Person.IDNumber]; ok {
			return registry.PermitChange{Permits: []registry.Permit{p}}
		}
		return registry.PermitChange{}
	}, nil); err != nil {
		t.Fatal(err)
	}

	f, err := db.Figures(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if f.Total != 5 || f.Permits != 1 || f.AsOf != asOf {
		t.Errorf("Total=%d Permits=%d AsOf=%v; want 5 1 %v", f.Total, f.Permits, f.AsOf, asOf)
	}
	if len(f.ByTown) != len(registry.DefaultTowns) {
		t.Errorf("ByTown has %d towns, want all %d", len(f.ByTown), len(registry.DefaultTowns))
	}
	wantTop := []registry.Count{{Key: "chengdong", Label: "城东街道", N: 2}, {Key: "zeguo", Label: "泽国镇", N: 2}, {Key: "taiping", Label: "太平街道", N: 1}, {Key: "binhai", Label: "滨海镇", N: 0}}
	if len(f.ByTown) < 4 || !reflect.DeepEqual(f.ByTown[:4], wantTop) {
		t.Errorf("ByTown = %v\nwant it to start %v", f.ByTown, wantTop)
	}
	keysN := func(cs []registry.Count) string {
		var s []string
		for _, c := range cs {
			s = append(s, fmt.Sprintf("%s:%d", c.Key, c.N))
		}
		return strings.Join(s, " ")
	}
	for _, tt := range []struct {
		name string
		got  []registry.Count
		want string
	}{
		{"ByOrigin", f.ByOrigin, "51:2 52:2 33:1"},
		{"BySex", f.BySex, "male:3 female:2"},
		{"ByAge", f.ByAge, "0-5:1 6-11:1 12-14:0 15-17:0 18-40:1 41-54:0 55-60:1 61+:1"},
	} {
		if got := keysN(tt.got); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, got, tt.want)
		}
	}
	if f.BySex[0].Label != "男" || f.ByAge[0].Label != "0–5岁" || f.ByAge[7].Label != "61岁及以上" || f.ByOrigin[0].Label != "四川省" {
		t.Errorf("labels: sex %q age %q origin %q; want 男, 0–5岁, 四川省", f.BySex[0].Label, f.ByAge[0].Label, f.ByOrigin[0].Label)
	}
}

func testUpdatePermits(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	defer func(n int) { permitChunk = n }(permitChunk)
	permitChunk = 3 // cross chunk boundaries

	var ps []registry.Person
	var res []registry.Residence
	for i := range 8 {
		p := person(i, "1990-01-01", registry.Male, "510102")
		ps = append(ps, p)
		if i%4 != 3 { // persons 3 and 7 have no residence
			res = append(res, registry.Residence{IDNumber: p.IDNumber, Town: "zeguo", Address: fmt.Sprintf("地址%d", i), Since: d("2020-01-01"), Kind: "rented"})
		}
	}
	slices.SortFunc(ps, func(a, b registry.Person) int { return strings.Compare(a.IDNumber, b.IDNumber) })
	put(t, db, func(b registry.Batch) error {
		for _, p := range ps {
			if err := b.PutPerson(ctx, p); err != nil {
				return err
			}
		}
		for _, r := range res {
			if err := b.PutResidence(ctx, r); err != nil {
				return err
			}
		}
		// ps[1] has a registered guardian; ps[2] one who is not in persons.
		if err := b.PutGuardian(ctx, registry.Guardianship{Child: ps[1].IDNumber, Guardian: ps[0].IDNumber}); err != nil {
			return err
		}
		return b.PutGuardian(ctx, registry.Guardianship{Child: ps[2].IDNumber, Guardian: "000000000000000000"})
	})

	on := d("2024-06-15")
	issue := func(h registry.PersonHistory) registry.PermitChange {
		if len(h.Residences) == 0 || len(h.Permits) > 0 {
			return registry.PermitChange{}
		}
		p := registry.Permit{Number: "P-" + h.Person.IDNumber, IDNumber: h.Person.IDNumber, Town: h.Residences[0].Town,
			IssuedOn: on, ValidTo: on.AddDate(1, 0, -1), Status: registry.PermitActive, UpdatedOn: on}
		return registry.PermitChange{
			Permits: []registry.Permit{p},
			Events:  []registry.PermitEvent{{Permit: p.Number, IDNumber: p.IDNumber, Kind: registry.EventIssue, On: on, Reason: "resident"}},
		}
	}
	var seen []string
	var guarded []bool
	var progress []int
	sum, err := db.UpdatePermits(ctx, func(h registry.PersonHistory) registry.PermitChange {
		seen = append(seen, h.Person.IDNumber)
		guarded = append(guarded, h.HasGuardian)
		return issue(h)
	}, func(done int) { progress = append(progress, done) })
	if err != nil {
		t.Fatal(err)
	}
	want := registry.PermitSummary{Persons: 8, Issued: 6, Active: 6}
	if sum != want {
		t.Errorf("first run = %+v, want %+v", sum, want)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.IDNumber)
	}
	if !slices.Equal(seen, ids) {
		t.Errorf("decide saw %v\nwant ID order %v", seen, ids)
	}
	if wantG := []bool{false, true, false, false, false, false, false, false}; !slices.Equal(guarded, wantG) {
		t.Errorf("HasGuardian = %v, want %v", guarded, wantG)
	}
	if !slices.Equal(progress, []int{3, 6, 8}) {
		t.Errorf("progress = %v, want [3 6 8]", progress)
	}
	before := stats(t, db)

	// Second run: the histories now carry the permits; nothing to decide.
	var withPermit int
	sum, err = db.UpdatePermits(ctx, func(h registry.PersonHistory) registry.PermitChange {
		if len(h.Permits) == 1 && h.Permits[0].Number == "P-"+h.Person.IDNumber && h.Permits[0].ValidTo == on.AddDate(1, 0, -1) {
			withPermit++
		}
		return registry.PermitChange{}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (registry.PermitSummary{Persons: 8, Active: 6}); sum != want {
		t.Errorf("second run = %+v, want %+v", sum, want)
	}
	if withPermit != 6 {
		t.Errorf("%d histories carried their permit, want 6", withPermit)
	}
	if after := stats(t, db); !reflect.DeepEqual(after, before) {
		t.Errorf("no-change run changed the store: %v → %v", before, after)
	}
}

func testDatesRoundTrip(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	p := person(1, "2000-02-29", registry.Female, "510102")
	open := registry.Residence{IDNumber: p.IDNumber, Town: "zeguo", Address: "甲", Since: d("2020-01-01"), Kind: "rented"}
	closed := registry.Residence{IDNumber: p.IDNumber, Town: "daxi", Address: "乙", Since: d("2021-12-31"), Until: d("2022-02-28"), Kind: "rented", Source: "police"}
	job := registry.Job{IDNumber: p.IDNumber, EmployerUSCC: "91331081MA2AAAAAA1", EmployerName: "某公司", Since: d("2021-01-01")}
	put(t, db, func(b registry.Batch) error {
		for _, err := range []error{b.PutPerson(ctx, p), b.PutResidence(ctx, open), b.PutResidence(ctx, closed), b.PutJob(ctx, job)} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	got, err := db.Person(ctx, p.IDNumber)
	if err != nil || got != p {
		t.Errorf("Person = %+v, %v; want %+v", got, err, p)
	}
	permit := registry.Permit{Number: "P1", IDNumber: p.IDNumber, Town: "zeguo", IssuedOn: d("2020-01-01"), ValidTo: d("2020-12-31"), Status: registry.PermitActive}
	var h registry.PersonHistory
	for range 2 {
		if _, err := db.UpdatePermits(ctx, func(x registry.PersonHistory) registry.PermitChange {
			h = x
			return registry.PermitChange{Permits: []registry.Permit{permit}}
		}, nil); err != nil {
			t.Fatal(err)
		}
	}
	want := registry.PersonHistory{Person: p, Residences: []registry.Residence{open, closed}, Jobs: []registry.Job{job}, Permits: []registry.Permit{permit}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("history = %+v\nwant %+v", h, want)
	}
	var nulls int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM residences WHERE until IS NULL`).Scan(&nulls); err != nil || nulls != 1 {
		t.Errorf("residences with NULL until = %d, %v; want 1 (zero Date stored as NULL)", nulls, err)
	}
}

func testReadDuringBatch(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	committed := person(1, "1990-01-01", registry.Male, "510102")
	putPersons(t, db, committed)
	b, err := db.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	for i := range sortRows + 1 { // at least one statement reached the database
		if err := b.PutPerson(ctx, person(100+i, "1990-01-01", registry.Male, "510102")); err != nil {
			t.Fatal(err)
		}
	}
	// Readers proceed beside the open batch and see only committed rows.
	if got := stats(t, db)["persons"]; got != 1 {
		t.Errorf("persons seen during the batch = %d, want 1", got)
	}
	if _, err := db.Person(ctx, committed.IDNumber); err != nil {
		t.Errorf("Person during the batch: %v", err)
	}
	if _, err := b.Commit(ctx, registry.ImportRun{}); err != nil {
		t.Fatal(err)
	}
	if got := stats(t, db)["persons"]; got != sortRows+2 {
		t.Errorf("persons after commit = %d, want %d", got, sortRows+2)
	}
}

// TestBornBy checks the SQL age bands' cut-offs against date.YearsBetween
// around every birthday in four years, leap days included.
func TestBornBy(t *testing.T) {
	for asOf := d("2023-01-01"); asOf <= d("2026-12-31"); asOf++ {
		for _, age := range []int{1, 6, 12, 61} {
			cut := bornBy(asOf, age)
			if got := date.YearsBetween(cut, asOf); got < age {
				t.Fatalf("bornBy(%v, %d) = %v: age %d", asOf, age, cut, got)
			}
			if got := date.YearsBetween(cut+1, asOf); got >= age {
				t.Fatalf("bornBy(%v, %d) = %v: the next day is still age %d", asOf, age, cut, got)
			}
		}
	}
}

func TestDateScan(t *testing.T) {
	for _, tt := range []struct {
		src  any
		want date.Date
	}{
		{nil, 0},
		{"", 0},
		{"2024-02-29", d("2024-02-29")},
		{[]byte("2024-03-01"), d("2024-03-01")},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), d("2024-03-01")},
	} {
		var got date.Date = 99
		if err := scanDate(&got).Scan(tt.src); err != nil || got != tt.want {
			t.Errorf("Scan(%v) = %v, %v; want %v", tt.src, got, err, tt.want)
		}
	}
	var x date.Date
	if err := scanDate(&x).Scan(int64(3)); err == nil {
		t.Error("Scan(int64) succeeded, want an error")
	}
}

// testVersion: the registry's version grows with each import or permits
// run that changes something, and only then.
func testVersion(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	version := func() int64 {
		t.Helper()
		v, err := db.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	p := person(1, "1990-01-01", registry.Male, "510102")
	putPersons(t, db, p)
	v1 := version()
	if v1 <= v0 {
		t.Fatalf("import: version %d, was %d", v1, v0)
	}
	if n := putPersons(t, db, p); n != 0 {
		t.Fatalf("re-import changed %d rows", n)
	}
	if v := version(); v != v1 {
		t.Errorf("re-import that changed nothing: version %d, was %d", v, v1)
	}
	// An import rolled back leaves it.
	b, err := db.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutPerson(ctx, person(2, "1991-01-01", registry.Female, "510102")); err != nil {
		t.Fatal(err)
	}
	b.Rollback()
	if v := version(); v != v1 {
		t.Errorf("rolled-back import: version %d, was %d", v, v1)
	}
	on := d("2024-06-15")
	issue := func(h registry.PersonHistory) registry.PermitChange {
		if len(h.Permits) > 0 {
			return registry.PermitChange{}
		}
		pm := registry.Permit{Number: "P-" + h.Person.IDNumber, IDNumber: h.Person.IDNumber, Town: "zeguo",
			IssuedOn: on, ValidTo: on.AddDate(1, 0, -1), Status: registry.PermitActive, UpdatedOn: on}
		return registry.PermitChange{Permits: []registry.Permit{pm}}
	}
	if _, err := db.UpdatePermits(ctx, issue, nil); err != nil {
		t.Fatal(err)
	}
	v2 := version()
	if v2 <= v1 {
		t.Fatalf("permits run that issued one: version %d, was %d", v2, v1)
	}
	if _, err := db.UpdatePermits(ctx, issue, nil); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v2 {
		t.Errorf("permits run that changed nothing: version %d, was %d", v, v2)
	}
}

// testCancelledBatch checks that an import whose context is cancelled still
// cleans up: Rollback succeeds (on SQLite it drops the staging tables on the
// batch's own connection, which a cancelled context would refuse), a failed
// Commit returns the cancellation, no connection stays taken, and the next
// import works.
func testCancelledBatch(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	for _, commit := range []bool{false, true} {
		c, cancel := context.WithCancel(ctx)
		b, err := db.BeginBatch(c)
		if err != nil {
			t.Fatal(err)
		}
		// More than one flush, so the staging tables hold rows.
		for i := range sortRows + 10 {
			if err := b.PutPerson(c, person(i, "1990-01-01", registry.Male, "510102")); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
		if commit {
			if _, err := b.Commit(c, registry.ImportRun{}); !errors.Is(err, context.Canceled) {
				t.Fatalf("Commit after cancel: %v, want context.Canceled", err)
			}
		} else if err := b.Rollback(); err != nil {
			t.Fatalf("Rollback after cancel: %v", err)
		}
		// SQLite's staged batch gives its connection back itself; a
		// PostgreSQL transaction cut off by its context is rolled back and
		// its connection returned by database/sql, asynchronously.
		if n := db.sql.Stats().InUse; db.d.engine == EngineSQLite && n != 0 {
			t.Errorf("commit=%v: %d connections still in use after the batch", commit, n)
		}
	}
	if s := stats(t, db); s["persons"] != 0 || s["imports"] != 0 {
		t.Errorf("after cancelled batches persons=%d imports=%d, want 0 0", s["persons"], s["imports"])
	}
	if n := put(t, db, func(b registry.Batch) error {
		return b.PutPerson(ctx, person(1, "1990-01-01", registry.Male, "510102"))
	}); n != 1 {
		t.Errorf("next import changed %d, want 1", n)
	}
}
