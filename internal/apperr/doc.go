// Package apperr is rooted's one application error type: a machine code,
// the operation that failed, a message as a key of the catalogue
// (internal/msg) with its arguments, and the wrapped cause that is logged,
// never shown. The message is rendered in the reader's language at the
// edge — the web's error page and API answers, the command line — with
// Render.
package apperr
