package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/wire"
)

// reviewTimeout bounds one request to the hub's review service (an approve
// publishes every share before it answers).
const reviewTimeout = 30 * time.Second

// auditScanLimit is how many recent audit records list/show read to find
// why each submission was held (the hub's review service does not say).
const auditScanLimit = 20000

func newAdminReviewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review",
		Short: "List, show, approve or reject submissions held for review",
		Long: `Submissions that the MoU holds for a person's review (verdict "review") wait
in the hub, shared with nobody, until the hub operator approves or rejects
them. Approving decides the submission again under the MoU in force and
shares it; rejecting shares nothing. Either way the sender gets a second
receipt and the hub writes an audit record naming the reviewer.

Every review command needs the hub operator's credentials (with
geneva-hub --dev: DIR/creds/operator.creds); a member's credentials are
refused.

Exit status: 0 done, 1 the submission is not waiting, the hub refused or is
unreachable, 2 usage error.`,
		Example: `  # What waits for review, then one of them in full
  geneva admin review list --creds /var/lib/geneva/creds/operator.creds
  geneva admin review show sub-aabc4106940ee26dc4e21fbb --creds operator.creds

  # Release it to its audience, or refuse it with a reason for the sender
  geneva admin review approve sub-aabc4106940ee26dc4e21fbb --creds operator.creds --reviewer duty-officer
  geneva admin review reject sub-aabc4106940ee26dc4e21fbb --creds operator.creds --reason "attribution not sourced"`,
	}
	cmd.AddCommand(
		newReviewActionCmd("list", "List the submissions waiting for review"),
		newReviewActionCmd("show", "Show one held submission: who sent it, why it is held, the bundle"),
		newReviewActionCmd("approve", "Release a held submission: it is decided again and shared"),
		newReviewActionCmd("reject", "Refuse a held submission: nothing is shared, the sender is told why"),
	)
	return cmd
}

var reviewExamples = map[string]string{
	"list": `  geneva admin review list --creds /var/lib/geneva/creds/operator.creds
  geneva admin review list -o json --server nats://hub.example:4222 --creds operator.creds`,
	"show": `  geneva admin review show sub-aabc4106940ee26dc4e21fbb --creds operator.creds
  geneva admin review show sub-aabc4106940ee26dc4e21fbb -o json --creds operator.creds | jq .bundle`,
	"approve": `  geneva admin review approve sub-aabc4106940ee26dc4e21fbb --creds operator.creds --reviewer duty-officer`,
	"reject": `  geneva admin review reject sub-aabc4106940ee26dc4e21fbb --creds operator.creds \
    --reviewer duty-officer --reason "attribution not sourced"`,
}

// heldSubmission is one entry of list and show output.
type heldSubmission struct {
	hub.ReviewItem
	Bundle json.RawMessage `json:"bundle,omitempty"` // show only
}

func newReviewActionCmd(action, short string) *cobra.Command {
	var reason, reviewer string
	cmd := &cobra.Command{Use: action + " ID", Short: short}
	if action == "list" {
		cmd.Use = "list"
	}
	cmd.Example = reviewExamples[action]
	cf := addConnFlags(cmd)
	cmd.Flags().Lookup("creds").Usage = "the hub operator's credentials file, DATA/creds/operator.creds (env GENEVA_CREDS; default from the context)"
	out := addOutputFlag(cmd)
	f := cmd.Flags()
	if action == "approve" || action == "reject" {
		f.StringVar(&reviewer, "reviewer", "", "who decides, for the audit log and the sender's receipt (default the hub's \"operator\")")
	}
	if action == "reject" {
		f.StringVar(&reason, "reason", "", "why, for the sender's receipt")
	}
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if action == "list" {
			return noArgs(cmd, args)
		}
		if len(args) != 1 {
			return usageError(fmt.Errorf("%s: give exactly one submission ID (from geneva admin review list)", commandName(cmd)))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		req := hub.ReviewRequest{Action: action, Actor: reviewer, Note: reason}
		if len(args) == 1 {
			req.Submission = args[0]
		}
		return runReview(cmd, cf, out, req)
	}
	return cmd
}

func runReview(cmd *cobra.Command, cf *connFlags, out *outputFlag, req hub.ReviewRequest) error {
	return asOperator(cmd, cf, "geneva admin review", func(ctx context.Context, conn *hubConn, server string) error {
		reply, err := askReview(ctx, conn, server, req)
		if err != nil {
			return err
		}
		return showReview(ctx, cmd, conn, out, req, reply)
	})
}

// asOperator connects with the operator's credentials and runs f with a
// context that ends at a permission denial or after reviewTimeout.
func asOperator(cmd *cobra.Command, cf *connFlags, name string, f func(ctx context.Context, conn *hubConn, server string) error) error {
	server, creds, err := cf.resolve()
	if err != nil {
		return err
	}
	conn, err := connectHub(server, creds, name)
	if err != nil {
		return err
	}
	defer conn.nc.Close()
	ctx, stop := conn.stopOnDenial(cmd.Context())
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, reviewTimeout)
	defer cancel()
	return f(ctx, conn, server)
}

// showReview prints the answer to a review request.
func showReview(ctx context.Context, cmd *cobra.Command, conn *hubConn, out *outputFlag, req hub.ReviewRequest, reply hub.ReviewReply) error {
	w := cmd.OutOrStdout()
	switch req.Action {
	case "list", "show":
		held := make([]heldSubmission, len(reply.Items))
		for i, it := range reply.Items {
			held[i] = heldSubmission{ReviewItem: it}
		}
		if req.Action == "show" && len(held) == 1 {
			held[0].Bundle = reply.Bundle
		}
		// Best effort: without the reasons the queue is still usable.
		if err := addHoldReasons(ctx, conn.nc, held); err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "geneva: warning: why held unknown: %v\n", err)
		}
		if req.Action == "list" {
			if out.json() {
				return writeJSON(w, held)
			}
			printHeldList(w, held)
			return nil
		}
		if len(held) != 1 {
			return fmt.Errorf("admin review show: the hub answered %d items for %s", len(held), req.Submission)
		}
		if out.json() {
			return writeJSON(w, held[0])
		}
		printHeld(w, held[0])
		return nil
	}
	if reply.Receipt == nil {
		return fmt.Errorf("admin review %s: the hub answered without a receipt", req.Action)
	}
	if out.json() {
		return writeJSON(w, reply.Receipt)
	}
	r := reply.Receipt
	fmt.Fprintf(w, "%s: %sd by %s; verdict %s; the sender %s has a new receipt\n",
		r.Submission, req.Action, r.Reviewer, r.Verdict, r.Member)
	return nil
}

// askReview sends req to the hub's review service and turns every way it
// can fail into a one-line error.
func askReview(ctx context.Context, conn *hubConn, server string, req hub.ReviewRequest) (hub.ReviewReply, error) {
	var reply hub.ReviewReply
	err := askOperatorService(ctx, conn, server, wire.SubjectReviewService, "admin review "+req.Action, "review", req, &reply, func() string { return reply.Error })
	return reply, err
}

// askOperatorService sends req to one of the hub operator's services
// (kind names it in errors) and reads the answer into reply; replyErr is
// the error the answer carries.
func askOperatorService(ctx context.Context, conn *hubConn, server, subject, what, kind string, req, reply any, replyErr func() string) error {
	data, _ := json.Marshal(req)
	msg, err := conn.nc.RequestWithContext(ctx, subject, data)
	switch {
	case conn.refused() != nil:
		return fmt.Errorf("%s: not permitted: needs the hub operator's credentials (%v)", what, conn.refused())
	case errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("%s: no %s service on %s (is geneva-hub running there?)", what, kind, server)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: no answer from %s within %v", what, server, reviewTimeout)
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := json.Unmarshal(msg.Data, reply); err != nil {
		return fmt.Errorf("%s: unreadable answer from the hub: %v", what, err)
	}
	if e := replyErr(); e != "" {
		return fmt.Errorf("%s: %s", what, e)
	}
	return nil
}

// addHoldReasons finds, newest first in the audit log, the record of the
// decision that held each submission the hub gave no reason codes for (held by
// an older hub) and copies its codes.
func addHoldReasons(ctx context.Context, nc *nats.Conn, held []heldSubmission) error {
	want := map[string]int{}
	for i, h := range held {
		if h.Reasons == nil {
			held[i].Reasons = []string{}
			want[h.Submission] = i
		}
	}
	if len(want) == 0 {
		return nil
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	s, err := js.Stream(ctx, wire.StreamAudit)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	st := s.CachedInfo().State
	for seq, n := st.LastSeq, 0; seq >= st.FirstSeq && seq > 0 && n < auditScanLimit && len(want) > 0; seq, n = seq-1, n+1 {
		m, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		var rec audit.Record
		if json.Unmarshal(m.Data, &rec) != nil || rec.Action != "decide" {
			continue
		}
		if i, ok := want[rec.Submission]; ok {
			held[i].Reasons = append([]string{}, rec.Reasons...)
			delete(want, rec.Submission)
		}
	}
	return nil
}

func printHeldList(w io.Writer, held []heldSubmission) {
	if len(held) == 0 {
		fmt.Fprintln(w, "nothing waits for review")
		return
	}
	fmt.Fprintf(w, "%-28s  %-16s  %-20s  %s\n", "SUBMISSION", "SENDER", "RECEIVED", "WHY HELD")
	for _, h := range held {
		fmt.Fprintf(w, "%-28s  %-16s  %-20s  %s\n", h.Submission, h.Member,
			h.Received.UTC().Format(time.RFC3339), reasonList(h.Reasons))
	}
}

func printHeld(w io.Writer, h heldSubmission) {
	fmt.Fprintf(w, "submission  %s\nsender      %s\n", h.Submission, h.Member)
	if h.Anonymous {
		fmt.Fprintln(w, "anonymous   yes (recipients would see \"anonymous\")")
	}
	fmt.Fprintf(w, "received    %s\n", h.Received.UTC().Format(time.RFC3339))
	switch {
	case len(h.To) > 0:
		fmt.Fprintf(w, "addressed   to %s\n", strings.Join(h.To, ", "))
	case h.Community != "":
		fmt.Fprintf(w, "addressed   community %s\n", h.Community)
	default:
		fmt.Fprintln(w, "addressed   everyone the MoU allows")
	}
	fmt.Fprintf(w, "why held    %s\nsize        %d bytes\n", reasonList(h.Reasons), h.Bytes)
	fmt.Fprintf(w, "bundle\n%s\n", h.Bundle)
}

func reasonList(codes []string) string {
	if len(codes) == 0 {
		return "(unknown)"
	}
	return strings.Join(codes, ", ")
}
