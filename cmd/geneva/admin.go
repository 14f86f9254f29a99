package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newAdminCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Administer a hub: member credentials, TAXII tokens, the review queue, portal accounts",
		Long: `Commands for the people who run a hub.

  member add   create a member's credentials file in the hub's data directory
  member token create, list or revoke a member's TAXII API tokens
               (needs the hub operator's credentials; docs/taxii.md)
  review       list, show, approve or reject submissions held for review
               (needs the hub operator's credentials)
  portal-user  add, remove or list the web portal's accounts
               (needs the hub operator's credentials)`,
	}
	cmd.AddCommand(newAdminMemberCmd(), newAdminReviewCmd(), newAdminPortalUserCmd())
	return cmd
}

// outputFlag is --output text|json.
type outputFlag struct{ format string }

func addOutputFlag(cmd *cobra.Command) *outputFlag {
	o := &outputFlag{format: "text"}
	cmd.Flags().StringVarP(&o.format, "output", "o", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return o
}

func (o *outputFlag) check() error {
	if o.format != "text" && o.format != "json" {
		return usageError(fmt.Errorf("--output: %q is not text or json", o.format))
	}
	return nil
}

func (o *outputFlag) json() bool { return o.format == "json" }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
