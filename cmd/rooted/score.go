package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/policy"
)

// runScore is `rooted score`: persons as JSON Lines in, one result (or
// error object) per line out, in order (contract: shared/contracts/points.md).
// A scheme that does not compile, or has no version in force on the as-of
// date, is refused before any line is read (exit 2); any bad line makes the
// exit status 1.
func runScore(ctx context.Context, e *env, args []string) error {
	var schemeFile string
	c, files, err := e.flags("score", "[--scheme FILE] [--as-of YYYY-MM-DD] [--lang zh|en] [FILE]", args,
		[]string{"as-of", "lang"}, func(fs *flag.FlagSet) {
			fs.StringVar(&schemeFile, "scheme", "", "points scheme file (default: the shipped zhejiang-county-default scheme)")
		})
	if err != nil {
		return helpOK(err)
	}
	if len(files) > 1 {
		return usageError{"score: at most one FILE (or none to read stdin)"}
	}
	s, err := policy.Load(schemeFile)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "score: scheme refused")
	}
	v, err := s.Version(c.AsOf)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "score")
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
