package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "geneva",
		Short:         "Share STIX 2.1 threat intelligence under the partnership's MoU",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
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
		newContextCmd(),
		newCompletionCmd(),
		newAuditCmd(),
		newReportCmd(),
		newAdminCmd(),
	)
	return root
}
