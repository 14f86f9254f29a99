package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/internal/version"
)

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "geneva",
		Short: "Share STIX 2.1 threat intelligence under the partnership's MoU",
		Long: `Share STIX 2.1 threat intelligence under the partnership's MoU.

Commands that talk to a hub (submit, subscribe, receipts, directory, audit,
admin) take --server URL (env GENEVA_SERVER; default nats://127.0.0.1:4222)
and --creds FILE, the member's credentials file (env GENEVA_CREDS), or a
named --context (see geneva context --help).

Exit status: 0 success, 1 failure, 2 usage error; submit also uses 3
(rejected), 4 (held for review) and 5 (partly accepted).`,
		Version:       version.String("geneva"),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.AddCommand(
		newValidateCmd(),
		newPolicyCmd(),
		newSubmitCmd(),
		newSubscribeCmd(),
		newDeadLetterCmd(),
		newReceiptsCmd(),
		newDirectoryCmd(),
		newRequestCmd(),
		newContextCmd(),
		newCompletionCmd(),
		newAuditCmd(),
		newReportCmd(),
		newAdminCmd(),
		newVersionCmd(),
	)
	rejectUnknownSubcommands(root)
	rejectUnknownHelpTopics(root)
	return root
}

// rejectUnknownHelpTopics makes "geneva help bogus" a usage error; cobra's
// help command prints the root's help and exits 0.
func rejectUnknownHelpTopics(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	help, _, err := root.Find([]string{"help"})
	if err != nil || help.Name() != "help" || help.Run == nil {
		return
	}
	show := help.Run
	help.Run = nil
	help.RunE = func(c *cobra.Command, args []string) error {
		if _, rest, err := c.Root().Find(args); err != nil || len(rest) > 0 {
			return usageError(fmt.Errorf("help: unknown command %q (see geneva --help)", strings.Join(args, " ")))
		}
		show(c, args)
		return nil
	}
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit this binary was built from",
		Args:  noArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), cmd.Root().Version)
		},
	}
}

// rejectUnknownSubcommands makes "geneva bogus" and "geneva admin bogus" a
// usage error (exit 2). Left alone, cobra fails the first with a plain error
// (exit 1) and answers the second with the group's help (exit 0).
func rejectUnknownSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		rejectUnknownSubcommands(c)
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.SuggestionsMinimumDistance = 2 // cobra's own default, which SuggestionsFor does not apply
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		hint := "see " + cmd.CommandPath() + " --help"
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			hint = "did you mean " + strings.Join(s, " or ") + "?"
		}
		name := commandName(cmd)
		if name != "" {
			name += ": "
		}
		return usageError(fmt.Errorf("%sunknown command %q (%s)", name, args[0], hint))
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
}

// commandName is the command's path without the program's name ("submit",
// "admin member add"), for error messages that main prefixes with "geneva: ".
func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()), " ")
}
