package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/deadletter"
)

// stateDir is where geneva keeps a member's own state:
// $XDG_STATE_HOME/geneva/<member> (default ~/.local/state/geneva/<member>).
func stateDir(member string) (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no state folder: set XDG_STATE_HOME or HOME, or give --dead-letter: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "geneva", deadletter.SafeName(member)), nil
}

func newDeadLetterCmd() *cobra.Command {
	var dir string
	var conn *connFlags
	cmd := &cobra.Command{
		Use:   "deadletter",
		Short: "List and replay messages a reader could not handle",
		Long: `A reader that cannot handle one message sets it aside as a dead letter and
goes on with the next, so one bad message never stops it. Each reader keeps
its dead letters under its own folder (--dir):

  geneva subscribe       $XDG_STATE_HOME/geneva/<member> (the default here;
                         ~/.local/state/geneva/<member>), queue "subscribe"
  geneva-connector       its spool directory, one queue per sink: sink-<name>
  geneva-hub archive     its data directory, queue "archive"

A dead letter is <dir>/deadletter/<queue>/<name>.json, the message as it came,
with <name>.why (one line: reason; attempts; time) and <name>.headers (the TLP,
sender, ... it came with). Replay moves it to <dir>/replay/<queue>/, where the
reader takes it: a running connector's sink when it is idle (it looks every
2 seconds), geneva subscribe first thing when it next starts. If the reader fails on it again, it comes back
as a dead letter; edit the .json first to replay a repaired message. The
archive bridge's dead letters are listed, not replayed (docs/archive.md).`,
	}
	pflags := cmd.PersistentFlags()
	pflags.StringVar(&dir, "dir", "", "the reader's folder (default: geneva subscribe's, for the member of --creds)")
	conn = &connFlags{}
	pflags.StringVar(&conn.creds, "creds", "", "the member's credentials file, to find geneva subscribe's folder (env GENEVA_CREDS; default from the context)")
	pflags.StringVar(&conn.context, "context", "", "use this named context (env GENEVA_CONTEXT; default the selected one)")
	root := func() (string, error) {
		if dir != "" {
			return dir, nil
		}
		_, creds, err := conn.resolve()
		if err != nil {
			return "", err
		}
		m, err := wire.CredsMember(creds)
		if err != nil {
			return "", err
		}
		return stateDir(m)
	}
	list := &cobra.Command{
		Use:   "list [--dir DIR]",
		Short: "List dead letters: queue, name, when, attempts, reason",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := root()
			if err != nil {
				return err
			}
			ls, err := deadletter.List(r)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(ls) == 0 {
				fmt.Fprintf(out, "no dead letters in %s\n", r)
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "QUEUE/NAME\tWHEN\tATTEMPTS\tBYTES\tREASON")
			for _, l := range ls {
				fmt.Fprintf(tw, "%s/%s\t%s\t%d\t%d\t%s\n", l.Queue, l.Name, l.Time.Local().Format(time.DateTime), l.Attempts, l.Size, l.Reason)
			}
			return tw.Flush()
		},
	}
	var all bool
	replay := &cobra.Command{
		Use:   "replay [--dir DIR] (QUEUE/NAME... | --all)",
		Short: "Hand dead letters back to their reader",
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return usageError(errors.New("give QUEUE/NAME arguments (see geneva deadletter list) or --all"))
			}
			r, err := root()
			if err != nil {
				return err
			}
			if all {
				ls, err := deadletter.List(r)
				if err != nil {
					return err
				}
				for _, l := range ls {
					args = append(args, l.Queue+"/"+l.Name)
				}
			}
			for _, a := range args {
				q, n, ok := strings.Cut(a, "/")
				if !ok {
					return usageError(fmt.Errorf("%q: want QUEUE/NAME, as geneva deadletter list shows", a))
				}
				if q == archive.DeadLetterQueue {
					// Kafka readers rely on (nats-seq, index) rising within a
					// partition: an old part written now would read as a late copy.
					return fmt.Errorf("%s: the archive bridge does not replay: it writes in stream order, and the part's place is behind the topic's end; the part stays in GENEVA_SHARE until retention (docs/archive.md)", a)
				}
				if err := deadletter.Replay(r, q, strings.TrimSuffix(n, ".json")); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "replaying %s\n", a)
			}
			return nil
		},
	}
	replay.Flags().BoolVar(&all, "all", false, "replay every dead letter in --dir")
	cmd.AddCommand(list, replay)
	return cmd
}
