package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"

	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/registry"
)

// runFacts is `rooted facts`: every person's input object of the points
// contract, derived from the registry as of a date (internal/points, doc.go
// for the derivation), as JSON Lines in ID order — exactly what `rooted
// score` reads, so `rooted facts | rooted score` scores the registry. The
// scheme (--scheme) declares the inputs and how each is derived.
func runFacts(ctx context.Context, e *env, args []string) error {
	var schemeFile string
	c, rest, err := e.flags("facts", "[--db DSN] [--as-of YYYY-MM-DD] [--scheme FILE]", args, []string{"db", "as-of"}, func(fs *flag.FlagSet) {
		fs.StringVar(&schemeFile, "scheme", "", "points scheme file, whose inputs are derived (default: the shipped zhejiang-county-default scheme)")
	})
	if err != nil {
		return helpOK(err)
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("facts: unexpected argument %q", rest[0])}
	}
	scheme, err := loadScheme("facts", schemeFile)
	if err != nil {
		return err
	}
	scoring := points.NewScoring(scheme, points.DefaultOptions)
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	out := bufio.NewWriterSize(e.stdout, 1<<20)
	p := e.progress()
	n := 0
	var line []byte
	err = st.ForEachHistory(ctx, func(h registry.PersonHistory) error {
		f := scoring.Facts(&h, c.AsOf)
		line = append(f.AppendJSON(line[:0]), '\n')
		n++
		p.show("facts: %d persons", n)
		_, err := out.Write(line)
		return err
	})
	p.done()
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("facts: %w", err)
	}
	return nil
}
