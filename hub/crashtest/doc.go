// Package crashtest proves the hub loses and duplicates nothing across
// crashes, with real processes: a geneva-hub built from this tree is killed
// with SIGKILL while separate submitter processes keep submitting, and
// every member then reads what it got with its own credentials.
//
// The non-test files are helpers shared by the crash test, the submitter
// program (internal/submitter) and the benchmarks under bench/.
package crashtest
