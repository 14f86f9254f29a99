package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub"
)

func newAdminTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list or revoke members' TAXII API tokens",
		Long: `A member's TAXII client (OpenCTI, MISP, a SIEM, taxii2-client) authenticates
to the hub's TAXII 2.1 server with a token: as "Authorization: Bearer TOKEN",
or as HTTP Basic with the member id as user and the token as password (see
docs/taxii.md). The hub keeps only each token's SHA-256; create shows the
token once. A revoked token is refused from the moment revoke returns.

Every token command needs the hub operator's credentials (with
geneva-hub --dev: DIR/creds/operator.creds; a --dev hub also writes one
token per member to DIR/creds/<member>.token).

Exit status: 0 done, 1 the hub refused or is unreachable, 2 usage error.`,
		Example: `  geneva admin member token create bank-one --label opencti --creds operator.creds
  geneva admin member token list bank-one --creds operator.creds
  geneva admin member token revoke bank-one 3xk2m9q4za --creds operator.creds`,
	}
	cmd.AddCommand(newTokenActionCmd("create", "MEMBER", "Create a TAXII token for a member (shown once)"),
		newTokenActionCmd("list", "[MEMBER]", "List TAXII tokens (never the tokens themselves)"),
		newTokenActionCmd("revoke", "MEMBER ID", "Revoke a member's TAXII token at once"))
	return cmd
}

func newTokenActionCmd(action, args, short string) *cobra.Command {
	var label string
	cmd := &cobra.Command{Use: action + " " + args, Short: short}
	cf := addConnFlags(cmd)
	cmd.Flags().Lookup("creds").Usage = "the hub operator's credentials file, DATA/creds/operator.creds (env GENEVA_CREDS; default from the context)"
	out := addOutputFlag(cmd)
	if action == "create" {
		cmd.Flags().StringVar(&label, "label", "", "what the token is for (shown by list)")
	}
	want := map[string][2]int{"create": {1, 1}, "list": {0, 1}, "revoke": {2, 2}}[action]
	cmd.Args = func(cmd *cobra.Command, a []string) error {
		if len(a) < want[0] || len(a) > want[1] {
			return usageError(fmt.Errorf("%s: give %s (see --help)", cmd.CommandPath(), args))
		}
		if len(a) > 0 && !validMemberID(a[0]) {
			return usageError(fmt.Errorf("%s: member id %q: must match [a-z0-9-]{2,32}", cmd.CommandPath(), a[0]))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, a []string) error {
		if err := out.check(); err != nil {
			return err
		}
		req := hub.TokenRequest{Action: action, Label: label}
		if len(a) > 0 {
			req.Member = a[0]
		}
		if len(a) > 1 {
			req.ID = a[1]
		}
		var reply hub.TokenReply
		err := asOperator(cmd, cf, "geneva admin member token", func(ctx context.Context, conn *hubConn, server string) error {
			return askOperatorService(ctx, conn, server, hub.SubjectTokenService, "admin member token "+action, "token",
				req, &reply, func() string { return reply.Error })
		})
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		if out.json() {
			return writeJSON(w, reply)
		}
		switch action {
		case "create":
			if reply.Token == "" || len(reply.Tokens) != 1 {
				return errors.New("admin member token create: the hub answered without a token")
			}
			fmt.Fprintf(w, "created TAXII token %s for %s; it is shown only now:\n%s\n", reply.Tokens[0].ID, req.Member, reply.Token)
		case "list":
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MEMBER\tID\tLABEL\tCREATED")
			for _, t := range reply.Tokens {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Member, t.ID, t.Label, t.Created.Format(time.RFC3339))
			}
			return tw.Flush()
		case "revoke":
			fmt.Fprintf(w, "revoked token %s of %s\n", req.ID, req.Member)
		}
		return nil
	}
	return cmd
}
