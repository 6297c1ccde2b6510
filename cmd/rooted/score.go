package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// runScore is `rooted score`: persons as JSON Lines in, one result (or
// error object) per line out, in order (contract: shared/contracts/points.md).
// A scheme that does not compile, or has no version in force on the as-of
// date, is refused before any line is read (exit 2); any bad line makes the
// exit status 1.
//
// With --db it scores the registry instead: every person's inputs derived as
// of the date (internal/points), stored in the scores table with the scheme,
// version and the SHA-256 of the inputs, in one transaction; it prints a
// JSON summary.
func runScore(ctx context.Context, e *env, args []string) error {
	var (
		schemeFile string
		fset       *flag.FlagSet
	)
	c, files, err := e.flags("score", "[--scheme FILE] [--as-of YYYY-MM-DD] [--lang zh|en] [FILE] | --db DSN [--scheme FILE] [--as-of YYYY-MM-DD]", args,
		[]string{"db", "as-of", "lang"}, func(fs *flag.FlagSet) {
			fs.StringVar(&schemeFile, "scheme", "", "points scheme file (default: the shipped zhejiang-county-default scheme)")
			fset = fs
		})
	if err != nil {
		return helpOK(err)
	}
	fromDB := false
	fset.Visit(func(f *flag.Flag) { fromDB = fromDB || f.Name == "db" })
	if len(files) > 1 || (fromDB && len(files) > 0) {
		return usageError{"score: at most one FILE (or none to read stdin), and none with --db"}
	}
	day, err := scoringDay("score", schemeFile, c.AsOf)
	if err != nil {
		return err
	}
	if fromDB {
		st, err := openStore(ctx, c.DB)
		if err != nil {
			return err
		}
		defer st.Close()
		return scoreRegistry(ctx, e, st, day)
	}
	in := e.stdin
	if len(files) == 1 && files[0] != "-" {
		f, err := os.Open(files[0])
		if err != nil {
			return apperr.WrapE("cli.score", apperr.Invalid, err, "error.score_unreadable", files[0])
		}
		defer f.Close()
		in = f
	}
	out := bufio.NewWriterSize(e.stdout, 1<<20)
	stats, err := day.Version().ScoreJSONL(ctx, in, out, policy.ScoreOptions{AsOf: c.AsOf, Lang: msg.Lang(c.Lang)})
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("score: %w", err)
	}
	if stats.Failed > 0 {
		fmt.Fprintf(e.stderr, "rooted: score: %d of %d lines failed (see their error objects)\n", stats.Failed, stats.Failed+stats.Scored)
		return errPartial
	}
	return nil
}

// scoreSummary is what `rooted score --db` prints.
type scoreSummary struct {
	AsOf      string         `json:"as_of"`
	Scheme    string         `json:"scheme"`
	Version   string         `json:"version"`
	Persons   int            `json:"persons"`   // scored
	Stored    int64          `json:"stored"`    // new score records
	Unchanged int64          `json:"unchanged"` // already stored with the same inputs
	Failed    int            `json:"failed"`    // persons whose inputs the scheme refused
	Frozen    int            `json:"frozen"`
	Eligible  map[string]int `json:"eligible"` // service → persons eligible
}

// scoreRegistry scores every person of the registry on day and stores the
// results in one transaction: an interrupted run stores nothing.
func scoreRegistry(ctx context.Context, e *env, st registry.PointsStore, day points.Day) (err error) {
	v := day.Version()
	sum := scoreSummary{AsOf: day.AsOf().String(), Scheme: v.Scheme().Name, Version: v.Name, Eligible: map[string]int{}}
	for _, svc := range v.Services {
		sum.Eligible[svc.Name] = 0
	}
	batch, err := st.BeginScores(ctx)
	if err != nil {
		return err
	}
	defer func() {
		// A no-op after Commit; when the run failed, a failed rollback is
		// told beside the run's own error.
		if rerr := batch.Rollback(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("score: %w", rerr))
		}
	}()
	p := e.progress()
	err = day.All(ctx, st, points.PassOptions{
		Digest: true,
		Refused: func(h *registry.PersonHistory, err error) error {
			sum.Failed++
			fmt.Fprintf(e.stderr, "rooted: score: %s: %v\n", ident.MaskID(h.Person.IDNumber), err)
			return nil
		},
		Progress: func(int) { p.show("score: %d persons scored", sum.Persons) },
	}, func(r *points.Row) error {
		rec := r.Record()
		if err := batch.Put(ctx, rec); err != nil {
			return err
		}
		sum.Persons++
		if rec.Frozen {
			sum.Frozen++
		}
		for i, svc := range v.Services {
			if r.Eligible(i) {
				sum.Eligible[svc.Name]++
			}
		}
		return nil
	})
	p.done()
	if err != nil {
		return fmt.Errorf("score: %w", err)
	}
	stored, err := batch.Commit(ctx)
	if err != nil {
		return fmt.Errorf("score: %w", err)
	}
	sum.Stored, sum.Unchanged = stored, int64(sum.Persons)-stored
	if err := writeJSON(e.stdout, sum); err != nil {
		return err
	}
	if sum.Failed > 0 {
		return errPartial
	}
	return nil
}

// loadScheme loads the scheme file (the shipped default for ""); a
// scheme that does not load is invalid input.
func loadScheme(cmd, file string) (*policy.Scheme, error) {
	s, err := policy.Load(file)
	if err != nil {
		return nil, apperr.WrapE("cli.scheme", apperr.Invalid, err, "error.cli_scheme_refused", cmd)
	}
	return s, nil
}

// scoringDay loads the scheme file (the shipped default for "") and
// returns its scoring as of asOf, under the version then in force, with the
// default deployment's derivation; both failures are invalid input.
func scoringDay(cmd, file string, asOf date.Date) (points.Day, error) {
	s, err := loadScheme(cmd, file)
	if err != nil {
		return points.Day{}, err
	}
	day, err := points.NewScoring(s, points.DefaultOptions).On(asOf)
	if err != nil {
		// The message is the command's name (data); the cause says what is wrong.
		return points.Day{}, apperr.WrapE("cli.scheme", apperr.Invalid, err, "error.text", cmd)
	}
	return day, nil
}
