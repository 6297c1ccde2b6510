package main

import (
	"context"

	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/web"
)

// importForWeb is web.Options.Import: the console's imports run through
// the same ingest code as `rooted import`. It lives here because adapters
// do not import each other (internal/archtest): web says what it needs
// (web.Importer), ingest does it, and the wiring joins them.
func importForWeb(ctx context.Context, st registry.Store, req web.ImportRequest) ([]web.ImportedFile, error) {
	srcs := make([]ingest.Source, len(req.Files))
	for i, f := range req.Files {
		srcs[i] = ingest.Source(f)
	}
	sum, err := ingest.ImportSources(ctx, st, srcs, ingest.Options{
		QuarantineDir: req.QuarantineDir, Today: req.Today, FactKinds: req.FactKinds, Lang: req.Lang, Progress: req.Progress,
	})
	files := make([]web.ImportedFile, len(sum.Files))
	for i, f := range sum.Files {
		// A conversion, not a copy field by field: should ingest's
		// FileResult and web's ImportedFile part, this stops compiling.
		files[i] = web.ImportedFile(f)
	}
	return files, err
}
