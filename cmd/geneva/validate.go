package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	_ "github.com/genevahub/geneva/cmd/geneva/internal/startgc" // no collection while packages initialise
	"github.com/genevahub/geneva/cmd/geneva/internal/validaterun"
	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/oasis"
)

type validateFlags struct {
	output      string
	strict      bool
	stixSchemas string
}

func newValidateCmd() *cobra.Command {
	var f validateFlags
	cmd := &cobra.Command{
		Use:   "validate [flags] FILE... | -",
		Short: "Validate STIX 2.1 documents",
		Long: `Validate STIX 2.1 documents (a bundle or a single object per file) against the
STIX 2.1 specification, as the hub does before it accepts a submission.

Every problem is reported at once, each with the JSON pointer of what is
wrong. Warnings are SHOULD-level advice (open-vocabulary values, custom
properties without an extension, ...); they do not make a document invalid
unless --strict is given.

Files (and the objects of a large bundle) are validated on every core; the
results are printed in the order the files are named.

With --stix-schemas DIR, every object is also checked against the official
OASIS STIX 2.1 JSON schemas in DIR (the schemas/ folder of
oasis-open/cti-stix2-json-schemas); their findings have the rule oasis.schema.

Exit status: 0 when every input is valid, 1 when any is invalid, 2 on a usage
or I/O error (an unreadable file, a bad flag, an unusable schemas folder).`,
		Example: `  # Check a bundle before submitting it
  geneva validate incident.json

  # Check several files, treating warnings as errors
  geneva validate --strict reports/*.json

  # Machine-readable results, one JSON object per input and line
  geneva validate --output json bundle.json | jq 'select(.valid | not)'

  # Read from stdin, also applying the OASIS JSON schemas
  curl -s https://example.org/feed.json | geneva validate --stix-schemas ./cti-stix2-json-schemas/schemas -`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError(errors.New("validate: name at least one FILE, or - for stdin"))
			}
			if n := countStdin(args); n > 1 {
				return usageError(fmt.Errorf("validate: - (stdin) given %d times; it can be read once", n))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "text", "output format: text or json (one JSON object per input and line)")
	fl.BoolVar(&f.strict, "strict", false, "treat warnings as errors")
	fl.StringVar(&f.stixSchemas, "stix-schemas", "", "also check every object against the OASIS STIX 2.1 JSON schemas in `DIR`")
	return cmd
}

func countStdin(args []string) int {
	n := 0
	for _, a := range args {
		if a == "-" {
			n++
		}
	}
	return n
}

// validateResult is one input's verdict; its JSON form is the --output json
// line, so the arrays are never null.
type validateResult struct {
	File     string            `json:"file"`
	Valid    bool              `json:"valid"`
	Errors   []schemas.Finding `json:"errors"`
	Warnings []schemas.Finding `json:"warnings"`
}

func runValidate(cmd *cobra.Command, f validateFlags, args []string) error {
	if f.output != "text" && f.output != "json" {
		return usageError(fmt.Errorf("validate: --output %q: want text or json", f.output))
	}
	defer relaxGC()()
	// The run begun while the program initialised, when it was given these
	// files and no flags (validaterun); else one started now.
	run := validaterun.Take(args)
	if run == nil { // always so with flags: the early run is only for files alone
		opts := validaterun.Options()
		if f.stixSchemas != "" {
			checker, err := oasis.Load(f.stixSchemas)
			if err != nil {
				return usageError(fmt.Errorf("validate: --stix-schemas: %w", err))
			}
			opts.Extra = checker
		}
		run = validaterun.Start(cmd.InOrStdin(), schemas.NewValidator(opts), args, opts.Limits.MaxBytes)
	}
	// Output is buffered (a large bundle can have thousands of warning
	// lines) and flushed whenever the next result is not ready yet, so
	// results appear as they come without a write per file.
	stdout := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
	stderr := cmd.ErrOrStderr()
	enc := json.NewEncoder(stdout) // one object per line
	enc.SetEscapeHTML(false)       // keep <, > and & in messages readable
	ioFailed, invalid := false, false
	for out := range run.Results() {
		if out.Err != nil {
			if err := stdout.Flush(); err != nil {
				return fmt.Errorf("validate: write result: %w", err)
			}
			fmt.Fprintf(stderr, "geneva: validate: %v\n", out.Err)
			ioFailed = true
			continue
		}
		res := result(out.Name, out.Report, f.strict)
		invalid = invalid || !res.Valid
		if f.output == "json" {
			if err := enc.Encode(res); err != nil {
				return fmt.Errorf("validate: %s: write result: %w", res.File, err)
			}
		} else {
			printText(stdout, res)
		}
		if out.NextReady {
			continue
		}
		if err := stdout.Flush(); err != nil {
			return fmt.Errorf("validate: %s: write result: %w", res.File, err)
		}
	}
	switch {
	case ioFailed:
		return quietError{code: exitUsage}
	case invalid:
		return quietError{code: exitFailure}
	}
	return nil
}

// relaxGC lets the heap grow to 17 times the live data between
// collections instead of two, the first one at 64 MB (a command that exits
// soon need not keep its heap small: the valid corpus, 9 MB, then runs
// without a collection; with startgc, 13 % less CPU than GOGC 400 was;
// ten times the corpus peaks at the same 80 MB either way, the live data
// being small since Check keeps no tree), with a soft limit of 1 GiB so
// that many large files still cannot take memory without bound. GOGC and
// GOMEMLIMIT, when set, win. The function it returns puts the settings
// back (the tests run commands in one process).
func relaxGC() (restore func()) {
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

// result is one input's verdict; --strict counts warnings as errors.
func result(name string, report schemas.Report, strict bool) validateResult {
	res := validateResult{File: displayName(name), Errors: nonNil(report.Errors), Warnings: nonNil(report.Warnings)}
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
func printText(w *bufio.Writer, res validateResult) {
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
