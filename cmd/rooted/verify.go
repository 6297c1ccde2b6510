package main

import (
	"context"
	"fmt"
	"os"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/rounds"
)

// runVerify is `rooted verify EXPORT [LIST.csv|LIST.xlsx …]`: it checks a
// round export (rooted round export) by re-running the allocation and
// checking the ledger chain, every digest, and that the objections and
// the department's answers hang together (see rounds.Verify); and each
// published list given (the 公示 list as downloaded, CSV or XLSX): its
// SHA-256 against the one the export's ledger records for the published
// file, and every row against the allocation (rounds.VerifyLists). Exit
// 0: everything matches (a summary on stdout, with the objections and
// answers counted and each list); 1: a difference, each printed on stderr
// with the file and where in it; 2: a file cannot be read as an export or
// a list.
func runVerify(ctx context.Context, e *env, args []string) error {
	_, files, err := e.flags("verify", "EXPORT [LIST.csv|LIST.xlsx …]", args, nil, nil)
	if err != nil {
		return helpOK(err)
	}
	if len(files) == 0 {
		return usageError{"verify: want EXPORT (a file of rooted round export), then any published lists (CSV or XLSX) to check with it"}
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return apperr.WrapE("verify.read", apperr.Invalid, err, "error.verify_unreadable", files[0])
	}
	var lists []rounds.List
	for _, name := range files[1:] {
		b, err := os.ReadFile(name)
		if err != nil {
			return apperr.WrapE("verify.read", apperr.Invalid, err, "error.verify_unreadable", name)
		}
		l, err := ingest.ReadList(name, b)
		if err != nil {
			return apperr.WrapE("verify.read", apperr.Invalid, err, "error.verify_not_list", name)
		}
		lists = append(lists, l)
	}
	rep, err := rounds.VerifyLists(data, lists)
	if err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(e.stderr, "rooted: verify: warning: %s\n", w)
	}
	if !rep.OK() {
		for _, p := range rep.Problems {
			file := p.File
			if file == "" {
				file = files[0]
			}
			fmt.Fprintf(e.stderr, "rooted: verify: %s: %s: %s\n", file, p.Where, p.What)
		}
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
		return errPartial
	}
	return writeJSON(e.stdout, rep)
}
