package main

import (
	"context"
	"io"
	"os"

	"github.com/newcitizens/rooted/internal/alloc"
	"github.com/newcitizens/rooted/internal/apperr"
)

// runAllocate is `rooted allocate [FILE]`: one round as a JSON document in
// (FILE, or standard input when FILE is absent or "-"), the result out on
// standard output (contract: shared/contracts/allocate.md). Input that
// cannot be allocated — malformed JSON, an unknown or repeated field, a
// rule of the contract broken — is refused with exit status 2 and one line
// on standard error naming what and where; the output is built whole in
// memory first, so a refused or failed run writes nothing on standard
// output.
func runAllocate(ctx context.Context, e *env, args []string) error {
	_, files, err := e.flags("allocate", "[FILE]", args, nil, nil)
	if err != nil {
		return helpOK(err)
	}
	if len(files) > 1 {
		return usageError{"allocate: at most one FILE (or none to read stdin)"}
	}
	name, data := "stdin", []byte(nil)
	if len(files) == 1 && files[0] != "-" {
		name = files[0]
		data, err = os.ReadFile(name)
	} else {
		data, err = io.ReadAll(e.stdin)
	}
	if err != nil {
		return apperr.WrapE("allocate.read", apperr.Invalid, err, "error.allocate_unreadable", name)
	}
	in, err := alloc.ParseInstance(data)
	if err != nil {
		return apperr.WrapE("allocate.run", apperr.Invalid, err, "error.allocate_file", name)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	res, err := alloc.Allocate(in)
	if err != nil {
		return apperr.WrapE("allocate.run", apperr.Invalid, err, "error.allocate_file", name)
	}
	_, err = e.stdout.Write(res.AppendJSON(make([]byte, 0, 96*len(res.Assignments)+128*len(res.Schools)+256)))
	return err
}
