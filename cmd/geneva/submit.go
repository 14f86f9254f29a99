package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/policy"
)

type submitOptions struct {
	to        []string
	community string
	anonymous bool
	noWait    bool
	timeout   time.Duration
	output    string
}

func newSubmitCmd() *cobra.Command {
	var o submitOptions
	var conn *connFlags
	cmd := &cobra.Command{
		Use:   "submit [--to m1,m2] [--community C] [--anonymous] [--no-wait] [--timeout 30s] FILE|-",
		Short: "Share a STIX 2.1 bundle through the hub and show what policy did with it",
		Long: `Send a STIX 2.1 bundle to the hub as your member and, unless --no-wait, wait
for its receipt: what went to whom at which TLP and, for anything refused,
every reason in plain words with the JSON pointer of what it is about. The
same decision can be previewed offline with geneva policy explain. FILE "-"
reads standard input.

Exit status: 0 accepted (or stored, with --no-wait), 5 partly accepted,
3 rejected, 4 held for review by a person at the hub, 1 hub unreachable or no
answer within --timeout, 2 usage or I/O error.`,
		Example: `  # Share with everyone the MoU allows, and wait for the receipt
  geneva submit report.json

  # A TLP:RED report for two named members
  geneva submit --to le-alpha,cert-three red.json

  # Only the finance community, anonymously, from a pipe; do not wait
  produce-stix | geneva submit --community finance --anonymous --no-wait -

  # The receipt as JSON, for scripts
  geneva submit --output json report.json | jq .verdict`,
		Args: oneFileArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSubmit(cmd, conn, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.to, "to", nil, "named recipient member ids, comma-separated (required for TLP:AMBER+STRICT and TLP:RED)")
	f.StringVar(&o.community, "community", "", "limit the whole submission to this community")
	f.BoolVar(&o.anonymous, "anonymous", false, "show the sender to the recipients as anonymous")
	f.BoolVar(&o.noWait, "no-wait", false, "return once the hub has stored the submission, without waiting for the receipt")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up when the hub has not answered within this time")
	f.StringVar(&o.output, "output", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("text", "json"))
	conn = addConnFlags(cmd)
	return cmd
}

func runSubmit(cmd *cobra.Command, conn *connFlags, o submitOptions, file string) error {
	if o.output != "text" && o.output != "json" {
		return usageError(fmt.Errorf("--output %q: want text or json", o.output))
	}
	if o.timeout <= 0 {
		return usageError(fmt.Errorf("--timeout %v: want a positive duration, e.g. 30s", o.timeout))
	}
	bundle, err := readInput(cmd.InOrStdin(), file, policy.DemoMoU().Rules.Limits.MaxBytes)
	if err != nil {
		return usageError(err)
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
	defer cancel()
	c, err := conn.dial(ctx, o.timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.Submit(ctx, bundle, member.SubmitOptions{To: o.to, Community: o.community,
		Anonymous: o.anonymous, NoWait: o.noWait})
	if err != nil {
		if errors.Is(err, context.Canceled) && cmd.Context().Err() != nil {
			return quietError{code: exitFailure} // interrupted
		}
		return err
	}
	out := cmd.OutOrStdout()
	if res.Receipt == nil {
		if o.output == "json" {
			return writeJSONLine(out, map[string]any{"msg_id": res.MsgID, "stored": true})
		}
		fmt.Fprintf(out, "submitted to %s as %s: the hub has it (msg id %s)\n", c.Server(), c.Member(), res.MsgID)
		fmt.Fprintln(out, "not waiting for the receipt; see it later with: geneva receipts")
		return nil
	}
	if o.output == "json" {
		if err := writeJSONLine(out, res.Receipt); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(out, "submitted to %s as %s (msg id %s)\n", c.Server(), c.Member(), res.MsgID)
		writeReceipt(out, res.Receipt)
	}
	return verdictExit(res.Receipt.Verdict)
}

// verdictExit is the exit status for a receipt's verdict.
func verdictExit(verdict policy.Verdict) error {
	switch verdict {
	case policy.Accept:
		return nil
	case policy.Partial:
		return quietError{code: exitPartial}
	case policy.Review:
		return quietError{code: exitReview}
	}
	return quietError{code: exitRejected}
}
