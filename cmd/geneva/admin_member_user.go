package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub"
)

// memberUserIssued is the --output json result of member user.
type memberUserIssued struct {
	Member    string `json:"member"`
	User      string `json:"user"`
	Creds     string `json:"creds"`
	PublicKey string `json:"public_key"`
}

func newAdminMemberUserCmd() *cobra.Command {
	var signingKey, outFile string
	cmd := &cobra.Command{
		Use:   "user NAME --signing-key FILE --out FILE",
		Short: "Issue NATS credentials for one of a member's own people (JWT accounts on a cluster)",
		Long: `Issue a NATS creds file (a fresh NKey and a user JWT) for a person or device of
a member, signed with the member admin's signing key. Only for a hub whose NATS
cluster runs in operator mode (geneva-hub cluster-users --jwt): the hub gives
each member's admin DATA/jwt/signing/<member>.nk.

The user can do exactly what the member can (its account's signing key is
scoped to the member's permissions) and is the member for the hub: its
submissions are the member's. No hub or server change is needed; the user
connects at once. The file is written with mode 0600 and never replaced.

Exit status: 0 issued, 1 the file could not be written, 2 usage error
(missing flags, an unreadable signing key, an existing --out file).`,
		Example: `  geneva admin member user alice --signing-key bank-one.nk --out alice.creds
  geneva context add alice --server tls://nats.example:4222 --creds alice.creds`,
	}
	out := addOutputFlag(cmd)
	cmd.PreRunE = func(*cobra.Command, []string) error { return out.check() }
	f := cmd.Flags()
	f.StringVar(&signingKey, "signing-key", "", "the member admin's signing key file (required)")
	f.StringVar(&outFile, "out", "", "where to write the user's creds file (required; must not exist)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 || signingKey == "" || outFile == "" {
			return usageError(errors.New("admin member user: give one user NAME, --signing-key FILE and --out FILE (see --help)"))
		}
		sk, err := hub.ReadSigningKey(signingKey)
		if err != nil {
			return usageError(fmt.Errorf("admin member user: %w", err))
		}
		creds, pub, err := hub.IssueMemberUser(sk, args[0])
		if err != nil {
			return fmt.Errorf("admin member user: %w", err)
		}
		fh, err := os.OpenFile(outFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return usageError(fmt.Errorf("admin member user: %s exists; choose another --out", outFile))
		} else if err != nil {
			return fmt.Errorf("admin member user: %w", err)
		}
		if _, err := fh.Write(creds); err != nil {
			fh.Close()
			return fmt.Errorf("admin member user: %s: %w", outFile, err)
		}
		if err := fh.Close(); err != nil {
			return fmt.Errorf("admin member user: %s: %w", outFile, err)
		}
		if out.json() {
			return writeJSON(cmd.OutOrStdout(), memberUserIssued{Member: sk.Member, User: args[0], Creds: outFile, PublicKey: pub})
		}
		fmt.Fprintf(cmd.OutOrStdout(), "issued %s: user %q of member %s, public key %s\n", outFile, args[0], sk.Member, pub)
		return nil
	}
	return cmd
}
