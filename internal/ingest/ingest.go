package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

// Options tune an import. The zero value detects kinds, writes quarantine
// files beside their sources, judges dates against today (China time) and
// gives reasons in Chinese; a facts file needs FactKinds.
type Options struct {
	// Kind forces the kind of every file; "" detects each file's kind from
	// its header row.
	Kind string
	// QuarantineDir is where quarantine files go; "" puts each beside its
	// source file. It is created if missing.
	QuarantineDir string
	// Today is the day "not in the future" is judged against; zero means
	// date.Today().
	Today date.Date
	// FactKinds are the fact kinds of the scheme in force; a facts row of
	// any other kind is quarantined.
	FactKinds []registry.FactKind
	// Lang is the language of quarantine reasons: "zh" (the default) or "en".
	Lang string
	// Progress, when set, is called every progressEvery rows of a file with
	// the rows read so far.
	Progress func(file string, rows int)

	// Limits bound what one file may make the import hold or do; the
	// zero value of each field is its default (see Limits).
	Limits Limits
}

// Limits bound an import whatever its input, so that memory stays flat on
// a file without line breaks, a file of NUL bytes or a zip bomb. A file
// past a limit fails with an *apperr.Error (code invalid) naming the file,
// the limit and where it was passed; its rows are rolled back.
type Limits struct {
	// MaxLineBytes bounds one physical line of a CSV file (default
	// DefaultMaxLineBytes): csv.Reader holds a whole record in memory,
	// and a file with no line break is one record.
	MaxLineBytes int
	// MaxRows bounds the data rows of one file (default DefaultMaxRows).
	MaxRows int
	// MaxXLSXBytes bounds what a workbook may unzip to (default
	// DefaultMaxXLSXBytes); MaxXLSXRatio bounds its unzipped size over its
	// size on disk (default DefaultMaxXLSXRatio), checked once it unzips
	// to more than 16 MiB.
	MaxXLSXBytes int64
	MaxXLSXRatio int64
}

// The default limits. A record of the import contract is well under a
// kilobyte; 1,048,576 rows is a sheet's own limit in Excel and WPS, and a
// city of a million persons sends each kind in one file of about that; the
// XLSX of such a file unzips to a few hundred megabytes at a ratio of 5–15.
const (
	DefaultMaxLineBytes = 64 << 10
	DefaultMaxRows      = 2_000_000
	DefaultMaxXLSXBytes = 1 << 30
	DefaultMaxXLSXRatio = 100
)

func (l Limits) withDefaults() Limits {
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = DefaultMaxLineBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxXLSXBytes <= 0 {
		l.MaxXLSXBytes = DefaultMaxXLSXBytes
	}
	if l.MaxXLSXRatio <= 0 {
		l.MaxXLSXRatio = DefaultMaxXLSXRatio
	}
	return l
}

// Source is one file to import: where it is, and the name people know it
// by (errors and results name the file by Name, never by Path, so that a
// web upload's temporary path is not shown).
type Source struct {
	Path string
	Name string // "" means Path
}

// progressEvery is how often Options.Progress is called, in rows.
const progressEvery = 50_000

// FileResult is the outcome of one file. Read == Accepted + Quarantined.
type FileResult struct {
	File           string   `json:"file"` // base name
	Kind           string   `json:"kind"`
	Read           int      `json:"read"` // data rows, blank rows not counted
	Accepted       int      `json:"accepted"`
	Quarantined    int      `json:"quarantined"`
	QuarantineFile string   `json:"quarantine_file"`           // path, "" when nothing was quarantined
	Changed        int64    `json:"changed"`                   // rows the store inserted or changed
	IgnoredColumns []string `json:"ignored_columns,omitempty"` // header cells no column of the kind matches
}

// Summary is the outcome of an import, one FileResult per file in the order
// the files were applied.
type Summary struct {
	Files []FileResult `json:"files"`
}

// Import validates and applies the files at paths to st.
//
// First every file is opened and its header read; if any is missing, not
// CSV or XLSX, empty, or has a header of no known kind, Import returns an
// *apperr.Error with code apperr.Invalid naming the file and the reason, and
// writes nothing. Then the files are applied in dependency order (towns,
// schools, persons, residences, jobs, insurance, facts; files of one kind in
// the order given), each in one store batch committed with its ImportRun.
// Refused rows never fail an import: they go to the file's quarantine file.
//
// Any other error (the store, reading a file, ctx cancelled) stops the import
// with the current file rolled back; the files already committed stay, and
// the returned Summary lists them.
func Import(ctx context.Context, st registry.Store, paths []string, opt Options) (Summary, error) {
	srcs := make([]Source, len(paths))
	for i, p := range paths {
		srcs[i] = Source{Path: p}
	}
	return ImportSources(ctx, st, srcs, opt)
}

// ImportSources is Import with a name for each file: errors name a file by
// its Source.Name, and results (FileResult.File) by that name's base.
func ImportSources(ctx context.Context, st registry.Store, srcs []Source, opt Options) (Summary, error) {
	var sum Summary
	if len(srcs) == 0 {
		return sum, apperr.E("import.run", apperr.Invalid, "error.import_no_files")
	}
	if opt.Today == 0 {
		opt.Today = date.Today()
	}
	opt.Limits = opt.Limits.withDefaults()
	plans := make([]*plan, 0, len(srcs))
	usedQuarantine := map[string]bool{}
	for _, src := range srcs {
		name := src.Name
		if name == "" {
			name = src.Path
		}
		pl, err := preparePath(src.Path, name, opt.Kind, opt.Limits)
		if err != nil {
			if errors.Is(err, errUnreadable) {
				// The reason is the whole message: a cause after it would only
				// repeat "unreadable file".
				return sum, apperr.E("import.run", apperr.Invalid, "error.import_file", name, strings.TrimSuffix(err.Error(), ": "+errUnreadable.Error()))
			}
			return sum, fmt.Errorf("ingest: %s: %w", name, err)
		}
		pl.quarantine = quarantinePath(pl, opt.QuarantineDir, usedQuarantine)
		plans = append(plans, pl)
	}
	for _, pl := range plans {
		if pl.match.kind.name == KindFacts && len(opt.FactKinds) == 0 {
			return sum, apperr.E("import.run", apperr.Invalid, "error.import_no_fact_kinds", pl.name)
		}
	}
	slices.SortStableFunc(plans, func(a, b *plan) int { return a.match.kind.order - b.match.kind.order })

	im, err := newImporter(ctx, st, opt, plans)
	if err != nil {
		return sum, err
	}
	for _, pl := range plans {
		res, err := im.importFile(ctx, pl)
		if err != nil {
			return sum, err
		}
		sum.Files = append(sum.Files, res)
	}
	return sum, nil
}

// quarantinePath names the quarantine file of pl: <base>.quarantine.csv in
// dir or beside the source, with -2, -3… when two sources of one run would
// share it (same base name in different folders).
func quarantinePath(pl *plan, dir string, used map[string]bool) string {
	if dir == "" {
		dir = filepath.Dir(pl.path)
	}
	stem := strings.TrimSuffix(pl.base, filepath.Ext(pl.base))
	p := filepath.Join(dir, stem+".quarantine.csv")
	for i := 2; used[p]; i++ {
		p = filepath.Join(dir, stem+"-"+strconv.Itoa(i)+".quarantine.csv")
	}
	used[p] = true
	return p
}

// importer holds what one Import knows across files: the towns and the
// persons (registry plus accepted so far), and the scheme's fact kinds.
type importer struct {
	st        registry.Store
	opt       Options
	en        bool
	towns     map[string]string // code, full name or short name → code
	persons   personSet
	factKinds map[string]*registry.FactKind
}

func newImporter(ctx context.Context, st registry.Store, opt Options, plans []*plan) (*importer, error) {
	im := &importer{
		st:        st,
		opt:       opt,
		en:        strings.HasPrefix(strings.ToLower(opt.Lang), "en"),
		towns:     map[string]string{},
		persons:   personSet{},
		factKinds: map[string]*registry.FactKind{},
	}
	for i := range opt.FactKinds {
		k := &opt.FactKinds[i]
		im.factKinds[normHeader(k.Kind)] = k
		if k.LabelZH != "" {
			im.factKinds[k.LabelZH] = k
		}
		if k.LabelEN != "" {
			im.factKinds[normHeader(k.LabelEN)] = k
		}
	}
	needTowns, needPersons := false, false
	for _, pl := range plans {
		switch pl.match.kind.name {
		case KindTowns:
		case KindSchools:
			needTowns = true
		case KindResidences:
			needTowns, needPersons = true, true
		default:
			needPersons = true
		}
	}
	if needTowns {
		towns, err := st.Towns(ctx)
		if err != nil {
			return nil, fmt.Errorf("ingest: loading towns: %w", err)
		}
		for _, t := range towns {
			im.addTown(t)
		}
	}
	if needPersons {
		// One pass over the registry's IDs instead of a query per row:
		// 8 bytes of key (plus map overhead) per person.
		err := st.ForEachPersonID(ctx, func(id string) error {
			im.persons.add(id)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("ingest: loading person IDs: %w", err)
		}
	}
	return im, nil
}

// addTown lets residences and schools name t by code (any case), full name
// (泽国镇) or name without its 镇/街道 suffix (泽国).
func (im *importer) addTown(t registry.Town) {
	im.towns[strings.ToLower(t.Code)] = t.Code
	im.towns[t.Name] = t.Code
	for _, suffix := range []string{"街道", "镇"} {
		if s, ok := strings.CutSuffix(t.Name, suffix); ok && s != "" {
			if _, taken := im.towns[s]; !taken {
				im.towns[s] = t.Code
			}
		}
	}
}

// personSet holds the persons an import may refer to, keyed by the first 17
// digits of the ID number (the 18th is a check character).
type personSet map[uint64]struct{}

func personKey(id string) (uint64, bool) {
	if len(id) < 17 {
		return 0, false
	}
	var k uint64
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		k = k*10 + uint64(c-'0')
	}
	return k, true
}

func (s personSet) add(id string) {
	if k, ok := personKey(id); ok {
		s[k] = struct{}{}
	}
}

func (s personSet) has(id string) bool {
	k, ok := personKey(id)
	if !ok {
		return false
	}
	_, found := s[k]
	return found
}

// fileRun is the state of importing one file.
type fileRun struct {
	im    *importer
	pl    *plan
	kind  *kindSpec
	batch registry.Batch
	q     quarantine
	res   FileResult

	// seen maps a 64-bit hash of each accepted row's natural key to its
	// line: about 16 bytes a row (plus map overhead), so that a duplicate
	// within the file is caught (the store refuses one within a batch)
	// without keeping the keys. Two different keys colliding in 64 bits
	// would make a false duplicate; at a million rows the odds are about
	// one in 10^7, and the seed is random per file so no input can aim
	// for a collision.
	seen map[uint64]int32
	seed maphash.Seed

	// The row being checked.
	cells    []string
	line     int
	reasons  []string
	deferred bool

	// persons rows waiting for a guardian listed later in the file.
	waiting []waitingPerson
	// towns accepted in this file, known to later files once committed.
	newTowns []registry.Town
}

// waitingPerson is a persons row whose guardian is not known yet; it keeps
// its cells for the quarantine file, should the guardian never come.
type waitingPerson struct {
	cells    []string
	line     int
	person   registry.Person
	guardian string
}

// importFile applies one file in one batch.
func (im *importer) importFile(ctx context.Context, pl *plan) (FileResult, error) {
	k := pl.match.kind
	r := &fileRun{
		im:   im,
		pl:   pl,
		kind: k,
		q:    quarantine{path: pl.quarantine, header: pl.header},
		seen: map[uint64]int32{},
		seed: maphash.MakeSeed(),
		res:  FileResult{File: pl.base, Kind: k.name, IgnoredColumns: pl.match.ignored},
	}
	defer r.q.abort()
	fail := func(line int, err error) (FileResult, error) {
		var le *limitError
		if errors.As(err, &le) {
			// The file itself is at fault: say so plainly, as for an
			// unreadable file, and name it as its sender knows it.
			// The limit's sentence is the whole story: no cause to repeat it.
			return r.res, apperr.E("import.run", apperr.Invalid, "error.import_file", pl.name, le.Error())
		}
		if line > 0 {
			return r.res, fmt.Errorf("ingest: import %s %s line %d: %w", k.name, pl.base, line, err)
		}
		return r.res, fmt.Errorf("ingest: import %s %s: %w", k.name, pl.base, err)
	}

	rows, err := pl.open()
	if err != nil {
		return fail(0, err)
	}
	defer rows.close()
	if _, err := rows.next(); err != nil { // the header, read before
		return fail(0, err)
	}
	r.batch, err = im.st.BeginBatch(ctx)
	if err != nil {
		return fail(0, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = r.batch.Rollback() // the file's error is what the operator needs; a failed rollback leaves nothing written either
		}
	}()

	for {
		row, err := rows.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fail(r.line, fmt.Errorf("after this line: %w", err))
		}
		r.res.Read++
		if r.res.Read > im.opt.Limits.MaxRows {
			return fail(row.line, &limitError{fmt.Sprintf("more than %d rows (the most one file may hold): split it into several files", im.opt.Limits.MaxRows)})
		}
		if r.res.Read%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fail(row.line, err)
			}
		}
		if im.opt.Progress != nil && r.res.Read%progressEvery == 0 {
			im.opt.Progress(pl.base, r.res.Read)
		}
		if err := r.checkRow(ctx, row); err != nil {
			return fail(row.line, err)
		}
	}
	if err := r.resolveWaiting(ctx); err != nil {
		return fail(0, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(0, err)
	}
	if r.res.Read != r.res.Accepted+r.res.Quarantined {
		// Every path through checkRow and resolveWaiting counts the row
		// once; this guards the invariant the contract promises.
		return fail(0, fmt.Errorf("read %d rows but accepted %d and quarantined %d", r.res.Read, r.res.Accepted, r.res.Quarantined))
	}
	changed, err := r.batch.Commit(ctx, registry.ImportRun{
		File:        pl.base,
		SHA256:      pl.sha256,
		Kind:        k.name,
		Read:        r.res.Read,
		Accepted:    r.res.Accepted,
		Quarantined: r.res.Quarantined,
	})
	committed = true
	if err != nil {
		_ = r.batch.Rollback() // after a failed commit the transaction is gone; the commit's error says why
		return fail(0, fmt.Errorf("commit: %w", err))
	}
	r.res.Changed = changed
	// From here the file is in the registry: an error below is reported,
	// but the records stay.
	for _, t := range r.newTowns {
		im.addTown(t)
	}
	if r.res.Quarantined > 0 {
		if err := r.q.finish(); err != nil {
			return fail(0, err)
		}
		r.res.QuarantineFile = pl.quarantine
	}
	return r.res, nil
}

// checkRow validates one row and either writes it to the batch, sets it
// aside (a persons row waiting for its guardian) or quarantines it. Only a
// store or quarantine-file error is returned.
func (r *fileRun) checkRow(ctx context.Context, row row) error {
	r.cells, r.line = row.cells, row.line
	r.reasons = r.reasons[:0]
	r.deferred = false
	width := len(r.pl.header)
	switch {
	case row.syntax != nil:
		// csv.Reader returns the fields before the faulty one.
		if errors.Is(row.syntax, csv.ErrQuote) || errors.Is(row.syntax, csv.ErrBareQuote) {
			r.fail(mCSVQuote, len(row.cells)+1)
		} else {
			r.fail(mCSVSyntax, row.syntax.Error())
		}
	case r.pl.xlsx:
		// A sheet row stops at its last non-empty cell; only cells beyond
		// the header that hold something are an error.
		cells := row.cells
		for len(cells) > width && trim(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) > width {
			r.fail(mFieldExtra, len(cells), width, joinShort(cells[width:]))
		}
		r.cells = cells
	case len(row.cells) != width:
		if len(row.cells) > width {
			r.fail(mFieldExtra, len(row.cells), width, joinShort(row.cells[width:]))
		} else {
			r.fail(mFieldCount, len(row.cells), width)
		}
	}
	if len(r.reasons) == 0 {
		var err error
		switch r.kind.name {
		case KindTowns:
			err = r.townRow(ctx)
		case KindSchools:
			err = r.schoolRow(ctx)
		case KindPersons:
			err = r.personRow(ctx)
		case KindResidences:
			err = r.residenceRow(ctx)
		case KindJobs:
			err = r.jobRow(ctx)
		case KindInsurance:
			err = r.insuranceRow(ctx)
		case KindFacts:
			err = r.factRow(ctx)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case len(r.reasons) > 0:
		return r.quarantineRow(row.cells, row.line, strings.Join(r.reasons, format(r.im.en, mReasonSep)))
	case r.deferred:
		// counted when its guardian turns up, or quarantined at the end
	default:
		r.res.Accepted++
	}
	return nil
}

func (r *fileRun) quarantineRow(cells []string, line int, reason string) error {
	r.res.Quarantined++
	if err := r.q.add(cells, line, reason); err != nil {
		return err
	}
	return nil
}

// resolveWaiting writes the persons rows whose guardian was listed after
// them. A guardian may itself have been waiting (a grandparent listed last),
// so it goes round until nothing changes; what is left is quarantined.
func (r *fileRun) resolveWaiting(ctx context.Context) error {
	for progress := true; progress && len(r.waiting) > 0; {
		progress = false
		rest := r.waiting[:0]
		for _, w := range r.waiting {
			if !r.im.persons.has(w.guardian) {
				rest = append(rest, w)
				continue
			}
			if err := r.putPerson(ctx, w.person, w.guardian); err != nil {
				return fmt.Errorf("line %d: %w", w.line, err)
			}
			r.res.Accepted++
			progress = true
		}
		r.waiting = rest
	}
	for _, w := range r.waiting {
		reason := format(r.im.en, mGuardianUnknown, ident.MaskID(w.guardian))
		if err := r.quarantineRow(w.cells, w.line, reason); err != nil {
			return err
		}
	}
	r.waiting = nil
	return nil
}

// key hashes the parts of a natural key.
func (r *fileRun) key(parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(r.seed)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// duplicate reports (and records as the row's reason) a key seen on an
// earlier accepted row of this file.
func (r *fileRun) duplicate(k uint64) bool {
	if line, ok := r.seen[k]; ok {
		r.fail(mDuplicate, int(line))
		return true
	}
	return false
}

// claim records k as the key of the current row.
func (r *fileRun) claim(k uint64) { r.seen[k] = int32(r.line) }
