package main

import "github.com/spf13/cobra"

// TODO(schemas): geneva validate.
func newValidateCmd() *cobra.Command {
	return &cobra.Command{Use: "validate", Short: "Validate STIX 2.1 documents"}
}
