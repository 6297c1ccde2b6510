package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

var testAsOf = date.MustParse("2026-11-29")

// The ~20,000-person city most tests read, generated once.
var (
	cityOnce  sync.Once
	cityDir   string
	cityMan   Manifest
	cityStats *stats
	cityErr   error
)

const cityPersons = 20000

func TestMain(m *testing.M) {
	code := m.Run()
	if cityDir != "" {
		os.RemoveAll(cityDir)
	}
	os.Exit(code)
}

func city(t testing.TB) (string, Manifest, *stats) {
	t.Helper()
	cityOnce.Do(func() {
		cityDir, cityErr = os.MkdirTemp("", "rooted-demo-")
		if cityErr != nil {
			return
		}
		cityMan, cityStats, cityErr = generate(context.Background(), cityDir, Options{Persons: cityPersons, Seed: 42, AsOf: testAsOf})
	})
	if cityErr != nil {
		t.Fatal(cityErr)
	}
	return cityDir, cityMan, cityStats
}

// readCSV returns the header and rows of a generated file.
func readCSV(t testing.TB, dir, name string) ([]string, [][]string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(data) {
		t.Fatalf("%s is not UTF-8", name)
	}
	r := csv.NewReader(bytes.NewReader(data))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return rows[0], rows[1:]
}

func TestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	opt := Options{Persons: 3000, Seed: 7, AsOf: testAsOf}
	ma, err := Generate(context.Background(), a, opt)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := Generate(context.Background(), b, opt)
	if err != nil {
		t.Fatal(err)
	}
	if ma.Persons != 3000 || mb.Files[FilePersons] != 3000 {
		t.Fatalf("persons: %+v", ma)
	}
	names := append(slices.Sorted(maps.Keys(ma.Files)), FileManifest)
	for _, name := range names {
		da, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		db, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(da, db) {
			t.Errorf("%s differs between two runs with the same options", name)
		}
	}
	// Another seed gives another city.
	c := t.TempDir()
	if _, err := Generate(context.Background(), c, Options{Persons: 3000, Seed: 8, AsOf: testAsOf}); err != nil {
		t.Fatal(err)
	}
	da, _ := os.ReadFile(filepath.Join(a, FilePersons))
	dc, _ := os.ReadFile(filepath.Join(c, FilePersons))
	if bytes.Equal(da, dc) {
		t.Error("seeds 7 and 8 gave the same persons")
	}
}

func TestManifest(t *testing.T) {
	dir, m, _ := city(t)
	data, err := os.ReadFile(filepath.Join(dir, FileManifest))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk Manifest
	if err := json.Unmarshal(data, &onDisk); err != nil {
		t.Fatal(err)
	}
	if onDisk.Seed != 42 || onDisk.Persons != cityPersons || onDisk.AsOf != "2026-11-29" {
		t.Errorf("manifest = %+v", onDisk)
	}
	headers := map[string]string{
		FileTowns:      "code,name,kind",
		FileSchools:    "code,name,town,level,entry_seats",
		FilePersons:    "id_number,name,phone,education,hukou_type,guardian_id_number",
		FileResidences: "id_number,town,address,since,until,kind,source",
		FileJobs:       "id_number,employer_uscc,employer_name,since,until,contract",
		FileInsurance:  "id_number,kind,from_month,to_month,employer_uscc",
		FileFacts:      "id_number,kind,value,date",
	}
	if len(onDisk.Files) != len(headers) {
		t.Errorf("manifest files = %v", onDisk.Files)
	}
	for name, want := range headers {
		header, rows := readCSV(t, dir, name)
		if got := strings.Join(header, ","); got != want {
			t.Errorf("%s header = %q, want %q", name, got, want)
		}
		if onDisk.Files[name] != len(rows) || m.Files[name] != len(rows) {
			t.Errorf("%s: manifest says %d rows, file has %d", name, onDisk.Files[name], len(rows))
		}
		if len(rows) == 0 {
			t.Errorf("%s has no rows", name)
		}
	}
	if onDisk.Files[FilePersons] != cityPersons {
		t.Errorf("persons.csv has %d rows, want %d", onDisk.Files[FilePersons], cityPersons)
	}
}

// parseID checks an ID number with ident.ParseID.
func parseID(t *testing.T, s string) ident.ID {
	t.Helper()
	id, err := ident.ParseID(s, testAsOf)
	if err != nil {
		t.Fatalf("ID %s: %v", s, err)
	}
	return id
}

var phoneRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

func parseMonth(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 7 || s[4] != '-' {
		t.Fatalf("month %q", s)
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || m < 1 || m > 12 {
		t.Fatalf("month %q", s)
	}
	return y*12 + m - 1
}

func parseDate(t *testing.T, s string) date.Date {
	t.Helper()
	d, err := date.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if d > testAsOf {
		t.Fatalf("date %s is after the as-of date", s)
	}
	return d
}

func TestRowsValid(t *testing.T) {
	dir, _, _ := city(t)
	towns := map[string]bool{}
	for _, tw := range registry.DefaultTowns {
		towns[tw.Code] = true
	}
	_, rows := readCSV(t, dir, FileTowns)
	if len(rows) != len(registry.DefaultTowns) {
		t.Errorf("towns.csv has %d rows", len(rows))
	}

	// Persons: valid IDs, unique, guardians earlier in the file.
	seen := map[string]bool{}
	_, rows = readCSV(t, dir, FilePersons)
	for i, r := range rows {
		id := parseID(t, r[0])
		if id.Number != r[0] {
			t.Fatalf("row %d: ID %s not canonical", i+2, r[0])
		}
		if seen[r[0]] {
			t.Fatalf("row %d: duplicate ID %s", i+2, r[0])
		}
		if n := utf8.RuneCountInString(r[1]); n < 1 || n > 50 {
			t.Fatalf("row %d: name %q", i+2, r[1])
		}
		if r[2] != "" && !phoneRE.MatchString(r[2]) {
			t.Fatalf("row %d: phone %q", i+2, r[2])
		}
		if r[3] != "" && !slices.Contains(registry.Educations, r[3]) {
			t.Fatalf("row %d: education %q", i+2, r[3])
		}
		if r[4] != "" && !slices.Contains(registry.HukouTypes, r[4]) {
			t.Fatalf("row %d: hukou %q", i+2, r[4])
		}
		if r[5] != "" {
			if !seen[r[5]] {
				t.Fatalf("row %d: guardian %s not earlier in the file", i+2, r[5])
			}
		}
		seen[r[0]] = true
	}

	// Residences.
	keys := map[string]bool{}
	_, rows = readCSV(t, dir, FileResidences)
	for i, r := range rows {
		if !seen[r[0]] {
			t.Fatalf("residences row %d: unknown person %s", i+2, r[0])
		}
		if !towns[r[1]] || r[2] == "" {
			t.Fatalf("residences row %d: town %q address %q", i+2, r[1], r[2])
		}
		since := parseDate(t, r[3])
		if r[4] != "" && parseDate(t, r[4]) < since {
			t.Fatalf("residences row %d: until before since", i+2)
		}
		if !slices.Contains(registry.ResidenceKinds, r[5]) || (r[6] != "" && !slices.Contains(registry.ResidenceSources, r[6])) {
			t.Fatalf("residences row %d: kind %q source %q", i+2, r[5], r[6])
		}
		k := r[0] + "|" + r[3] + "|" + r[2]
		if keys[k] {
			t.Fatalf("residences row %d: duplicate key %s", i+2, k)
		}
		keys[k] = true
	}

	// Jobs.
	clear(keys)
	_, rows = readCSV(t, dir, FileJobs)
	for i, r := range rows {
		if !seen[r[0]] {
			t.Fatalf("jobs row %d: unknown person", i+2)
		}
		u, err := ident.ParseUSCC(r[1])
		if err != nil || u.Region != "331081" {
			t.Fatalf("jobs row %d: credit code %s: %v", i+2, r[1], err)
		}
		if r[2] == "" {
			t.Fatalf("jobs row %d: no employer name", i+2)
		}
		since := parseDate(t, r[3])
		if r[4] != "" && parseDate(t, r[4]) < since {
			t.Fatalf("jobs row %d: until before since", i+2)
		}
		if r[5] != "yes" && r[5] != "no" {
			t.Fatalf("jobs row %d: contract %q", i+2, r[5])
		}
		k := r[0] + "|" + r[1] + "|" + r[3]
		if keys[k] {
			t.Fatalf("jobs row %d: duplicate key %s", i+2, k)
		}
		keys[k] = true
	}

	// Insurance.
	clear(keys)
	asOfMonth := monthOf(testAsOf)
	_, rows = readCSV(t, dir, FileInsurance)
	for i, r := range rows {
		if !seen[r[0]] {
			t.Fatalf("insurance row %d: unknown person", i+2)
		}
		if !slices.Contains(registry.InsuranceKinds, r[1]) {
			t.Fatalf("insurance row %d: kind %q", i+2, r[1])
		}
		from, to := parseMonth(t, r[2]), parseMonth(t, r[3])
		if to < from || to > asOfMonth {
			t.Fatalf("insurance row %d: months %s..%s", i+2, r[2], r[3])
		}
		if r[4] != "" {
			if _, err := ident.ParseUSCC(r[4]); err != nil {
				t.Fatalf("insurance row %d: %v", i+2, err)
			}
		}
		k := r[0] + "|" + r[1] + "|" + r[2]
		if keys[k] {
			t.Fatalf("insurance row %d: duplicate key %s", i+2, k)
		}
		keys[k] = true
	}

	// Facts: kinds and values as the default scheme declares them.
	byKind := schemeFactKinds(t)
	clear(keys)
	count := map[string]int{}
	_, rows = readCSV(t, dir, FileFacts)
	for i, r := range rows {
		if !seen[r[0]] {
			t.Fatalf("facts row %d: unknown person", i+2)
		}
		fk, ok := byKind[r[1]]
		if !ok {
			t.Fatalf("facts row %d: kind %q not in the scheme", i+2, r[1])
		}
		v, err := fk.Canonical(r[2])
		if err != nil || v != r[2] {
			t.Fatalf("facts row %d: value %q: %v (canonical %q)", i+2, r[2], err, v)
		}
		parseDate(t, r[3])
		k := r[0] + "|" + r[1] + "|" + r[3]
		if keys[k] {
			t.Fatalf("facts row %d: duplicate key %s", i+2, k)
		}
		keys[k] = true
		count[r[1]]++
	}
	for _, k := range []string{"skill_level", "title", "volunteer_hours", "blood_donation", "donation", "income_tax",
		"business_tax", "employees_hired", "community_role", "shortage_job", "special_post", "income_below_limit", "dishonest"} {
		if count[k] == 0 {
			t.Errorf("no %s facts in %d persons", k, cityPersons)
		}
	}

	// Schools.
	clear(keys)
	_, rows = readCSV(t, dir, FileSchools)
	for i, r := range rows {
		if keys[r[0]] {
			t.Fatalf("schools row %d: duplicate code %s", i+2, r[0])
		}
		keys[r[0]] = true
		if !towns[r[2]] || !slices.Contains(registry.SchoolLevels, r[3]) || !strings.HasPrefix(r[1], "温岭市") {
			t.Fatalf("schools row %d: %v", i+2, r)
		}
		if n, err := strconv.Atoi(r[4]); err != nil || n <= 0 {
			t.Fatalf("schools row %d: seats %q", i+2, r[4])
		}
	}
}

// schemeFactKinds returns the fact kinds of the default scheme, read by
// the same loader the import uses.
func schemeFactKinds(t *testing.T) map[string]registry.FactKind {
	t.Helper()
	kinds, err := policy.FactKinds("")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]registry.FactKind{}
	for _, k := range kinds {
		out[k.Kind] = k
	}
	if len(out) < 20 {
		t.Fatalf("read only %d fact kinds", len(out))
	}
	return out
}

func TestDistributions(t *testing.T) {
	dir, _, st := city(t)
	_, persons := readCSV(t, dir, FilePersons)
	adults, men := 0, 0
	intra := 0
	byProv := map[string]int{}
	for _, r := range persons {
		id := parseID(t, r[0])
		if date.YearsBetween(id.BirthDate, testAsOf) < 18 {
			if r[5] == "" {
				t.Fatalf("child %s without guardian", r[0])
			}
			continue
		}
		adults++
		if id.Male() {
			men++
		}
		if id.Province() == "33" {
			intra++
		} else {
			byProv[id.Province()]++
		}
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.3f, want %.3f ± %.3f", what, got, want, tol)
		} else {
			t.Logf("%s = %.3f (want %.3f)", what, got, want)
		}
	}
	near("share of men among adults", float64(men)/float64(adults), maleShareAdults, 0.02)
	near("intra-province share of adults", float64(intra)/float64(adults), intraProvinceShare, 0.025)
	out := adults - intra
	for _, w := range originProvinces {
		if w.key == "other" {
			continue
		}
		near("origin "+w.key, float64(byProv[w.key])/float64(out), w.w, 0.025)
	}
	// Minors today: a sixth of the present residents or so, fewer of the
	// registry's rows (the children of households that left years ago
	// are adults now).
	if children := cityPersons - adults; children < cityPersons/10 {
		t.Errorf("only %d children", children)
	}

	// Towns of current residents.
	_, res := readCSV(t, dir, FileResidences)
	current := map[string]string{}
	for _, r := range res {
		if r[4] == "" {
			if _, dup := current[r[0]]; dup {
				t.Fatalf("%s has two open residences", r[0])
			}
			current[r[0]] = r[1]
		}
	}
	byTown := map[string]int{}
	for _, town := range current {
		byTown[town]++
	}
	for _, w := range townWeights {
		near("town "+w.key, float64(byTown[w.key])/float64(len(current)), w.w, 0.02)
	}
	// The registry holds the households present at any time in its last
	// registryYears years, at a steady departureRate: about
	// (1/rate) ÷ (registryYears + 1/rate) of them are here today.
	near("share of persons still resident", float64(len(current))/cityPersons, (1/departureRate)/(registryYears+1/departureRate), 0.05)

	near("share of households with children", float64(st.withChildren)/float64(st.households), shareFamilies, 0.025)
}

// TestSchoolsTight checks that grade-1 seats are above the demand overall
// and under it in the busiest town, on a city large enough for full-size
// schools.
func TestSchoolsTight(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	_, st, err := generate(context.Background(), dir, Options{Persons: 100000, Seed: 3, AsOf: testAsOf})
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readCSV(t, dir, FileSchools)
	seats := map[string]int{}
	total := 0
	for _, r := range rows {
		if r[3] == "primary" {
			n, _ := strconv.Atoi(r[4])
			seats[r[2]] += n
			total += n
		}
	}
	demand := st.demand[1]
	totalDemand, busiest := 0, 0
	for i, d := range demand {
		totalDemand += d
		if d > demand[busiest] {
			busiest = i
		}
	}
	t.Logf("grade-1 seats %d for %d children; busiest town %s: %d seats, %d children",
		total, totalDemand, registry.DefaultTowns[busiest].Code, seats[registry.DefaultTowns[busiest].Code], demand[busiest])
	if total <= totalDemand {
		t.Errorf("grade-1 seats %d not above demand %d", total, totalDemand)
	}
	if s := seats[registry.DefaultTowns[busiest].Code]; s >= demand[busiest] {
		t.Errorf("busiest town has %d seats for %d children: not tight", s, demand[busiest])
	}
}

// TestLeapDay generates as of 29 February: ages, cohorts and anniversaries
// must not slip a day.
func TestLeapDay(t *testing.T) {
	dir := t.TempDir()
	asOf := date.MustParse("2028-02-29")
	if _, err := Generate(context.Background(), dir, Options{Persons: 3000, Seed: 9, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	_, rows := readCSV(t, dir, FilePersons)
	for _, r := range rows {
		id, err := ident.ParseID(r[0], asOf)
		if err != nil {
			t.Fatal(err)
		}
		age := date.YearsBetween(id.BirthDate, asOf)
		// Adults are 18–60 on arrival; those who came long ago (the
		// registry reaches back registryYears, some arrivals before it)
		// are older today.
		if (r[5] == "") != (age >= 18) || age > 60+registryYears+30 {
			t.Fatalf("%s: age %d, guardian %q", r[0], age, r[5])
		}
	}
	for _, name := range []string{FileResidences, FileJobs, FileFacts} {
		_, rows := readCSV(t, dir, name)
		for _, r := range rows {
			for _, cell := range r {
				if d, err := date.Parse(cell); err == nil && d > asOf {
					t.Fatalf("%s: date %s after the as-of date", name, cell)
				}
			}
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, t.TempDir(), Options{Persons: 1000, Seed: 1, AsOf: testAsOf}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: err = %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	calls := 0
	_, err := Generate(ctx, dir, Options{Persons: 100000, Seed: 1, AsOf: testAsOf, Progress: func(done int) {
		calls++
		cancel()
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled during: err = %v", err)
	}
	if calls != 1 {
		t.Errorf("progress called %d times after cancel", calls)
	}
	if _, err := os.Stat(filepath.Join(dir, FileManifest)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("manifest written by a cancelled run: %v", err)
	}
}

func TestOptions(t *testing.T) {
	if _, err := Generate(context.Background(), t.TempDir(), Options{Persons: 0}); err == nil {
		t.Error("0 persons accepted")
	}
	// A tiny city still has every file and exactly its persons.
	for _, n := range []int{1, 2, 5} {
		m, err := Generate(context.Background(), t.TempDir(), Options{Persons: n, Seed: 5, AsOf: testAsOf})
		if err != nil {
			t.Fatal(err)
		}
		if m.Files[FilePersons] != n {
			t.Errorf("persons %d: wrote %d", n, m.Files[FilePersons])
		}
	}
}

func TestCivil(t *testing.T) {
	for d := date.MustParse("1900-01-01"); d < date.MustParse("2100-12-31"); d += 13 {
		y, m, dd := civil(d)
		wy, wm, wd := d.Parts()
		if y != wy || m != int(wm) || dd != wd {
			t.Fatalf("civil(%s) = %d-%d-%d", d, y, m, dd)
		}
		if back := fromCivil(y, m, dd); back != d {
			t.Fatalf("fromCivil(%d-%d-%d) = %s, want %s", y, m, dd, back, d)
		}
		if string(appendDate(nil, d)) != d.String() {
			t.Fatalf("appendDate(%s) = %s", d, appendDate(nil, d))
		}
	}
	if fromCivil(2026, 2, 29) != date.MustParse("2026-03-01") {
		t.Error("fromCivil does not normalise 29 February")
	}
}

func TestCounties(t *testing.T) {
	for prov, cs := range originCounties {
		for _, c := range cs {
			if len(c) != 6 || c[:2] != prov {
				t.Errorf("county %s listed under province %s", c, prov)
			}
			if c == wenlingRegion {
				t.Errorf("Wenling listed as an origin")
			}
			if _, ok := ident.ProvinceName(c[:2]); !ok {
				t.Errorf("county %s: unknown province", c)
			}
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	const n = 20000
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(context.Background(), dir, Options{Persons: n, Seed: 1, AsOf: testAsOf}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "persons/s")
}

// TestLarge generates a city of $ROOTED_DEMO_PERSONS persons (skipped when
// unset) and logs the time and the file sizes: the figures the benchmark
// notes quote for a million persons.
func TestLarge(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ROOTED_DEMO_PERSONS"))
	if n <= 0 {
		t.Skip("set ROOTED_DEMO_PERSONS to run")
	}
	dir := t.TempDir()
	start := time.Now()
	m, err := Generate(context.Background(), dir, Options{Persons: n, Seed: 1, AsOf: testAsOf})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("%d persons in %v (%.0f persons/s)", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	var total int64
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
		t.Logf("%-15s %9d rows %8.1f MB", name, m.Files[name], float64(fi.Size())/1e6)
	}
	t.Logf("total %.1f MB", float64(total)/1e6)
}

// TestPartsPrivate checks that every part, each a file of rows about
// persons, is readable by its owner only, whatever the umask.
func TestPartsPrivate(t *testing.T) {
	dir, m, _ := city(t)
	for name := range m.Files {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group or others", name, perm)
		}
	}
}
