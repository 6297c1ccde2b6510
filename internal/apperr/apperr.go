package apperr

import (
	"errors"
	"strings"

	"github.com/newcitizens/rooted/internal/msg"
)

// Codes.
const (
	Invalid   = "invalid"
	NotFound  = "not_found"
	Conflict  = "conflict"
	Forbidden = "forbidden"
	Internal  = "internal"
)

// Error is an application error.
type Error struct {
	Code string // one of the codes above
	// Op names the operation that failed, as area.verb (round.close,
	// store.job_claim), for the log and the reader of a trace.
	Op string
	// Key is the catalogue key of the message safe to show, Args its
	// arguments. Keys of the error. area are lower layers' sentences; the
	// others (err., apply., …) are also the code an API client reads.
	Key  string
	Args []any
	Err  error // cause, for the log
}

// Error returns the message in English (a page's reason as its key, as
// it always was) and the cause: the text of logs and of wrapped errors.
func (e *Error) Error() string {
	m := e.Text()
	if e.Err != nil {
		return m + ": " + e.Err.Error()
	}
	return m
}

func (e *Error) Unwrap() error { return e.Err }

// Render returns the message safe to show in lang, without the cause.
func (e *Error) Render(lang msg.Lang) string {
	return msg.T(lang, e.Key, e.Args...)
}

// Text is the message without the cause as stored and read by programs
// that state no language: a page's reason (a key outside error. without
// arguments) is its key, as it always was, a lower layer's message its
// English sentence.
func (e *Error) Text() string {
	if len(e.Args) == 0 && !strings.HasPrefix(e.Key, "error.") {
		return e.Key
	}
	return msg.T(msg.EN, e.Key, e.Args...)
}

// MessageKey returns the catalogue key of the message.
func (e *Error) MessageKey() string { return e.Key }

// E returns an error with code whose message is the catalogue's key with
// args, raised by operation op.
func E(op, code, key string, args ...any) *Error {
	return &Error{Code: code, Op: op, Key: key, Args: args}
}

// WrapE is E with a cause.
func WrapE(op, code string, err error, key string, args ...any) *Error {
	return &Error{Code: code, Op: op, Key: key, Args: args, Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// OpOf returns the operation of the first *Error in err's chain, or "".
func OpOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Op
	}
	return ""
}

// Is reports whether err carries code.
func Is(err error, code string) bool { return err != nil && CodeOf(err) == code }

// Render returns the message of the first *Error in err's chain in lang,
// and false when there is none or it is Internal: an internal error's
// message is for the log, and the reader is shown a generic sentence.
func Render(err error, lang msg.Lang) (string, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code == Internal {
		return "", false
	}
	return e.Render(lang), true
}
