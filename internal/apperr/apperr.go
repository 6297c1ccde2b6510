// Package apperr is rooted's one application error type: a machine code, a
// message safe to show, and the wrapped cause that is logged, never shown.
package apperr

import (
	"errors"
	"fmt"
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
	Code    string // one of the codes above
	Message string // safe to show to the user
	Err     error  // cause, for the log
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code, message and cause.
func Wrap(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code string) bool { return err != nil && CodeOf(err) == code }
