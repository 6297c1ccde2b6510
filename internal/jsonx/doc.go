// Package jsonx owns the streaming JSON pieces that the hand-written codecs
// share: the round document of package alloc and the JSON Lines of persons
// of package policy. It has a Scanner over bytes in memory (white space,
// literals, strings with their escapes, numbers), the string appenders,
// and the line and column of a byte offset for error messages.
//
// The codecs are hand-written, and this package with them, because the
// benchmarks justify it (BENCHMARKS.md): encoding/json decodes a round of a
// million applicants 7.7 times slower, and cannot write a person's inputs
// straight into a batch column. What the standard library does as fast —
// formatting a float (strconv) — is left to it.
//
// Nothing here formats a message: a Scanner reports a Fault and where it
// happened, and each codec words it as its contract says, since alloc's
// and policy's messages for the same fault differ and must stay as they
// are.
package jsonx
