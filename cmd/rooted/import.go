package main

import (
	"context"
	"flag"

	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

func runImport(ctx context.Context, e *env, args []string) error {
	var quarantine, kind, scheme string
	c, files, err := e.flags("import", "[--db DSN] [--quarantine DIR] [--kind KIND] [--lang zh|en] FILE...", args,
		[]string{"db", "lang"}, func(fs *flag.FlagSet) {
			fs.StringVar(&quarantine, "quarantine", "", "folder for quarantine files (default: beside each file)")
			fs.StringVar(&kind, "kind", "", "kind of every file: towns, schools, persons, residences, jobs, insurance or facts (default: from the header row)")
			fs.StringVar(&scheme, "scheme", "", "points scheme file whose fact kinds are accepted (default: the shipped scheme)")
		})
	if err != nil {
		return helpOK(err)
	}
	if len(files) == 0 {
		return usageError{"import: no files given (rooted import -h for help)"}
	}
	factKinds, err := policy.FactKinds(scheme)
	if err != nil {
		return usageError{err.Error()}
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := importFiles(ctx, e, st, files, ingest.Options{Kind: kind, QuarantineDir: quarantine, Today: c.AsOf, FactKinds: factKinds, Lang: c.Lang})
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, sum)
}

func importFiles(ctx context.Context, e *env, st registry.Store, files []string, opt ingest.Options) (ingest.Summary, error) {
	p := e.progress()
	defer p.done()
	opt.Progress = func(file string, rows int) { p.show("import %s: %d rows", file, rows) }
	// ingest's errors already begin with "import:".
	return ingest.Import(ctx, st, files, opt)
}
