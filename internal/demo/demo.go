package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/newcitizens/rooted/internal/date"
)

// Options says how large a city to generate and as of which day.
type Options struct {
	// Persons is the number of rows of persons.csv: adults and children.
	Persons int
	// Seed makes the city: the same seed gives the same files.
	Seed uint64
	// AsOf is the day the registry is generated as of: no date in any file
	// is after it. The zero date means today (China Standard Time).
	AsOf date.Date
	// Progress, when set, is called now and then with the number of persons
	// written so far, and once at the end with Persons.
	Progress func(done int)
}

// Manifest describes a generated city. It is written as manifest.json.
type Manifest struct {
	Seed    uint64         `json:"seed"`
	Persons int            `json:"persons"`
	AsOf    string         `json:"as_of"`
	Files   map[string]int `json:"files"` // file name → data rows (header not counted)
}

// File names written by Generate, in import order.
const (
	FileTowns      = "towns.csv"
	FileSchools    = "schools.csv"
	FilePersons    = "persons.csv"
	FileResidences = "residences.csv"
	FileJobs       = "jobs.csv"
	FileInsurance  = "insurance.csv"
	FileFacts      = "facts.csv"
	FileManifest   = "manifest.json"
)

// MaxPersons bounds Options.Persons (a province's worth of migrants).
const MaxPersons = 50_000_000

// Generate writes a synthetic city of opt.Persons persons into dir (created
// when missing): towns.csv, schools.csv, persons.csv, residences.csv,
// jobs.csv, insurance.csv, facts.csv and manifest.json. Existing files of
// those names are replaced. When ctx is cancelled it stops and returns
// ctx.Err(); the files written so far are then incomplete and no manifest is
// written.
func Generate(ctx context.Context, dir string, opt Options) (Manifest, error) {
	m, _, err := generate(ctx, dir, opt)
	return m, err
}

func generate(ctx context.Context, dir string, opt Options) (Manifest, *stats, error) {
	if opt.Persons < 1 || opt.Persons > MaxPersons {
		return Manifest{}, nil, fmt.Errorf("demo: persons must be 1..%d, got %d", MaxPersons, opt.Persons)
	}
	if opt.AsOf == 0 {
		opt.AsOf = date.Today()
	}
	if y := opt.AsOf.Year(); y < 1990 || y > 9000 {
		return Manifest{}, nil, fmt.Errorf("demo: as-of date %s is out of range", opt.AsOf)
	}
	if err := ctx.Err(); err != nil {
		return Manifest{}, nil, err
	}
	// The folder holds the persons' parts (0600, see csvFile.open).
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Manifest{}, nil, fmt.Errorf("demo: %w", err)
	}
	// A stale manifest must not describe the files about to be replaced.
	if err := os.Remove(filepath.Join(dir, FileManifest)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Manifest{}, nil, fmt.Errorf("demo: %w", err)
	}

	g, err := newGen(dir, opt)
	if err != nil {
		return Manifest{}, nil, fmt.Errorf("demo: %w", err)
	}
	runErr := g.run(ctx)
	closeErr := g.closeAll()
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
			return Manifest{}, nil, runErr
		}
		return Manifest{}, nil, fmt.Errorf("demo: %w", runErr)
	}
	if closeErr != nil {
		return Manifest{}, nil, fmt.Errorf("demo: %w", closeErr)
	}

	m := Manifest{Seed: opt.Seed, Persons: opt.Persons, AsOf: opt.AsOf.String(), Files: map[string]int{}}
	for _, f := range g.files() {
		for _, p := range f.written() {
			m.Files[p.name] = p.rows
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, nil, fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileManifest), append(data, '\n'), 0o644); err != nil { //nolint:gosec // the manifest holds the seed and row counts, no personal data
		return Manifest{}, nil, fmt.Errorf("demo: %w", err)
	}
	if opt.Progress != nil {
		opt.Progress(opt.Persons)
	}
	return m, &g.stats, nil
}
