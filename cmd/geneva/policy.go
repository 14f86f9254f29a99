package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
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
		writeExplanation(out, &d, mou)
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
	return readInputInto(nil, stdin, file, max)
}

// readInputInto is readInput reading into buf's memory when it is large
// enough (geneva validate reuses one buffer per worker across files).
func readInputInto(buf []byte, stdin io.Reader, file string, max int) ([]byte, error) {
	r, size := stdin, int64(bytes.MinRead)
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = min(st.Size(), int64(max)) + bytes.MinRead // read once, without regrowing
		}
	}
	if int64(cap(buf)) < size {
		buf = make([]byte, 0, size)
	}
	b := bytes.NewBuffer(buf[:0])
	if _, err := b.ReadFrom(io.LimitReader(r, int64(max)+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return b.Bytes(), nil
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

// writeExplanation tells a person what goes to whom, what was refused and why.
func writeExplanation(w io.Writer, d *policy.Decision, mou *policy.MoU) {
	fmt.Fprintf(w, "verdict: %s (%s)\n", strings.ToUpper(d.Verdict.String()), verdictMeaning(d.Verdict))
	fmt.Fprintf(w, "policy:  %s, version %s\n", mou.Partnership.Name, d.PolicyVersion)
	fmt.Fprintf(w, "sender:  %s", d.Sender)
	if d.Anonymous {
		fmt.Fprint(w, " (shown to recipients as anonymous)")
	}
	fmt.Fprintf(w, "\ndigest:  sha256:%s\n", d.Digest)
	if d.Classified {
		fmt.Fprintln(w, "\nCLASSIFIED MATERIAL: the whole submission is refused and its content must be erased.")
	}
	if len(d.Reasons) > 0 {
		fmt.Fprintln(w, "\nabout the whole submission:")
		for _, r := range d.Reasons {
			writeReason(w, "  ", r)
		}
	}
	if len(d.Routes) > 0 {
		if d.Verdict == policy.Review {
			fmt.Fprintln(w, "\nwould be shared once a person at the hub approves it:")
		} else {
			fmt.Fprintln(w, "\nshared:")
		}
		for _, r := range d.Routes {
			archive := "archived"
			if !r.Archive {
				archive = "never archived"
			}
			fmt.Fprintf(w, "  %s to %s, %s:\n", r.TLP.Label(), scopeText(r), archive)
			for _, i := range r.Objects {
				o := d.Objects[i]
				fmt.Fprintf(w, "    %s\n", o.ID)
			}
		}
	}
	writeRefused(w, d)
	var notes []string
	for _, o := range d.Objects {
		for _, r := range o.Reasons {
			if info, _ := policy.Describe(r.Code); o.Shared && info.Rejects == "" && r.Code != policy.CodeSupporting {
				notes = append(notes, fmt.Sprintf("%s: %s (%s)", r.Code, r.Message, o.ID))
			}
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nnotes:")
		for _, n := range notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
}

// writeRefused lists the objects not shared, with their reasons. Objects
// refused only because the whole submission was, and supporting objects
// that were simply not sent, are counted rather than listed.
func writeRefused(w io.Writer, d *policy.Decision) {
	var listed []policy.ObjectDecision
	blocked, unsent := 0, 0
	for _, o := range d.Objects {
		if o.Shared {
			continue
		}
		switch {
		case onlyCodes(o.Reasons, policy.CodeSubmissionBlocked) && (len(d.Reasons) > 0 || o.Type == "marking-definition"):
			blocked++
		case o.Type == "marking-definition" && onlyCodes(o.Reasons, policy.CodeSupportingUnreferenced):
			unsent++
		default:
			listed = append(listed, o)
		}
	}
	if len(listed) == 0 && blocked == 0 {
		return
	}
	fmt.Fprintln(w, "\nnot shared:")
	for _, o := range listed {
		fmt.Fprintf(w, "  %s\n", o.ID)
		for _, r := range o.Reasons {
			writeReason(w, "    ", r)
		}
	}
	if blocked > 0 {
		what := "the whole submission was rejected (see above)"
		if len(d.Reasons) == 0 {
			what = "nothing that references them is shared"
		}
		more := "more "
		if len(listed) == 0 {
			more = ""
		}
		fmt.Fprintf(w, "  %d %sobject(s): %s\n", blocked, more, what)
	}
	if unsent > 0 {
		fmt.Fprintf(w, "  %d marking definition(s) nothing shared references, so not sent\n", unsent)
	}
}

func onlyCodes(rs []policy.Reason, c policy.Code) bool {
	for _, r := range rs {
		if r.Code != c {
			return false
		}
	}
	return len(rs) > 0
}

func writeReason(w io.Writer, indent string, r policy.Reason) {
	fmt.Fprintf(w, "%s%s: %s", indent, r.Code, r.Message)
	if r.Pointer != "" {
		fmt.Fprintf(w, " (at %s)", r.Pointer)
	}
	fmt.Fprintln(w)
}

func verdictMeaning(v policy.Verdict) string {
	switch v {
	case policy.Accept:
		return "every object is shared"
	case policy.Partial:
		return "some objects are shared, the others refused"
	case policy.Review:
		return "held for review by a person at the hub"
	}
	return "nothing is shared"
}

func scopeText(r policy.Route) string {
	members := strings.Join(r.Audience, ", ")
	switch {
	case r.Scope == "all":
		return "every member but the sender (" + members + ")"
	case strings.HasPrefix(r.Scope, "c."):
		return "community " + strings.TrimPrefix(r.Scope, "c.") + " (" + members + ")"
	}
	return members
}

// oneFileArg makes a missing or extra FILE argument a usage error (exit 2).
func oneFileArg(cmd *cobra.Command, args []string) error {
	if err := cobra.ExactArgs(1)(cmd, args); err != nil {
		return usageError(fmt.Errorf("%s: want one FILE argument (see --help)", commandName(cmd)))
	}
	return nil
}
