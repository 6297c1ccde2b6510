package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/newcitizens/rooted/internal/demo"
)

func runGen(ctx context.Context, e *env, args []string) error {
	var (
		persons int
		seed    uint64
		out     string
	)
	c, _, err := e.flags("gen", "--persons N [--seed S] --out DIR [--as-of YYYY-MM-DD]", args, []string{"as-of"}, func(fs *flag.FlagSet) {
		fs.IntVar(&persons, "persons", 50000, "number of persons (adults and children)")
		fs.Uint64Var(&seed, "seed", 1, "random seed: the same seed and as-of date give the same files")
		fs.StringVar(&out, "out", "", "folder to write the CSV files and manifest.json into")
	})
	if err != nil {
		return helpOK(err)
	}
	if out == "" {
		return usageError{"gen: --out DIR is required"}
	}
	if persons < 1 || persons > 50_000_000 {
		return usageError{fmt.Sprintf("gen: --persons %d: want 1 to 50000000", persons)}
	}
	m, err := generate(ctx, e, out, demo.Options{Persons: persons, Seed: seed, AsOf: c.AsOf})
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, m)
}

func generate(ctx context.Context, e *env, out string, opt demo.Options) (demo.Manifest, error) {
	p := e.progress()
	defer p.done()
	opt.Progress = func(done int) { p.show("gen: %d of %d persons", done, opt.Persons) }
	m, err := demo.Generate(ctx, out, opt)
	if err != nil {
		return m, fmt.Errorf("gen: %w", err)
	}
	return m, nil
}
