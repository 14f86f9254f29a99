package main

import "github.com/spf13/cobra"

// TODO(policy): geneva policy explain|check.
func newPolicyCmd() *cobra.Command {
	return &cobra.Command{Use: "policy", Short: "Explain policy decisions and check MoU files"}
}
