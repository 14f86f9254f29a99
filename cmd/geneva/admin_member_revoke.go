package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
)

// memberUserRevoked is the --output json result of member revoke-user.
type memberUserRevoked struct {
	Member    string `json:"member"`
	PublicKey string `json:"public_key"`
}

func newAdminMemberRevokeUserCmd() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "revoke-user (USER --creds ADMIN.creds | MEMBER USER --data DIR)",
		Short: "Revoke one NATS user of a member (JWT accounts), leaving its other users working",
		Long: `Revoke one user of a member: USER is the user's public key (U..., as
geneva admin member user printed it) or its creds file. The key is revoked
for good: the NATS servers cut the user's connections and refuse it from then
on, also with any user JWT signed for that key later. The member's other users
and its own creds keep working.

The member's admin does it itself, over the hub, with the member's admin user
creds (DATA/jwt/admin/<member>.creds, handed over by the hub operator with the
signing key): give USER and --creds (and --server). The hub pushes the
member's account JWT at once and answers once the servers have it. Only that
admin user may ask: the member's own creds, the users its admin issued and
other members are refused.

The hub operator can do it too, on the hub's data directory: give MEMBER, USER
and --data DIR, then reload the hub (SIGHUP, or wait for its MoU file watch);
the hub then pushes the account JWT.

Only with JWT accounts (jwt_accounts: true, or a cluster set up with
geneva-hub cluster-users --jwt). Neither the member's own key nor its admin
user's key is revoked this way: rotate them (docs/operating.md).

Exit status: 0 revoked, 1 the hub could not be reached or the list could not
be written, 2 usage error or refused (not a user key or creds file, a member
without a JWT account, the member's own or admin key, not the admin user).`,
		Example: `  # the member's admin, over the hub
  geneva admin member revoke-user alice.creds --creds bank-one-admin.creds --server tls://hub.example:4222

  # the hub operator, on the hub's machine
  geneva admin member revoke-user bank-one UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4 --data /var/lib/geneva
  kill -HUP "$(pidof geneva-hub)"`,
	}
	out := addOutputFlag(cmd)
	cf := addConnFlags(cmd)
	cmd.Flags().Lookup("creds").Usage = "the member's admin user creds, DATA/jwt/admin/<member>.creds (env GENEVA_CREDS; default from the context)"
	cmd.PreRunE = func(*cobra.Command, []string) error { return out.check() }
	cmd.Flags().StringVar(&dataDir, "data", "", "the hub's data directory (its data_dir), to revoke as the hub operator")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var member, pub string
		var err error
		switch {
		case dataDir != "" && len(args) == 2:
			member, pub, err = revokeOnDataDir(dataDir, args[0], args[1])
		case dataDir == "" && len(args) == 1:
			member, pub, err = revokeAsMemberAdmin(cmd, cf, args[0])
		default:
			return usageError(errors.New("admin member revoke-user: give USER and --creds (the member's admin), or MEMBER, USER and --data DIR (the hub operator); see --help"))
		}
		if err != nil {
			return err
		}
		if out.json() {
			return writeJSON(cmd.OutOrStdout(), memberUserRevoked{Member: member, PublicKey: pub})
		}
		if dataDir != "" {
			fmt.Fprintf(cmd.OutOrStdout(), "revoked user %s of member %s; reload the hub to apply it\n", pub, member)
		} else {
			fmt.Fprintf(cmd.OutOrStdout(), "revoked user %s of member %s; the NATS servers refuse it from now on\n", pub, member)
		}
		return nil
	}
	return cmd
}

// revokeOnDataDir revokes user of member on the hub's data directory.
func revokeOnDataDir(dataDir, member, user string) (string, string, error) {
	pub, err := hub.UserKey(user)
	if err != nil {
		return "", "", usageError(fmt.Errorf("admin member revoke-user: %w", err))
	}
	if err := hub.RevokeMemberUser(dataDir, member, pub); err != nil {
		return "", "", usageError(fmt.Errorf("admin member revoke-user: %w", err))
	}
	return member, pub, nil
}

// revokeAsMemberAdmin asks the hub's member admin service, with the admin
// user's creds, to revoke user.
func revokeAsMemberAdmin(cmd *cobra.Command, cf *connFlags, user string) (string, string, error) {
	pub, err := hub.UserKey(user)
	if err != nil {
		return "", "", usageError(fmt.Errorf("admin member revoke-user: %w", err))
	}
	_, creds, err := cf.resolve()
	if err != nil {
		return "", "", err
	}
	member, err := wire.CredsMember(creds)
	if err != nil {
		return "", "", usageError(fmt.Errorf("admin member revoke-user: --creds %s: %w", creds, err))
	}
	var reply wire.MemberAdminReply
	err = asOperator(cmd, cf, "geneva admin member revoke-user", func(ctx context.Context, conn *hubConn, server string) error {
		err := askOperatorService(ctx, conn, server, wire.MemberAdminService(member), "admin member revoke-user", "member admin",
			wire.MemberAdminRequest{RevokeUser: pub}, &reply, func() string { return reply.Error })
		switch {
		case conn.refused() != nil:
			return usageError(fmt.Errorf("admin member revoke-user: not permitted: needs member %s's admin user creds (DATA/jwt/admin/%s.creds on the hub), not %s", member, member, creds))
		case reply.Error != "": // refused by the hub: bad input, or not the admin user
			return usageError(err)
		}
		return err
	})
	if err != nil {
		return "", "", err
	}
	return member, reply.Revoked, nil
}
