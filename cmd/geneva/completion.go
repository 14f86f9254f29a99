package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print the shell completion script for bash, zsh or fish",
		Long: `Print a script that teaches your shell to complete geneva's commands, flags
and flag values (context names, output formats, TLP levels). Load it once
per session, or install it as shown below.`,
		Example: `  # bash, this session / for good
  source <(geneva completion bash)
  geneva completion bash > ~/.local/share/bash-completion/completions/geneva

  # zsh (a folder on your $fpath)
  geneva completion zsh > "${fpath[1]}/_geneva"

  # fish
  geneva completion fish > ~/.config/fish/completions/geneva.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args:      exactArgs(1, "a shell: bash, zsh or fish"),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, root := cmd.OutOrStdout(), cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			}
			return usageError(fmt.Errorf("completion: unknown shell %q (want bash, zsh or fish)", args[0]))
		},
	}
}
