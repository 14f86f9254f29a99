package main

import (
	"errors"
)

// Exit codes shared by every command (each command documents which it uses).
const (
	exitOK       = 0
	exitFailure  = 1 // invalid input found, hub unreachable, timeout
	exitUsage    = 2 // usage or I/O errors
	exitRejected = 3
	exitReview   = 4
	exitPartial  = 5
)

// exitError carries an exit code; its message, if any, is printed as one line.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// quietError is an exit status whose explanation the command already printed.
type quietError struct{ code int }

func (e quietError) Error() string { return "exit status" }

func usageError(err error) error { return exitError{code: exitUsage, err: err} }

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var q quietError
	if errors.As(err, &q) {
		return q.code
	}
	var e exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitFailure
}
