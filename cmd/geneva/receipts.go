package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/explain"
)

type receiptsOptions struct {
	since  string
	output string
}

func newReceiptsCmd() *cobra.Command {
	var o receiptsOptions
	var conn *connFlags
	cmd := &cobra.Command{
		Use:   "receipts [--since 24h|RFC3339] [--output table|text|json]",
		Short: "Show your member's recent receipts: what the hub did with each submission",
		Long: `List the receipts of your member's submissions, oldest first: when the hub
received each, its verdict, how many objects were shared and refused, and where
they went. --output text prints each receipt in full, with every reason and
its JSON pointer; json prints one receipt per line.

Reading receipts takes none of them: every receipt is listed, also those
geneva submit has already shown, and a connector that consumes your member's
receipts still gets every one.

Exit status: 0, or 1 when the hub cannot be reached, 2 usage.`,
		Example: `  # The last day's receipts as a table
  geneva receipts

  # Everything since a given time, in full
  geneva receipts --since 2026-11-01T00:00:00Z --output text

  # Refused submissions only, for a script
  geneva receipts --output json | jq -c 'select(.verdict == "reject")'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			since, err := parseSince(o.since, time.Now())
			if err != nil {
				return usageError(fmt.Errorf("--since: %w", err))
			}
			if o.output != "table" && o.output != "text" && o.output != "json" {
				return usageError(fmt.Errorf("--output %q: want table, text or json", o.output))
			}
			c, err := conn.dial(cmd.Context(), 10*time.Second)
			if err != nil {
				return err
			}
			defer c.Close()
			rs, err := c.Receipts(cmd.Context(), since)
			if err != nil {
				return err
			}
			return writeReceipts(cmd.OutOrStdout(), rs, o.output)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.since, "since", "24h", "receipts since this long ago (2h, 30m, 7d) or since an RFC 3339 time")
	f.StringVar(&o.output, "output", "table", "output format: table, text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("table", "text", "json"))
	conn = addConnFlags(cmd)
	return cmd
}

func writeReceipts(w io.Writer, rs []wire.Receipt, output string) error {
	switch output {
	case "json":
		for _, r := range rs {
			if err := writeJSONLine(w, r); err != nil {
				return err
			}
		}
		return nil
	case "text":
		for i, r := range rs {
			if i > 0 {
				fmt.Fprintln(w)
			}
			writeReceipt(w, &r)
		}
		return nil
	}
	if len(rs) == 0 {
		fmt.Fprintln(w, "no receipts in that time")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVED\tVERDICT\tSHARED\tREFUSED\tTO\tSUBMISSION\tMSG ID")
	for _, r := range rs {
		shared, refused := 0, r.Refused // a classified receipt lists no objects
		for _, o := range r.Objects {
			switch {
			case o.Type == "marking-definition": // the TLP label says it
			case o.Shared:
				shared++
			default:
				refused++
			}
		}
		var to []string
		for _, rt := range r.Routes {
			to = append(to, routeShort(rt))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.Received.Local().Format("2006-01-02 15:04:05"),
			strings.ToUpper(r.Verdict.String()), shared, refused, orDash(strings.Join(to, " ")), r.Submission, r.MsgID)
	}
	return tw.Flush()
}

// routeShort is a route in a few characters: green→all, amber→c.finance,
// red→le-alpha+cert-three.
func routeShort(rt wire.RouteReceipt) string {
	scope := rt.Scope
	if strings.HasPrefix(scope, "m.") {
		scope = strings.Join(rt.Audience, "+")
	}
	return rt.TLP.String() + "→" + scope
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeReceipt tells a person what the hub did with one submission.
func writeReceipt(w io.Writer, r *wire.Receipt) {
	fmt.Fprintf(w, "verdict:    %s (%s)\n", strings.ToUpper(r.Verdict.String()), explain.VerdictMeaning(r.Verdict))
	fmt.Fprintf(w, "submission: %s, received %s, policy version %s\n", r.Submission,
		r.Received.Local().Format(time.RFC3339), r.PolicyVersion)
	if r.Anonymous {
		fmt.Fprintln(w, "sender:     shown to recipients as anonymous")
	}
	if r.Classified {
		fmt.Fprintf(w, "\nCLASSIFIED MATERIAL: the whole submission (%s) was refused and its content erased at the hub.\n",
			plural(r.Refused, "object"))
	}
	if len(r.Reasons) > 0 {
		fmt.Fprintln(w, "\nabout the whole submission:")
		for _, rs := range r.Reasons {
			explain.WriteReason(w, "  ", rs)
		}
	}
	if r.Verdict == policy.Review {
		fmt.Fprintln(w, "\nheld: nothing is shared until a person at the hub approves it; the receipt of that decision follows")
	}
	if len(r.Routes) > 0 {
		fmt.Fprintln(w, "\nshared:")
		for _, rt := range r.Routes {
			fmt.Fprintf(w, "  %s to %s: %s\n", rt.TLP.Label(),
				explain.ScopeText(policy.Route{Scope: rt.Scope, Audience: rt.Audience}), routeObjects(r, rt))
		}
	}
	var listed []wire.ObjectReceipt
	blocked := 0
	for _, o := range r.Objects {
		switch {
		case o.Shared || o.Type == "marking-definition":
		case len(r.Reasons) > 0 && explain.OnlyCodes(o.Reasons, policy.CodeSubmissionBlocked):
			blocked++
		default:
			listed = append(listed, o)
		}
	}
	if len(listed) > 0 || blocked > 0 {
		fmt.Fprintln(w, "\nnot shared:")
		for _, o := range listed {
			fmt.Fprintf(w, "  %s\n", o.ID)
			for _, rs := range o.Reasons {
				explain.WriteReason(w, "    ", rs)
			}
		}
		if blocked > 0 {
			fmt.Fprintf(w, "  %d object(s): the whole submission was rejected (see above)\n", blocked)
		}
	}
}

// routeObjects counts what went along a route, leaving out the marking
// definitions that travel with the objects.
func routeObjects(r *wire.Receipt, rt wire.RouteReceipt) string {
	n := 0
	for _, o := range r.Objects {
		if o.Shared && o.Type != "marking-definition" && o.TLP == rt.TLP && subset(rt.Audience, o.Audience) {
			n++
		}
	}
	if n == 0 || n > rt.Objects {
		return fmt.Sprintf("%d object(s)", rt.Objects)
	}
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// parseSince reads "2h", "30m", "7d" (before now) or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := parseAgo(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a duration (2h, 30m, 7d) or an RFC 3339 time (2026-11-01T00:00:00Z)", s)
	}
	return now.Add(-d), nil
}

func parseAgo(s string) (time.Duration, error) {
	d, err := configfile.ParseDuration(s)
	if err == nil && d < 0 {
		err = fmt.Errorf("negative duration %q", s)
	}
	return d, err
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func fixedCompletions(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
