package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/newcitizens/rooted/internal/demo"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

func runImport(ctx context.Context, e *env, args []string) error {
	var quarantine, kind, scheme string
	c, files, err := e.flags("import", "[--db DSN] [--quarantine DIR] [--kind KIND] [--lang zh|en] FILE... (the manifest.json of rooted gen is skipped, so rooted import CITY/* works)", args,
		[]string{"db", "lang", "as-of"}, func(fs *flag.FlagSet) {
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
	files = skipGenManifest(e, files)
	if len(files) == 0 {
		return usageError{"import: no registry files given, only the manifest of rooted gen (rooted import -h for help)"}
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
	// An import records rows dated today (quarantine reasons such as a
	// start date in the future are judged against it).
	if _, err := asOfClock(ctx, st, c, "import"); err != nil {
		return err
	}
	sum, err := importFiles(ctx, e, st, files, ingest.Options{Kind: kind, QuarantineDir: quarantine, Today: c.AsOf, FactKinds: factKinds, Lang: c.Lang})
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, sum)
}

// skipGenManifest drops the manifest.json that rooted gen writes beside
// its CSV files (it is not a registry file), saying so on stderr.
func skipGenManifest(e *env, files []string) []string {
	out := files[:0:0]
	for _, f := range files {
		if filepath.Base(f) == demo.FileManifest {
			fmt.Fprintf(e.stderr, "rooted: import: skipping %s (the manifest of rooted gen, not a registry file)\n", f)
			continue
		}
		out = append(out, f)
	}
	return out
}

func importFiles(ctx context.Context, e *env, st registry.Store, files []string, opt ingest.Options) (ingest.Summary, error) {
	p := e.progress()
	defer p.done()
	opt.Progress = func(file string, rows int) { p.show("import %s: %d rows", file, rows) }
	// ingest's errors already begin with "import:".
	return ingest.Import(ctx, st, files, opt)
}
