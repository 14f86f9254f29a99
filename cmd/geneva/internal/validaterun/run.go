// Package validaterun reads and validates the inputs of `geneva validate`
// on every core and hands back their reports in argument order.
//
// When the process is `geneva validate FILE...` without flags, the whole
// command runs while Go initialises this package, and the process exits
// there: the rest of geneva's packages, which validation does not need,
// take about 6 ms of CPU to initialise. This package depends only on
// schemas and the standard library, so Go initialises it early (a package
// is initialised once its imports are, in import path order).
package validaterun

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"strings"

	"github.com/genevahub/geneva/cmd/geneva/internal/input"
	"github.com/genevahub/geneva/internal/hugemem"
	"github.com/genevahub/geneva/schemas"
)

// Result is one input's report, or why it could not be read.
type Result struct {
	Name   string
	Report schemas.Report
	Err    error
	// NextReady: the next input's result is already there (so output
	// need not be flushed yet).
	NextReady bool
}

// Run is a validation of inputs under way.
type Run struct {
	names   []string
	results []chan Result
	ahead   chan struct{} // a slot per input handed out and not yet read
	done    chan struct{} // closed when the reader of the results stops
}

// Options are geneva validate's validator options without --stix-schemas:
// the default limits, a large bundle's objects checked on every core.
func Options() schemas.Options {
	return schemas.Options{Limits: schemas.DefaultLimits(), Workers: runtime.GOMAXPROCS(0)}
}

// Start reads and validates names (stdin for "-") with v on every core.
// At most twice as many inputs as there are workers are read ahead of the
// one whose result is being read, which bounds memory.
func Start(stdin io.Reader, v *schemas.Validator, names []string, maxBytes int) *Run {
	workers := min(runtime.GOMAXPROCS(0), len(names))
	r := &Run{names: names, results: make([]chan Result, len(names)),
		ahead: make(chan struct{}, 2*workers), done: make(chan struct{})}
	for i := range r.results {
		r.results[i] = make(chan Result, 1)
	}
	jobs := make(chan int)
	go func() { // hands out the inputs in order, as far ahead as allowed
		defer close(jobs)
		for i := range names {
			select {
			case r.ahead <- struct{}{}:
			case <-r.done:
				return
			}
			select {
			case jobs <- i:
			case <-r.done:
				return
			}
		}
	}()
	for range workers {
		go func() {
			// One buffer reused for every input: reports hold copies,
			// never the input.
			mapped := hugemem.Alloc(maxBytes + bytes.MinRead)
			defer hugemem.Free(mapped)
			buf := mapped
			for i := range jobs {
				data, err := input.ReadInto(buf, stdin, names[i], maxBytes)
				if err != nil {
					r.results[i] <- Result{Name: names[i], Err: err}
				} else {
					buf = data
					r.results[i] <- Result{Name: names[i], Report: v.Check(data)}
				}
			}
		}()
	}
	return r
}

// Results yields every input's result in argument order; leaving the loop
// early stops the run. A run's results can be read once.
func (r *Run) Results() iter.Seq[Result] {
	return func(yield func(Result) bool) {
		defer close(r.done)
		for i, c := range r.results {
			res := <-c
			<-r.ahead
			res.NextReady = i+1 < len(r.results) && len(r.results[i+1]) > 0
			if !yield(res) {
				return
			}
		}
	}
}

// init runs `geneva validate FILE...` given without flags to its end and
// exits, before the packages that only other commands need are
// initialised (the JSON-schema library compiling its meta-schemas,
// kafka-go's protocol tables, NATS, cobra's command tree: 5-6 ms of CPU,
// a sixth of a whole run over the valid corpus, which the run would
// otherwise wait for or share the cores with). It prints what the command
// prints and exits with its status (TestValidateBinary compares the two);
// anything else (a flag, stdin, "--") is left to the command.
func init() {
	args := os.Args
	if len(args) < 3 || args[1] != "validate" {
		return
	}
	for _, a := range args[2:] {
		if strings.HasPrefix(a, "-") {
			return
		}
	}
	RelaxGC()
	names := args[2:]
	run := Start(nil, schemas.NewValidator(Options()), names, schemas.DefaultLimits().MaxBytes)
	status, err := Print(run, os.Stdout, os.Stderr, Format{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "geneva: %v\n", err) // as geneva's main prints a command's error
	}
	os.Exit(status)
}
