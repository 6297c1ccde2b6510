package main

import (
	"context"
	"fmt"
	"os"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/rounds"
)

// runVerify is `rooted verify FILE`: it checks a round export (rooted round
// export) by re-running the allocation and checking the ledger chain,
// every digest, and that the objections and the department's answers hang
// together (see rounds.Verify). Exit 0: everything matches (a summary on
// stdout, with the objections and answers counted); 1: a difference, each
// printed on stderr with where it is; 2: the file cannot be read as an
// export.
func runVerify(ctx context.Context, e *env, args []string) error {
	_, files, err := e.flags("verify", "FILE", args, nil, nil)
	if err != nil {
		return helpOK(err)
	}
	if len(files) != 1 {
		return usageError{"verify: want one FILE (an export of rooted round export)"}
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "verify: cannot read %s", files[0])
	}
	rep, err := rounds.Verify(data)
	if err != nil {
		return err
	}
	if !rep.OK() {
		for _, p := range rep.Problems {
			fmt.Fprintf(e.stderr, "rooted: verify: %s: %s: %s\n", files[0], p.Where, p.What)
		}
		writeJSON(e.stdout, rep)
		return errPartial
	}
	return writeJSON(e.stdout, rep)
}
