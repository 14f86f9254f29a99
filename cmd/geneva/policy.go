package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/cmd/geneva/internal/input"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/explain"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Explain policy decisions and check MoU files",
		Long: `Explain what the partnership's MoU does with a submission, offline, and check
MoU files. The decision is the one the hub makes: the same engine, the same rules.`,
	}
	cmd.AddCommand(newPolicyExplainCmd(), newPolicyCheckCmd())
	return cmd
}

type explainOptions struct {
	policyFile string
	as         string
	to         []string
	community  string
	anonymous  bool
	output     string
}

func newPolicyExplainCmd() *cobra.Command {
	var o explainOptions
	cmd := &cobra.Command{
		Use:   "explain [--policy FILE] --as MEMBER [--to m1,m2] [--community C] [--anonymous] [--output text|json] FILE|-",
		Short: "Explain what the MoU shares of a submission, with whom, and why",
		Long: `Decide a STIX 2.1 submission as the hub would, and explain the decision: which
objects go to which members at which TLP, which are refused and why (reason
codes are listed in docs/policy.md). Without --policy the built-in demo MoU is
used. FILE "-" reads standard input.

Exit status: 0 accept or partial, 3 reject, 4 review (held for a person at the
hub), 2 usage or I/O error.`,
		Example: `  # What happens if bank-one shares this bundle with everyone?
  geneva policy explain --as bank-one bundle.json

  # A TLP:RED report for two named members, under our own MoU, as JSON
  geneva policy explain --policy mou.yaml --as le-bravo --to le-alpha,cert-three --output json red.json

  # Only the law-enforcement community, anonymously, from standard input
  cat bundle.json | geneva policy explain --as le-alpha --community le --anonymous -`,
		Args: oneFileArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExplain(cmd, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.policyFile, "policy", "", "MoU file (default: the built-in demo MoU)")
	f.StringVar(&o.as, "as", "", "the sending member's id (required)")
	f.StringSliceVar(&o.to, "to", nil, "named recipient member ids, comma-separated (required for TLP:AMBER+STRICT and TLP:RED)")
	f.StringVar(&o.community, "community", "", "limit the whole submission to this community")
	f.BoolVar(&o.anonymous, "anonymous", false, "ask to be shown as anonymous to the recipients")
	f.StringVar(&o.output, "output", "text", "output format: text or json")
	return cmd
}

func runExplain(cmd *cobra.Command, o explainOptions, file string) error {
	if o.as == "" {
		return usageError(errors.New("--as MEMBER is required: the member the submission comes from"))
	}
	if o.output != "text" && o.output != "json" {
		return usageError(fmt.Errorf("--output %q: want text or json", o.output))
	}
	mou := policy.DemoMoU()
	if o.policyFile != "" {
		var err error
		if mou, err = loadMoU(o.policyFile); err != nil {
			return usageError(err)
		}
	}
	engine, err := policy.NewEngine(mou)
	if err != nil {
		return usageError(err)
	}
	bundle, err := readInput(cmd.InOrStdin(), file, mou.Rules.Limits.MaxBytes)
	if err != nil {
		return usageError(err)
	}
	d := engine.Decide(policy.Request{Sender: o.as, To: o.to, Community: o.community, Anonymous: o.anonymous, Bundle: bundle})
	out := cmd.OutOrStdout()
	if o.output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d.Summary()); err != nil {
			return err
		}
	} else {
		explain.Write(out, &d, mou)
	}
	switch d.Verdict {
	case policy.Reject:
		return quietError{code: exitRejected}
	case policy.Review:
		return quietError{code: exitReview}
	}
	return nil
}

func loadMoU(file string) (*policy.MoU, error) {
	return policy.LoadMoU(file)
}

// readInput reads FILE or standard input ("-"), at most max+1 bytes, so an
// oversized submission is decided (and refused) rather than read whole.
func readInput(stdin io.Reader, file string, max int) ([]byte, error) {
	return input.ReadInto(nil, stdin, file, max)
}

func newPolicyCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE",
		Short: "Validate an MoU file, reporting every problem at once",
		Long: `Check an MoU file: strict YAML (unknown fields are errors) and every rule of
docs/policy.md. Problems are printed one per line as FILE:LINE: FIELD: MESSAGE.

Exit status: 0 valid, 1 invalid, 2 usage or I/O error.`,
		Example: `  geneva policy check mou.yaml
  geneva policy check docs/demo-mou.yaml`,
		Args: oneFileArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := configfile.Read(args[0])
			if err != nil {
				return usageError(fmt.Errorf("read MoU: %w", err))
			}
			m, err := policy.ParseMoU(args[0], data)
			if err == nil {
				_, err = policy.NewEngine(m) // what the hub builds: the classification guard too
			}
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return quietError{code: exitFailure}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid MoU %q version %s: %d members, %d communities\n",
				args[0], m.Partnership.Name, m.Partnership.Version, len(m.Members), len(m.Communities))
			return nil
		},
	}
}

// oneFileArg makes a missing or extra FILE argument a usage error (exit 2).
func oneFileArg(cmd *cobra.Command, args []string) error {
	if err := cobra.ExactArgs(1)(cmd, args); err != nil {
		return usageError(fmt.Errorf("%s: want one FILE argument (see --help)", commandName(cmd)))
	}
	return nil
}
