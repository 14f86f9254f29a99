package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// requestCmd holds what every request subcommand shares.
type requestCmd struct {
	conn    *connFlags
	output  string
	timeout time.Duration
}

func newRequestCmd() *cobra.Command {
	rc := &requestCmd{}
	cmd := &cobra.Command{
		Use:   "request send|list|show|ack|respond|extend|close",
		Short: "Send, answer and follow law-enforcement requests (preservation, information, assistance, takedown)",
		Long: `Requests between members, tracked by the hub (docs/requests.md). A request is
a geneva-request STIX object sent at TLP:AMBER+STRICT (or RED) to named
members; the recipient acknowledges it and answers with geneva-response
objects (fulfilled, partially fulfilled, declined with a reason, or asks
for more time); the requester may extend it and closes it. The hub keeps
each request's state per recipient (open, acknowledged, overdue, answered,
closed) and re-sends an unacknowledged one to the recipient's 24/7 desk.

Exit status: 0 done, 3 the hub refused the submission (the receipt says
why), 1 hub unreachable or an error from the hub, 2 usage.`,
		Example: `  # le-alpha asks isp-two to preserve logs (Budapest Convention Art. 29)
  geneva request send --kind preservation --to isp-two --observable ipv4-addr:198.51.100.7 \
    --summary "Preserve connection logs" --legal-basis "Budapest Convention Art. 29" \
    --reference NCU-2026-0412 --unit "Alpha National Cybercrime Unit" --jurisdiction NO \
    --deadline 48h --offence Ransomware --facts "A hospital was encrypted" \
    --data "NAT and connection logs" --relation "The attackers' address" \
    --custodian "ISP Two, AS64500" --necessity "Logs rotate in 14 days" --mutual-assistance

  # isp-two: what is asked of me, acknowledge, answer
  geneva request list
  geneva request ack geneva-request--...
  geneva request respond geneva-request--... --status fulfilled`,
	}
	f := cmd.PersistentFlags()
	f.StringVar(&rc.output, "output", "text", "output format: text, table (list) or json")
	f.DurationVar(&rc.timeout, "timeout", 30*time.Second, "give up when the hub has not answered within this time")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("text", "table", "json"))
	rc.conn = connFlagsOn(cmd, cmd.PersistentFlags())
	cmd.AddCommand(rc.sendCmd(), rc.listCmd(), rc.showCmd(), rc.ackCmd(), rc.respondCmd(), rc.extendCmd(), rc.closeCmd())
	return cmd
}

// session is one connection to the hub for a subcommand.
type session struct {
	ctx    context.Context
	cancel context.CancelFunc
	c      *member.Client
	rc     *requestCmd
	out    io.Writer
}

func (rc *requestCmd) open(cmd *cobra.Command, outputs ...string) (*session, error) {
	if !slices.Contains(outputs, rc.output) {
		return nil, usageError(fmt.Errorf("--output %q: want %s", rc.output, strings.Join(outputs, " or ")))
	}
	if rc.timeout <= 0 {
		return nil, usageError(fmt.Errorf("--timeout %v: want a positive duration, e.g. 30s", rc.timeout))
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), rc.timeout)
	c, err := rc.conn.dial(ctx, rc.timeout)
	if err != nil {
		cancel()
		return nil, err
	}
	return &session{ctx: ctx, cancel: cancel, c: c, rc: rc, out: cmd.OutOrStdout()}, nil
}

func (s *session) close() { s.c.Close(); s.cancel() }

// identity is the member's own STIX identity, from the directory.
func (s *session) identity() (string, error) {
	ms, err := s.c.Directory(s.ctx, directory.Query{})
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if m.ID == s.c.Member() && m.Identity != "" {
			return m.Identity, nil
		}
	}
	return "", fmt.Errorf("the directory has no identity for %s", s.c.Member())
}

// states are the hub's states of request id that the member may see.
func (s *session) states(id string) ([]requests.State, error) {
	return s.c.Requests(s.ctx, wire.RequestsQuery{Action: "show", Request: id})
}

// submit sends a bundle to the named members and reports its receipt.
func (s *session) submit(bundle []byte, to []string, what string) error {
	res, err := s.c.Submit(s.ctx, bundle, member.SubmitOptions{To: to})
	if err != nil {
		return err
	}
	if s.rc.output == "json" {
		if err := writeJSONLine(s.out, map[string]any{"sent": what, "receipt": res.Receipt}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(s.out, "%s, to %s\n", what, strings.Join(to, ", "))
		writeReceipt(s.out, res.Receipt)
	}
	return verdictExit(res.Receipt.Verdict)
}

// when reads a time: RFC 3339, or a duration from now ("48h").
func when(flag, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, usageError(fmt.Errorf("--%s %q: want an RFC 3339 time (2026-12-09T09:00:00Z) or a duration from now (48h)", flag, v))
	}
	return t, nil
}

func (rc *requestCmd) sendCmd() *cobra.Command {
	var r requests.Request
	var to, observables []string
	var deadline, start, end, level string
	cmd := &cobra.Command{
		Use:   "send --kind KIND --to MEMBER[,MEMBER] --observable TYPE:VALUE ... [flags]",
		Short: "Send a request to named members",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lv, err := tlp.ParseLevel(level)
			if err != nil {
				return usageError(fmt.Errorf("--tlp %q: %v", level, err))
			}
			if len(to) == 0 || len(observables) == 0 {
				return usageError(errors.New("--to and --observable are required"))
			}
			now := time.Now().UTC().Truncate(time.Millisecond)
			if r.Deadline, err = when("deadline", deadline, now); err != nil {
				return err
			}
			if r.WindowStart, err = when("window-start", start, now); err != nil {
				return err
			}
			if r.WindowEnd, err = when("window-end", end, now); err != nil {
				return err
			}
			objs := []map[string]any{nil}
			for _, spec := range observables {
				o, err := requests.Observable(spec, lv)
				if err != nil {
					return usageError(err)
				}
				r.ObservableRefs = append(r.ObservableRefs, o["id"].(string))
				objs = append(objs, o)
			}
			s, err := rc.open(cmd, "text", "json")
			if err != nil {
				return err
			}
			defer s.close()
			if r.CreatedBy, err = s.identity(); err != nil {
				return err
			}
			r.ID, r.Created = requests.NewID(schemas.TypeRequest), now
			objs[0] = r.Object(lv)
			bundle, err := requests.Bundle(objs...)
			if err != nil {
				return err
			}
			return s.submit(bundle, to, fmt.Sprintf("%s request %s", r.Kind, r.ID))
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.Kind, "kind", "", "preservation, information, assistance or takedown")
	f.StringSliceVar(&to, "to", nil, "the members asked, comma-separated")
	f.StringArrayVar(&observables, "observable", nil, "what the request concerns, TYPE:VALUE (ipv4-addr, ipv6-addr, domain-name, url, email-addr, user-account:USER_ID, file:SHA-256); repeat")
	f.StringVar(&r.Summary, "summary", "", "what is asked, in a sentence or two")
	f.StringVar(&r.LegalBasis, "legal-basis", "", "the law or treaty the request rests on")
	f.StringVar(&r.LegalReference, "reference", "", "your case or file reference")
	f.StringVar(&r.RequestingUnit, "unit", "", "the requesting authority or unit")
	f.StringVar(&r.Jurisdiction, "jurisdiction", "", "ISO 3166-1 alpha-2 code of your jurisdiction, e.g. NO")
	f.StringVar(&deadline, "deadline", "", "when an answer is needed: RFC 3339, or a duration from now (48h)")
	f.StringVar(&start, "window-start", "", "start of the time window concerned (RFC 3339 or -72h)")
	f.StringVar(&end, "window-end", "", "end of the time window concerned")
	f.StringVar(&level, "tlp", "amber+strict", "amber+strict or red")
	f.StringVar(&r.Offence, "offence", "", "preservation: the offence (Art. 29(2)(b))")
	f.StringVar(&r.FactsSummary, "facts", "", "preservation: a brief summary of the facts (Art. 29(2)(b))")
	f.StringVar(&r.DataToPreserve, "data", "", "preservation: the stored data to preserve (Art. 29(2)(c))")
	f.StringVar(&r.RelationToOffence, "relation", "", "preservation: its relation to the offence (Art. 29(2)(c))")
	f.StringVar(&r.Custodian, "custodian", "", "preservation: its custodian or the system's location (Art. 29(2)(d))")
	f.StringVar(&r.Necessity, "necessity", "", "preservation: why preservation is needed (Art. 29(2)(e))")
	f.BoolVar(&r.MutualAssistanceToFollow, "mutual-assistance", false, "preservation: a request for mutual assistance will follow (Art. 29(2)(f))")
	f.IntVar(&r.PreservationDays, "preservation-days", schemas.MinPreservationDays, "preservation: days to preserve, at least 60 (Art. 29(7))")
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletions(schemas.RequestKinds...))
	return cmd
}

// statesCmd is a subcommand that asks the tracker and prints the states
// it answers with: list, show and close.
func (rc *requestCmd) statesCmd(use, short string, args cobra.PositionalArgs, detail bool, query func(args []string) wire.RequestsQuery) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := rc.open(cmd, "text", "table", "json")
			if err != nil {
				return err
			}
			defer s.close()
			states, err := s.c.Requests(s.ctx, query(args))
			if err != nil {
				return err
			}
			return writeStates(s.out, rc.output, states, detail)
		},
	}
}

func (rc *requestCmd) listCmd() *cobra.Command {
	return rc.statesCmd("list", "The requests you sent or received, with their state", noArgs, false,
		func([]string) wire.RequestsQuery { return wire.RequestsQuery{Action: "list"} })
}

func (rc *requestCmd) showCmd() *cobra.Command {
	return rc.statesCmd("show REQUEST_ID", "One request: what was asked, and its state with each recipient", cobra.ExactArgs(1), true,
		func(args []string) wire.RequestsQuery { return wire.RequestsQuery{Action: "show", Request: args[0]} })
}

func (rc *requestCmd) closeCmd() *cobra.Command {
	return rc.statesCmd("close REQUEST_ID", "Close a request you sent", cobra.ExactArgs(1), false,
		func(args []string) wire.RequestsQuery { return wire.RequestsQuery{Action: "close", Request: args[0]} })
}

// respond sends a response to request id, which the member received.
func (s *session) respond(id string, edit func(*requests.Response)) error {
	states, err := s.states(id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(states, func(st requests.State) bool { return st.Recipient == s.c.Member() })
	if i < 0 {
		return fmt.Errorf("request %s was not sent to %s", id, s.c.Member())
	}
	me, err := s.identity()
	if err != nil {
		return err
	}
	lv, _ := tlp.ParseLevel(states[i].TLP)
	r := requests.Response{ID: requests.NewID(schemas.TypeResponse), CreatedBy: me, Created: time.Now().UTC().Truncate(time.Millisecond), RequestRef: id}
	edit(&r)
	bundle, err := requests.Bundle(r.Object(lv))
	if err != nil {
		return err
	}
	return s.submit(bundle, []string{states[i].Requester}, fmt.Sprintf("response %s (%s) to %s", r.ID, r.Status, id))
}

func (rc *requestCmd) ackCmd() *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "ack REQUEST_ID",
		Short: "Acknowledge a request you received",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := rc.open(cmd, "text", "json")
			if err != nil {
				return err
			}
			defer s.close()
			return s.respond(args[0], func(r *requests.Response) { r.Status, r.Note = requests.StatusAcknowledged, note })
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note for the requester")
	return cmd
}

func (rc *requestCmd) respondCmd() *cobra.Command {
	var status, reason, note, deadline, until string
	cmd := &cobra.Command{
		Use:   "respond REQUEST_ID --status STATUS [--reason TEXT] [--deadline T] [--preserved-until T]",
		Short: "Answer a request you received: fulfilled, partially-fulfilled, declined, or extension-requested",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(schemas.ResponseStatuses, status) {
				return usageError(fmt.Errorf("--status %q: want one of %s", status, strings.Join(schemas.ResponseStatuses, ", ")))
			}
			now := time.Now().UTC()
			asked, err := when("deadline", deadline, now)
			if err != nil {
				return err
			}
			kept, err := when("preserved-until", until, now)
			if err != nil {
				return err
			}
			s, err := rc.open(cmd, "text", "json")
			if err != nil {
				return err
			}
			defer s.close()
			return s.respond(args[0], func(r *requests.Response) {
				r.Status, r.Reason, r.Note, r.RequestedDeadline, r.PreservedUntil = status, reason, note, asked, kept
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&status, "status", "", strings.Join(schemas.ResponseStatuses, ", "))
	f.StringVar(&reason, "reason", "", "why (required when declined)")
	f.StringVar(&note, "note", "", "a note for the requester")
	f.StringVar(&deadline, "deadline", "", "extension-requested: the deadline you ask for (RFC 3339 or a duration from now)")
	f.StringVar(&until, "preserved-until", "", "fulfilled preservation: until when the data is kept (default: the days asked)")
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletions(schemas.ResponseStatuses...))
	return cmd
}

func (rc *requestCmd) extendCmd() *cobra.Command {
	var deadline string
	var days int
	cmd := &cobra.Command{
		Use:   "extend REQUEST_ID --deadline T [--preservation-days N]",
		Short: "Give the recipients of your request more time, or preserve for longer",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now().UTC().Truncate(time.Millisecond)
			d, err := when("deadline", deadline, now)
			if err != nil {
				return err
			}
			s, err := rc.open(cmd, "text", "json")
			if err != nil {
				return err
			}
			defer s.close()
			states, err := s.states(args[0])
			if err != nil {
				return err
			}
			var to []string
			for _, st := range states {
				if st.Requester == s.c.Member() && st.Phase != requests.Closed {
					to = append(to, st.Recipient)
				}
			}
			if len(to) == 0 {
				return fmt.Errorf("request %s: %s sent it to nobody who has not closed it", args[0], s.c.Member())
			}
			r := states[0].Detail
			r.Modified = now
			if !d.IsZero() {
				r.Deadline = d
			}
			if days > 0 {
				r.PreservationDays = days
			}
			lv, _ := tlp.ParseLevel(states[0].TLP)
			objs := []map[string]any{r.Object(lv)}
			bundle, err := requests.Bundle(objs...)
			if err != nil {
				return err
			}
			return s.submit(bundle, to, fmt.Sprintf("request %s extended to %s", r.ID, r.Deadline.Format(time.RFC3339)))
		},
	}
	cmd.Flags().StringVar(&deadline, "deadline", "", "the new deadline (RFC 3339 or a duration from now)")
	cmd.Flags().IntVar(&days, "preservation-days", 0, "preservation: the new number of days to preserve")
	return cmd
}

// writeStates prints request states: a table, one line each (text), or
// JSON; detail adds what was asked and every transition.
func writeStates(w io.Writer, output string, states []requests.State, detail bool) error {
	switch output {
	case "json":
		return writeJSONLine(w, states)
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REQUEST\tKIND\tFROM\tTO\tSTATE\tSTATUS\tOPENED\tACK DUE\tDEADLINE")
		for _, s := range states {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Request, s.Kind, s.Requester, s.Recipient, s.Phase,
				orDash(s.Status), stampOf(s.Opened), stampOf(s.AckDue), stampOf(s.Deadline))
		}
		return tw.Flush()
	}
	if len(states) == 0 {
		fmt.Fprintln(w, "no requests")
	}
	for i, s := range states {
		if detail && (i == 0 || states[i-1].Request != s.Request) {
			d := s.Detail
			fmt.Fprintf(w, "%s: %s request from %s (%s, %s)\n", s.Request, s.Kind, s.Requester, d.RequestingUnit, d.Jurisdiction)
			fmt.Fprintf(w, "  summary:     %s\n  legal basis: %s (reference %s)\n  observables: %s\n", d.Summary, d.LegalBasis, d.LegalReference, strings.Join(d.ObservableRefs, ", "))
			if s.Kind == "preservation" {
				fmt.Fprintf(w, "  offence:     %s\n  data:        %s\n  custodian:   %s\n  preserve:    %d days\n", d.Offence, d.DataToPreserve, d.Custodian, s.PreservationDays)
			}
		}
		fmt.Fprintln(w, stateLine(s))
		if detail {
			for _, tr := range s.Transitions {
				fmt.Fprintf(w, "    %s  %-20s %-13s by %s\n", stampOf(tr.At), tr.Event, tr.To, tr.By)
			}
		}
	}
	return nil
}

// stateLine is one request with one recipient, in a line.
func stateLine(s requests.State) string {
	line := fmt.Sprintf("%s  %s  %s → %s  %s", s.Request, s.Kind, s.Requester, s.Recipient, strings.ToUpper(string(s.Phase)))
	switch s.Phase {
	case requests.Open:
		line += ", acknowledgement due " + stampOf(s.AckDue)
	case requests.Overdue:
		if !s.Escalated.IsZero() {
			line += ", escalated to the 24/7 desk " + stampOf(s.Escalated)
		}
	case requests.Answered:
		line += ", " + s.Status
		if s.Reason != "" {
			line += ": " + s.Reason
		}
		if !s.PreservedUntil.IsZero() {
			line += ", preserved until " + stampOf(s.PreservedUntil)
		}
	}
	if s.Phase != requests.Answered && s.Phase != requests.Closed {
		line += ", deadline " + stampOf(s.Deadline)
	}
	return line
}

func stampOf(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// withRequestState names a request or response a subscription delivers
// by what it asks or says, with the request's state at the hub now.
func withRequestState(ctx context.Context, c *member.Client, o member.Object) member.Object {
	var id string
	switch o.Type {
	case schemas.TypeRequest:
		var r requests.Request
		if json.Unmarshal(o.Object, &r) != nil {
			return o
		}
		id, o.Name = r.ID, fmt.Sprintf("%s request: %s (deadline %s)", r.Kind, r.Summary, stampOf(r.Deadline))
	case schemas.TypeResponse:
		var r requests.Response
		if json.Unmarshal(o.Object, &r) != nil {
			return o
		}
		id, o.Name = r.RequestRef, fmt.Sprintf("response %s to %s", r.Status, r.RequestRef)
		if r.Reason != "" {
			o.Name += ": " + r.Reason
		}
	default:
		return o
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if states, err := c.Requests(ctx, wire.RequestsQuery{Action: "show", Request: id}); err == nil {
		var lines []string
		for _, s := range states {
			lines = append(lines, fmt.Sprintf("%s → %s %s", s.Requester, s.Recipient, strings.ToUpper(string(s.Phase))))
		}
		o.Description = "state: " + strings.Join(lines, "; ")
	}
	return o
}
