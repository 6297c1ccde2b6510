package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
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
	c, files, err := e.flags("score", "[--scheme FILE] [--as-of YYYY-MM-DD] [--lang zh|en] [FILE] | --db DSN [--scheme FILE] [--as-of YYYY-MM-DD]", args,
		[]string{"db", "as-of", "lang", "scheme"}, nil)
	if err != nil {
		return helpOK(err)
	}
	fromDB := c.DBSet
	if len(files) > 1 || (fromDB && len(files) > 0) {
		return usageError{"score: at most one FILE (or none to read stdin), and none with --db"}
	}
	v, err := schemeVersion("score", c.Scheme, c.AsOf)
	if err != nil {
		return err
	}
	if fromDB {
		st, err := openStore(ctx, c.DB)
		if err != nil {
			return err
		}
		defer st.Close()
		return scoreRegistry(ctx, e, st, c, v)
	}
	in := e.stdin
	if len(files) == 1 && files[0] != "-" {
		f, err := os.Open(files[0])
		if err != nil {
			return apperr.Wrap(apperr.Invalid, err, "score: cannot read %s", files[0])
		}
		defer f.Close()
		in = f
	}
	out := bufio.NewWriterSize(e.stdout, 1<<20)
	stats, err := v.ScoreJSONL(ctx, in, out, policy.ScoreOptions{AsOf: c.AsOf, Lang: policy.Lang(c.Lang)})
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

// scoreBatchSize is how many persons are evaluated together.
const scoreBatchSize = 512

// scoreRegistry scores every person of the registry under v and stores the
// results in one transaction: an interrupted run stores nothing.
func scoreRegistry(ctx context.Context, e *env, st registry.PointsStore, c config, v *policy.Version) (err error) {
	sum := scoreSummary{AsOf: c.AsOf.String(), Scheme: v.Scheme().Name, Version: v.Name, Eligible: map[string]int{}}
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

	sc := points.NewScorer(v, c.AsOf, scoreBatchSize)
	type pending struct{ id, digest string }
	pend := make([]pending, 0, scoreBatchSize)
	flush := func() error {
		sc.Evaluate()
		b := sc.Batch()
		for row, p := range pend {
			rec := sc.Record(row, p.id, p.digest)
			if err := batch.Put(ctx, rec); err != nil {
				return err
			}
			if rec.Frozen {
				sum.Frozen++
			}
			for i, svc := range v.Services {
				if b.Eligible(row, i) {
					sum.Eligible[svc.Name]++
				}
			}
		}
		sum.Persons += len(pend)
		sc.Reset()
		pend = pend[:0]
		return nil
	}
	p := e.progress()
	var buf []byte
	err = st.ForEachHistory(ctx, func(h registry.PersonHistory) error {
		f := points.Derive(&h, c.AsOf, v.Scheme(), points.DefaultOptions)
		var digest string
		digest, buf = f.Digest(buf)
		if _, err := sc.Add(&f); err != nil {
			sum.Failed++
			fmt.Fprintf(e.stderr, "rooted: score: %s: %v\n", ident.MaskID(f.IDNumber), err)
			return nil
		}
		pend = append(pend, pending{f.IDNumber, digest})
		if sc.Full() {
			if err := flush(); err != nil {
				return err
			}
			p.show("score: %d persons scored", sum.Persons)
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
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
		return nil, apperr.Wrap(apperr.Invalid, err, "%s: scheme refused", cmd)
	}
	return s, nil
}

// schemeVersion loads the scheme file (the shipped default for "") and
// returns its version in force on asOf; both failures are invalid input.
func schemeVersion(cmd, file string, asOf date.Date) (*policy.Version, error) {
	s, err := loadScheme(cmd, file)
	if err != nil {
		return nil, err
	}
	v, err := s.Version(asOf)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "%s", cmd)
	}
	return v, nil
}
