package main

import (
	"bufio"
	"context"
	"fmt"

	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// runFacts is `rooted facts`: every person's input object of the points
// contract, derived from the registry as of a date (internal/points, doc.go
// for the derivation), as JSON Lines in ID order — exactly what `rooted
// score` reads, so `rooted facts | rooted score` scores the registry.
func runFacts(ctx context.Context, e *env, args []string) error {
	c, rest, err := e.flags("facts", "[--db DSN] [--as-of YYYY-MM-DD]", args, []string{"db", "as-of"}, nil)
	if err != nil {
		return helpOK(err)
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("facts: unexpected argument %q", rest[0])}
	}
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
		f := points.Derive(&h, c.AsOf, policy.Default(), points.DefaultOptions)
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
