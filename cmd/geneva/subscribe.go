package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/policy/tlp"
)

type subscribeOptions struct {
	member.SubscribeOptions
	newOnly    bool
	since      string
	count      int
	output     string
	deadLetter string
}

func newSubscribeCmd() *cobra.Command {
	var o subscribeOptions
	var conn *connFlags
	cmd := &cobra.Command{
		Use:   "subscribe [--type T] [--tlp L] [--from M] [--community C] [--new|--since 2h|--all] [--count N] [--output pretty|json|table]",
		Short: "Follow in real time what the partnership shares with your member",
		Long: `Print each STIX object policy routes to your member, as it arrives. The
subscription is a view of its own: it takes nothing from your member's inbox,
so your connector still receives everything. It survives hub restarts and
reconnects without losing or repeating an object. Ctrl-C ends it.

Start: --new (the default) shows what arrives from now on; --since 2h or
--since 2026-11-01T00:00:00Z starts with what the hub received since then;
--all starts with the oldest share the hub keeps.

Filters (repeat a flag or separate values with commas to allow several):
--type (STIX type, e.g. indicator), --tlp (clear, green, amber, amber+strict,
red), --from (sending member, or "anonymous"), --community. Marking
definitions are left out unless --type asks for them: the TLP label says it.

Output: pretty (the default on a terminal) shows time, TLP label in the
colours of FIRST's TLP 2.0, type, name or value, sender and the first line
of the description; json (the default when piped) prints one line per object:
{"seq","submission","sender","tlp","scope","received","object"}; table
prints aligned columns. NO_COLOR turns colours off.

A share that cannot be read (not a STIX bundle, say) does not stop the
subscription: one line on stderr names it, it is kept as a dead letter in
--dead-letter (see geneva deadletter) and the objects after it follow.
Replayed dead letters are shown first when subscribe starts.

Exit status: 0 (also on Ctrl-C and after --count objects), 1 when the hub
refuses or cannot be reached at the start, 2 usage, 5 when one or more
shares were skipped (each named on stderr).`,
		Example: `  # Watch everything new
  geneva subscribe

  # Indicators at TLP:AMBER or above from the last two hours, then live
  geneva subscribe --type indicator --tlp amber,amber+strict,red --since 2h

  # What bank-one shared with the finance community, as JSON lines
  geneva subscribe --from bank-one --community finance --output json | jq .object.name

  # The first ten objects the hub still keeps, then stop
  geneva subscribe --all --count 10 --output table`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSubscribe(cmd, conn, o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.Types, "type", nil, "only these STIX object types")
	f.StringSliceVar(&o.TLP, "tlp", nil, "only these TLP levels")
	f.StringSliceVar(&o.From, "from", nil, "only from these members")
	f.StringSliceVar(&o.Community, "community", nil, "only shares addressed to these communities")
	f.BoolVar(&o.newOnly, "new", false, "start with what arrives from now on (the default)")
	f.StringVar(&o.since, "since", "", "start with what the hub received since this long ago (2h, 30m, 7d) or since an RFC 3339 time")
	f.BoolVar(&o.All, "all", false, "start with the oldest share the hub keeps")
	f.IntVar(&o.count, "count", 0, "stop after this many objects (0: never)")
	f.StringVar(&o.output, "output", "", "output format: pretty, json or table (default pretty on a terminal, else json)")
	f.StringVar(&o.deadLetter, "dead-letter", "", "keep shares that cannot be read under this folder (default $XDG_STATE_HOME/geneva/<member>)")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("pretty", "json", "table"))
	_ = cmd.RegisterFlagCompletionFunc("tlp", fixedCompletions("clear", "green", "amber", "amber+strict", "red"))
	_ = cmd.RegisterFlagCompletionFunc("type", fixedCompletions("attack-pattern", "campaign", "course-of-action",
		"identity", "indicator", "infrastructure", "intrusion-set", "malware", "note", "observed-data", "report",
		"sighting", "threat-actor", "tool", "vulnerability", "domain-name", "ipv4-addr", "ipv6-addr", "url", "file"))
	conn = addConnFlags(cmd)
	return cmd
}

func runSubscribe(cmd *cobra.Command, conn *connFlags, o subscribeOptions) error {
	out := cmd.OutOrStdout()
	terminal := isTerminal(out)
	if o.output == "" {
		o.output = "json"
		if terminal {
			o.output = "pretty"
		}
	}
	if o.output != "pretty" && o.output != "json" && o.output != "table" {
		return usageError(fmt.Errorf("--output %q: want pretty, json or table", o.output))
	}
	starts := 0
	for _, set := range []bool{o.newOnly, o.since != "", o.All} {
		if set {
			starts++
		}
	}
	if starts > 1 {
		return usageError(errors.New("give only one of --new, --since and --all"))
	}
	if o.count < 0 {
		return usageError(fmt.Errorf("--count %d: want 0 (no limit) or more", o.count))
	}
	if o.since != "" {
		t, err := parseSince(o.since, time.Now())
		if err != nil {
			return usageError(fmt.Errorf("--since: %w", err))
		}
		o.Since = t
	}
	for _, l := range o.TLP {
		if _, err := tlp.ParseLevel(l); err != nil {
			return usageError(fmt.Errorf("--tlp %q: want clear, green, amber, amber+strict or red", l))
		}
	}
	showMarkings := false
	for _, t := range o.Types {
		showMarkings = showMarkings || t == "marking-definition"
	}
	ctx := cmd.Context()
	c, err := conn.dial(ctx, 10*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if terminal {
		stderr := cmd.ErrOrStderr()
		o.OnResume = func(uint64) {
			fmt.Fprintf(stderr, "resumed at %s after an interruption (reconnect or hub restart); nothing missed or repeated\n", time.Now().Format("15:04:05"))
		}
	}
	start, cancel := context.WithTimeout(ctx, 10*time.Second)
	sub, err := c.Subscribe(start, o.SubscribeOptions)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil // Ctrl-C while starting
		}
		return err
	}
	defer sub.Close()
	p := objectPrinter{w: out, output: o.output, color: wantColor(terminal)}
	// Always said (on stderr, so piped output stays clean): a script or a
	// test knows from it that the subscription is live.
	fmt.Fprintf(cmd.ErrOrStderr(), "subscribed to %s as %s; Ctrl-C to stop\n", c.Server(), c.Member())
	root := o.deadLetter
	if root == "" {
		if root, err = stateDir(c.Member()); err != nil {
			return err
		}
	}
	sk := skipper{root: root, w: cmd.ErrOrStderr()}
	n := 0
	show := func(obj member.Object) error {
		if obj.Type == "marking-definition" && !showMarkings {
			return nil
		}
		if len(o.Types) > 0 && !slices.Contains(o.Types, obj.Type) {
			return nil
		}
		n++
		return p.print(withRequestState(ctx, c, obj))
	}
	if err := sk.replays(show); err != nil {
		return err
	}
	for o.count == 0 || n < o.count {
		obj, err := sub.Next(ctx)
		var skipped *member.SkippedError
		switch {
		case errors.As(err, &skipped):
			if err := sk.skip(skipped); err != nil {
				return err
			}
			continue
		case err != nil && ctx.Err() != nil:
			return sk.status() // Ctrl-C: a clean end, whatever the shutdown surfaced as
		case err != nil:
			return err
		}
		if err := show(obj); err != nil {
			return err
		}
	}
	return sk.status()
}

// objectPrinter writes subscribed objects in one of the output formats.
type objectPrinter struct {
	w       io.Writer
	output  string
	color   bool
	started bool
}

func (p *objectPrinter) print(o member.Object) error {
	switch p.output {
	case "json":
		return writeObjectLine(p.w, o)
	case "table":
		if !p.started {
			fmt.Fprintf(p.w, "%-19s  %-16s  %-20s  %-40s  %s\n", "RECEIVED", "TLP", "TYPE", "NAME", "FROM")
			p.started = true
		}
		_, err := fmt.Fprintf(p.w, "%-19s  %-16s  %-20s  %-40s  %s\n", o.Received.Local().Format("2006-01-02 15:04:05"),
			tlpLabel(o.TLP), clip(o.Type, 20), clip(o.Name, 40), o.Sender)
		return err
	}
	// Pad before colouring: escape codes have no width.
	label := tlpLabel(o.TLP)
	pad := strings.Repeat(" ", max(len("TLP:AMBER+STRICT")-len(label), 0))
	if p.color {
		label = colorTLP(o.TLP, label)
	}
	line := fmt.Sprintf("%s  %s%s  %-14s  %s  from %s", o.Received.Local().Format("15:04:05"), label, pad, o.Type, clip(o.Name, 80), o.Sender)
	if d := firstLine(o.Description); d != "" {
		line += "  " + clip(d, 100)
	}
	_, err := fmt.Fprintln(p.w, line)
	return err
}

// tlpLabel is the label FIRST prescribes: TLP:RED, TLP:AMBER+STRICT, ...
func tlpLabel(level string) string {
	if l, err := tlp.ParseLevel(level); err == nil {
		return l.Label()
	}
	return "TLP:" + strings.ToUpper(level)
}

// FIRST's TLP 2.0 colours (https://www.first.org/tlp/): the label in its
// colour on a black background. RGB for true-colour terminals.
var tlpColors = map[string]string{
	"red":          "255;43;43",   // #FF2B2B
	"amber":        "255;192;0",   // #FFC000
	"amber+strict": "255;192;0",   // #FFC000
	"green":        "51;255;0",    // #33FF00
	"clear":        "255;255;255", // #FFFFFF
}

func colorTLP(level, label string) string {
	rgb, ok := tlpColors[level]
	if !ok {
		return label
	}
	return "\x1b[1;38;2;" + rgb + ";48;2;0;0;0m" + label + "\x1b[0m"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// clip shortens s to n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// wantColor: colours on a terminal, unless NO_COLOR is set to anything
// (https://no-color.org).
func wantColor(terminal bool) bool { return terminal && os.Getenv("NO_COLOR") == "" }

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
