package web

import (
	"context"

	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/registry"
)

// ingestImporter is what cmd/rooted sets Options.Import to (its
// importForWeb), for the tests' servers: imports from the console are
// tested through the real ingest code. A test may import another adapter
// (see internal/archtest); web's non-test code may not.
func ingestImporter(ctx context.Context, st registry.Store, req ImportRequest) ([]ImportedFile, error) {
	srcs := make([]ingest.Source, len(req.Files))
	for i, f := range req.Files {
		srcs[i] = ingest.Source(f)
	}
	sum, err := ingest.ImportSources(ctx, st, srcs, ingest.Options{
		QuarantineDir: req.QuarantineDir, Today: req.Today, FactKinds: req.FactKinds, Lang: req.Lang, Progress: req.Progress,
	})
	files := make([]ImportedFile, len(sum.Files))
	for i, f := range sum.Files {
		files[i] = ImportedFile(f)
	}
	return files, err
}
