package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub"
)

// memberUserRevoked is the --output json result of member revoke-user.
type memberUserRevoked struct {
	Member    string `json:"member"`
	PublicKey string `json:"public_key"`
}

func newAdminMemberRevokeUserCmd() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "revoke-user MEMBER USER --data DIR",
		Short: "Revoke one NATS user a member's admin issued (JWT accounts), leaving its other users working",
		Long: `Revoke one user of a member: USER is the user's public key (U..., as
geneva admin member user printed it) or its creds file. The hub operator runs
this on the hub's data directory; the member's account JWT revokes the key
from the next time the hub applies the MoU: reload the hub (SIGHUP, or wait
for its MoU file watch after an edit). The hub then pushes the account JWT to
its NATS servers, which cut the user's connections at once and refuse it from
then on, also with any user JWT signed for that key later. The member's other
users and its own creds keep working.

Only with JWT accounts (jwt_accounts: true, or a cluster set up with
geneva-hub cluster-users --jwt). The member's own key is not revoked this way:
rotate it (docs/operating.md).

Exit status: 0 revoked, 1 the list could not be written, 2 usage error (not a
user key or creds file, a member without a JWT account, the member's own key).`,
		Example: `  geneva admin member revoke-user bank-one UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4 --data /var/lib/geneva
  kill -HUP "$(pidof geneva-hub)"`,
	}
	out := addOutputFlag(cmd)
	cmd.PreRunE = func(*cobra.Command, []string) error { return out.check() }
	cmd.Flags().StringVar(&dataDir, "data", "", "the hub's data directory (its data_dir; required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) != 2 || dataDir == "" {
			return usageError(errors.New("admin member revoke-user: give MEMBER, USER (a public key or creds file) and --data DIR (see --help)"))
		}
		pub, err := hub.UserKey(args[1])
		if err != nil {
			return usageError(fmt.Errorf("admin member revoke-user: %w", err))
		}
		if err := hub.RevokeMemberUser(dataDir, args[0], pub); err != nil {
			return usageError(fmt.Errorf("admin member revoke-user: %w", err))
		}
		if out.json() {
			return writeJSON(cmd.OutOrStdout(), memberUserRevoked{Member: args[0], PublicKey: pub})
		}
		fmt.Fprintf(cmd.OutOrStdout(), "revoked user %s of member %s; reload the hub to apply it\n", pub, args[0])
		return nil
	}
	return cmd
}
