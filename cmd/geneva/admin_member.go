package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
)

func newAdminMemberCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "member",
		Short: "Manage members' credentials and TAXII tokens",
	}
	cmd.AddCommand(newAdminMemberAddCmd(), newAdminTokenCmd(), newAdminMemberUserCmd(), newAdminMemberRevokeUserCmd())
	return cmd
}

// memberAdded is the --output json result of member add.
type memberAdded struct {
	Member    string `json:"member"`
	Creds     string `json:"creds"`
	PublicKey string `json:"public_key"`
	Replaced  bool   `json:"replaced"`
}

func newAdminMemberAddCmd() *cobra.Command {
	var dataDir string
	var force bool
	cmd := &cobra.Command{
		Use:   "add ID --data DIR",
		Short: "Create a member's credentials file (an NKey) in the hub's data directory",
		Long: `Create DIR/creds/ID.creds, the member's credentials file (a NATS NKey user
seed, mode 0600), in the data directory of a hub on this machine.

The hub accepts the key once the member is in the MoU: add the member to the
MoU file, then reload the hub (it watches the MoU file; or send it SIGHUP).
The hub keeps existing credentials files, so the key written here is the one
it trusts. Hand the file to the member over a secure channel; whoever holds
it speaks as ID.

An existing file is never replaced unless --force is given (at the next
reload the old key is then refused and its connections are cut).

Exit status: 0 created, 1 the file could not be written, 2 usage error
(invalid id, missing --data, existing file without --force).`,
		Example: `  # Create the credentials of a new member, then add it to the MoU
  geneva admin member add acad-four --data /var/lib/geneva
  $EDITOR /etc/geneva/mou.yaml        # add "- id: acad-four ..." under members
  kill -HUP "$(pidof geneva-hub)"     # or wait: the hub watches the MoU file

  # Replace a member's lost or leaked key
  geneva admin member add bank-one --data /var/lib/geneva --force`,
	}
	out := addOutputFlag(cmd)
	cmd.PreRunE = func(*cobra.Command, []string) error { return out.check() }
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", "", "the hub's data directory (its data_dir; required)")
	f.BoolVar(&force, "force", false, "replace an existing credentials file")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usageError(errors.New("admin member add: give exactly one member ID (see --help)"))
		}
		if dataDir == "" {
			return usageError(errors.New("admin member add: --data DIR is required (the hub's data directory)"))
		}
		_, statErr := os.Stat(wire.CredsPath(dataDir, args[0]))
		path, pub, err := hub.CreateMemberCreds(dataDir, args[0], force)
		switch {
		case errors.Is(err, hub.ErrCredsExist):
			return usageError(fmt.Errorf("admin member add: %w (give --force to replace the key)", err))
		case err != nil && (!validMemberID(args[0]) || args[0] == wire.OperatorName):
			return usageError(fmt.Errorf("admin member add: %w", err)) // the caller's mistake
		case err != nil:
			return fmt.Errorf("admin member add: %w", err)
		}
		if out.json() {
			return writeJSON(cmd.OutOrStdout(), memberAdded{Member: args[0], Creds: path, PublicKey: pub, Replaced: statErr == nil})
		}
		w := cmd.OutOrStdout()
		fmt.Fprintf(w, "created %s\npublic key %s\n", path, pub)
		fmt.Fprintf(w, "next: add member %q to the MoU file, then reload the hub (it watches the file; or SIGHUP);\n", args[0])
		fmt.Fprintf(w, "      give %s to the member over a secure channel (geneva context add NAME --server URL --creds FILE)\n", path)
		return nil
	}
	return cmd
}

// validMemberID mirrors the hub's rule, to tell usage errors from I/O ones.
func validMemberID(id string) bool {
	if len(id) < 2 || len(id) > 32 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
