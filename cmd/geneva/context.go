package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// A context names a hub and the credentials to use there, like natscli's
// contexts: one JSON file per context under $XDG_CONFIG_HOME/geneva/contexts
// (~/.config/geneva/contexts), and the selected one's name in
// $XDG_CONFIG_HOME/geneva/context.
type hubContext struct {
	Name        string `json:"-"`
	Server      string `json:"server"`
	Creds       string `json:"creds"`
	Description string `json:"description,omitempty"`
}

var contextNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

func configDir() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "geneva"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no config folder: set XDG_CONFIG_HOME or HOME: %w", err)
	}
	return filepath.Join(home, ".config", "geneva"), nil
}

func contextFile(name string) (string, error) {
	if !contextNameRE.MatchString(name) {
		return "", fmt.Errorf("context name %q: want letters, digits, '.', '_' or '-' (at most 64)", name)
	}
	dir, err := configDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "contexts", name+".json"), nil
}

func loadContext(name string) (hubContext, error) {
	path, err := contextFile(name)
	if err != nil {
		return hubContext{}, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		known, _ := contextNames()
		hint := "add it with `geneva context add " + name + " --server URL --creds FILE`"
		if len(known) > 0 {
			hint = "known: " + strings.Join(known, ", ")
		}
		return hubContext{}, fmt.Errorf("no context %q (%s)", name, hint)
	}
	if err != nil {
		return hubContext{}, fmt.Errorf("context %q: %w", name, err)
	}
	c := hubContext{Name: name}
	if err := json.Unmarshal(data, &c); err != nil {
		return hubContext{}, fmt.Errorf("context %q: %s: %w", name, path, err)
	}
	return c, nil
}

func saveContext(c hubContext) error {
	path, err := contextFile(c.Name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(c, "", "  ")
	return writeFileAtomic(path, append(data, '\n'))
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func contextNames() ([]string, error) {
	dir, err := configDir()
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(dir, "contexts"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// selectedContext is the name `geneva context use` chose, or "".
func selectedContext() (string, error) {
	dir, err := configDir()
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(dir, "context"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return strings.TrimSpace(string(data)), err
}

func selectContext(name string) error {
	dir, err := configDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if name == "" {
		err := os.Remove(filepath.Join(dir, "context"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "context"), []byte(name+"\n"))
}

func newContextCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "context",
		Short: "Name hubs and credentials, and choose which one commands use",
		Long: `A context names a hub (--server) and the member credentials to use there
(--creds), so that you need not repeat them. Contexts live in
$XDG_CONFIG_HOME/geneva/contexts (default ~/.config/geneva/contexts), one JSON
file each; the selected context is used when neither --context nor
GENEVA_CONTEXT says otherwise. --server, --creds and their environment twins
GENEVA_SERVER and GENEVA_CREDS override single fields of it.`,
		Example: `  geneva context add dev --server nats://127.0.0.1:4222 --creds ./geneva-data/creds/bank-one.creds --select
  geneva context ls
  geneva context use prod
  geneva --context dev subscribe`,
	}
	cmd.AddCommand(newContextAddCmd(), newContextUseCmd(), newContextLsCmd(), newContextRmCmd())
	return cmd
}

func newContextAddCmd() *cobra.Command {
	var c hubContext
	var sel bool
	cmd := &cobra.Command{
		Use:   "add NAME --server URL --creds FILE [--description TEXT] [--select]",
		Short: "Add or replace a context",
		Example: `  geneva context add dev --server nats://127.0.0.1:4222 --creds ./geneva-data/creds/bank-one.creds
  geneva context add prod --server tls://hub.example.org:4222 --creds ~/.secrets/bank-one.creds --description "Partnership hub" --select`,
		Args: exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c.Name = args[0]
			if c.Server == "" || c.Creds == "" {
				return usageError(errors.New("context add: --server URL and --creds FILE are both required"))
			}
			abs, err := filepath.Abs(c.Creds)
			if err != nil {
				return usageError(err)
			}
			if _, err := os.Stat(abs); err != nil {
				return usageError(fmt.Errorf("context add: --creds: %w", err))
			}
			c.Creds = abs
			if err := saveContext(c); err != nil {
				return usageError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "context %q: %s as %s\n", c.Name, c.Server, c.Creds)
			if sel {
				if err := selectContext(c.Name); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "selected context %q\n", c.Name)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Server, "server", "", "hub URL, e.g. nats://127.0.0.1:4222")
	f.StringVar(&c.Creds, "creds", "", "the member's credentials file (stored as an absolute path)")
	f.StringVar(&c.Description, "description", "", "a note shown by `geneva context ls`")
	f.BoolVar(&sel, "select", false, "also make it the selected context")
	return cmd
}

func newContextUseCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "use NAME",
		Short:             "Select the context commands use by default",
		Example:           `  geneva context use prod`,
		Args:              exactArgs(1, "NAME"),
		ValidArgsFunction: completeContexts,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := loadContext(args[0]); err != nil {
				return usageError(err)
			}
			if err := selectContext(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "selected context %q\n", args[0])
			return nil
		},
	}
}

func newContextLsCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List contexts; * marks the selected one",
		Example: `  geneva context ls`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names, err := contextNames()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(names) == 0 {
				fmt.Fprintln(out, "no contexts yet (add one with `geneva context add NAME --server URL --creds FILE`)")
				return nil
			}
			cur, err := selectedContext()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "\tNAME\tSERVER\tCREDS\tDESCRIPTION")
			for _, n := range names {
				c, err := loadContext(n)
				if err != nil {
					fmt.Fprintf(tw, "\t%s\t(%v)\t\t\n", n, err)
					continue
				}
				mark := ""
				if n == cur {
					mark = "*"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mark, n, c.Server, c.Creds, c.Description)
			}
			return tw.Flush()
		},
	}
}

func newContextRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "rm NAME",
		Short:             "Remove a context (the credentials file stays)",
		Example:           `  geneva context rm old-hub`,
		Args:              exactArgs(1, "NAME"),
		ValidArgsFunction: completeContexts,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := loadContext(args[0]); err != nil {
				return usageError(err)
			}
			path, _ := contextFile(args[0])
			if err := os.Remove(path); err != nil {
				return err
			}
			if cur, _ := selectedContext(); cur == args[0] {
				if err := selectContext(""); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed context %q\n", args[0])
			return nil
		},
	}
}

// exactArgs is cobra.ExactArgs with a usage error that names what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError(fmt.Errorf("%s: want %s, got %d argument(s) (see --help)", commandName(cmd), what, len(args)))
		}
		return nil
	}
}

func completeContexts(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names, _ := contextNames()
	return names, cobra.ShellCompDirectiveNoFileComp
}
