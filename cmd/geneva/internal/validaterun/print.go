package validaterun

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/genevahub/geneva/schemas"
)

// Format is how Print writes the results.
type Format struct {
	JSON   bool // one JSON object per input and line (--output json)
	Strict bool // warnings count as errors (--strict)
}

// Exit statuses of geneva validate (geneva's exitOK, exitFailure, exitUsage).
const (
	ExitValid   = 0
	ExitInvalid = 1 // some input is invalid, or the output could not be written
	ExitIO      = 2 // some input could not be read
)

// Print writes every result of run to stdout (a read error to stderr) and
// returns geneva validate's exit status; err is set when stdout could not
// be written, and is then the whole explanation.
func Print(run *Run, stdout, stderr io.Writer, f Format) (status int, err error) {
	// Output is buffered (a large bundle can have thousands of warning
	// lines) and flushed whenever the next result is not ready yet, so
	// results appear as they come without a write per file.
	w := bufio.NewWriterSize(stdout, 64<<10)
	enc := json.NewEncoder(w) // one object per line
	enc.SetEscapeHTML(false)  // keep <, > and & in messages readable
	ioFailed, invalid := false, false
	for out := range run.Results() {
		if out.Err != nil {
			if err := w.Flush(); err != nil {
				return ExitInvalid, fmt.Errorf("validate: write result: %w", err)
			}
			fmt.Fprintf(stderr, "geneva: validate: %v\n", out.Err)
			ioFailed = true
			continue
		}
		res := result(out.Name, out.Report, f.Strict)
		invalid = invalid || !res.Valid
		if f.JSON {
			if err := enc.Encode(res); err != nil {
				return ExitInvalid, fmt.Errorf("validate: %s: write result: %w", res.File, err)
			}
		} else {
			printText(w, res)
		}
		if out.NextReady {
			continue
		}
		if err := w.Flush(); err != nil {
			return ExitInvalid, fmt.Errorf("validate: %s: write result: %w", res.File, err)
		}
	}
	switch {
	case ioFailed:
		return ExitIO, nil
	case invalid:
		return ExitInvalid, nil
	}
	return ExitValid, nil
}

// RelaxGC lets the heap grow to 17 times the live data between
// collections instead of two, the first one at 64 MB (a command that exits
// soon need not keep its heap small: the valid corpus, 9 MB, then runs
// without a collection; with startgc, 13 % less CPU than GOGC 400 was;
// ten times the corpus peaks at the same 80 MB either way, the live data
// being small since Check keeps no tree), with a soft limit of 1 GiB so
// that many large files still cannot take memory without bound. GOGC and
// GOMEMLIMIT, when set, win. The function it returns puts the settings
// back (the tests run commands in one process).
func RelaxGC() (restore func()) {
	percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1) // read them
	debug.SetGCPercent(percent)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(1600)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// verdict is one input's verdict; its JSON form is the --output json
// line, so the arrays are never null.
type verdict struct {
	File     string            `json:"file"`
	Valid    bool              `json:"valid"`
	Errors   []schemas.Finding `json:"errors"`
	Warnings []schemas.Finding `json:"warnings"`
}

// result is one input's verdict; strict counts warnings as errors.
func result(name string, report schemas.Report, strict bool) verdict {
	res := verdict{File: displayName(name), Errors: nonNil(report.Errors), Warnings: nonNil(report.Warnings)}
	if strict {
		res.Errors = append(res.Errors, res.Warnings...)
		res.Warnings = []schemas.Finding{}
	}
	res.Valid = len(res.Errors) == 0
	return res
}

// nonNil keeps the --output json arrays from being null.
func nonNil(fs []schemas.Finding) []schemas.Finding {
	if fs == nil {
		return []schemas.Finding{}
	}
	return fs
}

func displayName(name string) string {
	if name == "-" {
		return "(stdin)"
	}
	return name
}

// printText writes a summary line, then one line per problem:
//
//	bundle.json: invalid (2 errors, 1 warning)
//	  error   /objects/3/modified: modified is before created [timestamp.order]
//	  warning /objects/5/labels/0: ... [vocab.open]
func printText(w *bufio.Writer, res verdict) {
	verdict := "valid"
	if !res.Valid {
		verdict = "invalid"
	}
	var counts []string
	if n := len(res.Errors); n > 0 {
		counts = append(counts, plural(n, "error"))
	}
	if n := len(res.Warnings); n > 0 {
		counts = append(counts, plural(n, "warning"))
	}
	summary := res.File + ": " + verdict
	if len(counts) > 0 {
		summary += " (" + strings.Join(counts, ", ") + ")"
	}
	w.WriteString(summary + "\n")
	for _, e := range res.Errors {
		printFinding(w, "  error   ", e)
	}
	for _, e := range res.Warnings {
		printFinding(w, "  warning ", e)
	}
}

// printFinding writes one problem line; plain writes, not fmt: ATT&CK
// alone has thousands of warnings.
func printFinding(w *bufio.Writer, severity string, f schemas.Finding) {
	w.WriteString(severity)
	w.WriteString(where(f.Pointer))
	w.WriteString(": ")
	w.WriteString(f.Message)
	w.WriteString(" [")
	w.WriteString(f.Rule)
	w.WriteString("]\n")
}

func where(pointer string) string {
	if pointer == "" {
		return "(document)"
	}
	return pointer
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
