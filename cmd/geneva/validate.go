package main

import (
	"errors"
	"fmt"

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

func runValidate(cmd *cobra.Command, f validateFlags, args []string) error {
	if f.output != "text" && f.output != "json" {
		return usageError(fmt.Errorf("validate: --output %q: want text or json", f.output))
	}
	defer validaterun.RelaxGC()()
	opts := validaterun.Options()
	if f.stixSchemas != "" {
		checker, err := oasis.Load(f.stixSchemas)
		if err != nil {
			return usageError(fmt.Errorf("validate: --stix-schemas: %w", err))
		}
		opts.Extra = checker
	}
	run := validaterun.Start(cmd.InOrStdin(), schemas.NewValidator(opts), args, opts.Limits.MaxBytes)
	status, err := validaterun.Print(run, cmd.OutOrStdout(), cmd.ErrOrStderr(), validaterun.Format{JSON: f.output == "json", Strict: f.strict})
	switch {
	case err != nil:
		return err
	case status != validaterun.ExitValid:
		return quietError{code: status}
	}
	return nil
}
