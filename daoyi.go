// Package daoyi holds what every part of the assistant shares: the error type
// and its kinds. It imports nothing from the project and almost nothing from
// the standard library, so any package may depend on it.
package daoyi

import (
	"errors"
	"strings"
)

// Kind classifies an error so that the API can map it to a status code and a
// stable error code without inspecting messages.
type Kind uint8

// The kinds of error. The zero value, Other, means "unclassified"; when an
// Error wraps another Error with Other, the inner kind shows through.
const (
	Other        Kind = iota // unclassified: an internal error
	Invalid                  // the caller sent something malformed or out of range
	NotFound                 // the thing asked for does not exist
	Conflict                 // the request collides with the current state
	Unauthorized             // no valid credentials
	Forbidden                // credentials are valid but lack the role
	TooLarge                 // the request body or a field is over its limit
	Unavailable              // a dependency is down or the server is not ready
	Timeout                  // the work took longer than allowed
)

var kindNames = [...]string{
	Other:        "internal",
	Invalid:      "invalid",
	NotFound:     "not_found",
	Conflict:     "conflict",
	Unauthorized: "unauthorized",
	Forbidden:    "forbidden",
	TooLarge:     "too_large",
	Unavailable:  "unavailable",
	Timeout:      "timeout",
}

// String returns the kind's stable name, also used as the API error code.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// Error is the project's error. Msg is safe to show to a client; Err, the
// underlying cause, is for logs only.
type Error struct {
	Kind Kind   // classification
	Op   string // the operation that failed, e.g. "sqlite.PutQA"
	Msg  string // a user-safe message; empty means none
	Err  error  // the underlying error, if any
}

// E builds an *Error from its arguments, in any order: a Kind, an op given as
// Op, a user-safe message given as a plain string, and an error to wrap.
func E(args ...any) error {
	e := &Error{}
	for _, a := range args {
		switch a := a.(type) {
		case Kind:
			e.Kind = a
		case Op:
			e.Op = string(a)
		case string:
			e.Msg = a
		case error:
			e.Err = a
		}
	}
	return e
}

// Op names the operation in E's arguments.
type Op string

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Msg != "" {
		b.WriteString(e.Msg)
	}
	if e.Err != nil {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	if b.Len() == 0 {
		return e.Kind.String()
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the first non-Other kind along err's chain, or Other.
func KindOf(err error) Kind {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return Other
		}
		if e.Kind != Other {
			return e.Kind
		}
		err = e.Err
	}
	return Other
}

// Message returns the first user-safe message along err's chain, or "".
func Message(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Msg != "" {
			return e.Msg
		}
		err = e.Err
	}
	return ""
}
