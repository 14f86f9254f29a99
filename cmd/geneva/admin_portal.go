package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/portal"
)

// portalUserTimeout bounds one request to the hub's portal account service.
const portalUserTimeout = 15 * time.Second

func newAdminPortalUserCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "portal-user",
		Short: "Add, remove, sign out or list the web portal's accounts",
		Long: `People sign in to the hub's web portal (docs/portal.md) with an account that
belongs to one member and has a role: reporter (reports incidents, reads
the member's receipts), analyst (and reads the member's live feed),
member-admin (and invites and removes the member's people on the portal),
or operator (the hub operator: the directory only, no member). Make each
member's first member-admin here; it invites the others.

add prints the initial password and the TOTP secret once: hand them to the
person over a channel you trust; they scan the otpauth URI with an
authenticator app. Every command needs the hub operator's credentials.

Exit status: 0 done, 1 the hub refused or is unreachable, 2 usage error.`,
		Example: `  geneva admin portal-user add alice --member bank-one --role reporter --creds operator.creds
  geneva admin portal-user list --member bank-one --creds operator.creds
  geneva admin portal-user signout alice --creds operator.creds
  geneva admin portal-user remove alice --creds operator.creds`,
	}
	cmd.AddCommand(newPortalUserActionCmd("add"), newPortalUserActionCmd("remove"), newPortalUserActionCmd("signout"),
		newPortalUserActionCmd("list"))
	return cmd
}

func newPortalUserActionCmd(action string) *cobra.Command {
	var member, role string
	cmd := &cobra.Command{Use: action + " USER"}
	switch action {
	case "add":
		cmd.Short = "Create an account; prints its initial password and TOTP secret once"
	case "remove":
		cmd.Short = "Delete an account; its sessions end at their next request"
	case "signout":
		cmd.Short = "End every session of an account, on every hub (it can sign in again)"
	case "list":
		cmd.Use, cmd.Short = "list", "List the accounts (no secrets)"
	}
	cf := addConnFlags(cmd)
	cmd.Flags().Lookup("creds").Usage = "the hub operator's credentials file, DATA/creds/operator.creds (env GENEVA_CREDS; default from the context)"
	out := addOutputFlag(cmd)
	if action == "add" || action == "list" {
		cmd.Flags().StringVar(&member, "member", "", "the member the account belongs to (list: only its accounts)")
	}
	if action == "add" {
		cmd.Flags().StringVar(&role, "role", "reporter", "reporter, analyst, member-admin or operator")
	}
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if action == "list" {
			return noArgs(cmd, args)
		}
		if len(args) != 1 {
			return usageError(fmt.Errorf("%s: give exactly one USER", commandName(cmd)))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		req := hub.PortalUserRequest{Action: action, Member: member, Role: role}
		if len(args) == 1 {
			req.User = args[0]
		}
		return runPortalUser(cmd, cf, out, req)
	}
	return cmd
}

func runPortalUser(cmd *cobra.Command, cf *connFlags, out *outputFlag, req hub.PortalUserRequest) error {
	server, creds, err := cf.resolve()
	if err != nil {
		return err
	}
	conn, err := connectHub(server, creds, "geneva admin portal-user")
	if err != nil {
		return err
	}
	defer conn.nc.Close()
	ctx, stop := conn.stopOnDenial(cmd.Context())
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, portalUserTimeout)
	defer cancel()
	var reply hub.PortalUserReply
	if err := askOperatorService(ctx, conn, server, hub.SubjectPortalService, "admin portal-user "+req.Action, "portal",
		req, &reply, func() string { return reply.Error }); err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	switch {
	case out.json() && req.Action == "add":
		return writeJSON(w, reply.Account)
	case out.json() && req.Action == "list":
		return writeJSON(w, append([]portal.UserInfo{}, reply.Users...)) // [] rather than null
	case req.Action == "add":
		a := reply.Account
		fmt.Fprintf(w, "user: %s\npassword: %s\ntotp_secret: %s\ntotp_uri: %s\n", a.User, a.Password, a.TOTP, a.TOTPURI)
	case req.Action == "list":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USER\tMEMBER\tROLE")
		for _, u := range reply.Users {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, u.Member, u.Role)
		}
		return tw.Flush()
	case req.Action == "signout":
		fmt.Fprintf(w, "signed out %s everywhere\n", req.User)
	default:
		fmt.Fprintf(w, "removed %s\n", req.User)
	}
	return nil
}
