package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub/directory"
)

func newDirectoryCmd() *cobra.Command {
	var q directory.Query
	var output string
	var onDuty bool
	var conn *connFlags
	cmd := &cobra.Command{
		Use:   "directory [--jurisdiction NO] [--type law-enforcement] [--sector finance] [--on-duty] [--output table|json]",
		Short: "Find the other members and their 24/7 points of contact",
		Long: `List the partnership's active members from the hub's directory: id, name,
type, jurisdiction, sectors, communities and the 24/7 point of contact (desk,
phone, e-mail, languages). Filters match regardless of case and combine with
AND.

Exit status: 0, 1 when the hub cannot be reached or refuses the query, 2 usage.`,
		Example: `  # Everyone
  geneva directory

  # Who do I call at the Norwegian police?
  geneva directory --jurisdiction NO --type law-enforcement

  # Who is on duty at each law-enforcement member now
  geneva directory --type law-enforcement --on-duty

  # Banks, as JSON
  geneva directory --sector finance --output json | jq -r '.[].contact.phone'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return usageError(fmt.Errorf("--output %q: want table or json", output))
			}
			c, err := conn.dial(cmd.Context(), 10*time.Second)
			if err != nil {
				return err
			}
			defer c.Close()
			ms, err := c.Directory(cmd.Context(), q)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if output == "json" {
				return writeJSONLine(out, ms)
			}
			if len(ms) == 0 {
				fmt.Fprintln(out, "no member matches")
				return nil
			}
			if onDuty {
				for _, m := range ms {
					fmt.Fprintf(out, "%s: %s, on duty 24/7 at %s, %s (%s)\n", m.ID, orDash(m.Contact.Desk),
						orDash(m.Contact.Phone), orDash(m.Contact.Email), list(m.Contact.Languages))
				}
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tTYPE\tJURISDICTION\tSECTORS\tCOMMUNITIES\t24/7 CONTACT\tPHONE\tEMAIL\tLANGUAGES")
			for _, m := range ms {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Name, m.Type, m.Jurisdiction,
					list(m.Sectors), list(m.Communities), orDash(m.Contact.Desk), orDash(m.Contact.Phone),
					orDash(m.Contact.Email), list(m.Contact.Languages))
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Jurisdiction, "jurisdiction", "", "ISO 3166-1 country code, e.g. NO")
	f.StringVar(&q.Type, "type", "", "member type: law-enforcement, cert, industry, ...")
	f.StringVar(&q.Sector, "sector", "", "sector, e.g. finance")
	f.StringVar(&output, "output", "table", "output format: table or json")
	f.BoolVar(&onDuty, "on-duty", false, "only who is on duty 24/7 for each member, one line each (where requests are escalated)")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("table", "json"))
	_ = cmd.RegisterFlagCompletionFunc("type", fixedCompletions("law-enforcement", "cert", "industry", "academia", "government"))
	conn = addConnFlags(cmd)
	return cmd
}

func list(s []string) string { return orDash(strings.Join(s, ",")) }
