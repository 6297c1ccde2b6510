package apperr

import (
	"errors"
	"fmt"
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
	// Message is the message as it was before errors had keys: a catalogue
	// key or an English sentence, shown as it is when it is no key. New and
	// Wrap set only this; E and WrapE set it to what New would have, for
	// the readers of the field that have not moved to Render yet.
	//
	// New code reads Render and gives a Key (E, WrapE).
	Message string
	Err     error // cause, for the log
}

// Error returns the message in English (a page's reason as its key, as
// it always was) and the cause: the text of logs and of wrapped errors.
func (e *Error) Error() string {
	m := e.Message
	if m == "" && e.Key != "" {
		m = legacyMessage(e.Key, e.Args)
	}
	if e.Err != nil {
		return m + ": " + e.Err.Error()
	}
	return m
}

func (e *Error) Unwrap() error { return e.Err }

// Render returns the message safe to show in lang, without the cause.
func (e *Error) Render(lang msg.Lang) string {
	if e.Key != "" {
		return msg.T(lang, e.Key, e.Args...)
	}
	return msg.T(lang, e.Message) // a key, or a sentence that comes back as it is
}

// MessageKey returns the catalogue key of the message, or "" when it is
// a sentence of a legacy New or Wrap.
func (e *Error) MessageKey() string {
	if e.Key != "" {
		return e.Key
	}
	if msg.Has(e.Message) {
		return e.Message
	}
	return ""
}

// E returns an error with code whose message is the catalogue's key with
// args, raised by operation op.
func E(op, code, key string, args ...any) *Error {
	return &Error{Code: code, Op: op, Key: key, Args: args, Message: legacyMessage(key, args)}
}

// WrapE is E with a cause.
func WrapE(op, code string, err error, key string, args ...any) *Error {
	return &Error{Code: code, Op: op, Key: key, Args: args, Err: err, Message: legacyMessage(key, args)}
}

// legacyMessage is the Message New gave before the key: a page's reason
// (a key outside error. without arguments) was its key, a lower layer's
// message its English sentence.
func legacyMessage(key string, args []any) string {
	if len(args) == 0 && !strings.HasPrefix(key, "error.") {
		return key
	}
	return msg.T(msg.EN, key, args...)
}

// New returns an error with code and a formatted message.
//
// Use E, whose message is a catalogue key, in new code; New stays while
// the call sites move.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code, message and cause.
//
// Use WrapE, whose message is a catalogue key, in new code.
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
