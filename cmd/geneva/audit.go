package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/wire"
)

const defaultServer = "nats://127.0.0.1:4222"

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check the hub's hash-chained audit log",
	}
	cmd.AddCommand(newAuditVerifyCmd())
	return cmd
}

type auditVerifyFlags struct {
	server string
	creds  string
	stream string
	json   bool
}

func newAuditVerifyCmd() *cobra.Command {
	f := auditVerifyFlags{server: os.Getenv("GENEVA_SERVER"), creds: os.Getenv("GENEVA_CREDS")}
	if f.server == "" {
		f.server = defaultServer
	}
	cmd := &cobra.Command{
		Use:   "verify [flags]",
		Short: "Check the audit chain end to end and name the first broken link",
		Long: `Read every record of the hub's audit log (the JetStream stream GENEVA_AUDIT)
and check that none is missing, that each one's hash matches its content, and
that each one holds the hash of the record before it. The first record that
breaks the chain is named by its stream sequence.

Reading the audit log needs the hub operator's credentials (with geneva-hub
--dev: DIR/creds/operator.creds). --creds takes the hub's credentials file
(an NKey seed file) or a NATS .creds file (JWT and seed).

Exit status: 0 when the chain verifies, 1 when it is broken or the hub cannot
be read, 2 on a usage error or an unusable credentials file.`,
		Example: `  # Verify the audit log of a local geneva-hub --dev
  geneva audit verify --creds ./geneva-data/creds/operator.creds

  # The same through the environment, with machine-readable output
  GENEVA_SERVER=nats://hub.example:4222 GENEVA_CREDS=operator.creds geneva audit verify --json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(fmt.Errorf("audit verify: unexpected argument %q (it takes only flags)", args[0]))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runAuditVerify(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", f.server, "hub NATS URL (env GENEVA_SERVER)")
	fl.StringVar(&f.creds, "creds", f.creds, "hub operator credentials file (env GENEVA_CREDS)")
	fl.StringVar(&f.stream, "stream", wire.StreamAudit, "audit stream to verify (a copy or a restored backup, say)")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	return cmd
}

// auditReport is the --json output.
type auditReport struct {
	Verified bool             `json:"verified"`
	Stream   string           `json:"stream"`
	Records  uint64           `json:"records"` // records that verified
	FirstSeq uint64           `json:"first_seq,omitempty"`
	LastSeq  uint64           `json:"last_seq,omitempty"`
	Head     string           `json:"head,omitempty"`
	Broken   *auditBrokenLink `json:"broken,omitempty"`
}

type auditBrokenLink struct {
	Seq    uint64 `json:"seq"`
	Reason string `json:"reason"`
}

func runAuditVerify(cmd *cobra.Command, f auditVerifyFlags) error {
	conn, err := connectHub(f.server, f.creds, "geneva audit verify")
	if err != nil {
		return err
	}
	defer conn.nc.Close()
	ctx, stop := conn.stopOnDenial(cmd.Context())
	defer stop()
	js, err := jetstream.New(conn.nc)
	if err != nil {
		return err
	}

	res, err := audit.Verify(ctx, js, f.stream)
	var broken *audit.BrokenLinkError
	if err != nil && !errors.As(err, &broken) {
		switch {
		case conn.refused() != nil:
			return fmt.Errorf("audit verify: %w (reading the audit log needs the hub operator's credentials)", conn.refused())
		case errors.Is(err, jetstream.ErrStreamNotFound):
			return fmt.Errorf("audit verify: no stream %q on %s (is geneva-hub running there?)", f.stream, f.server)
		}
		return err
	}

	rep := auditReport{Verified: broken == nil, Stream: f.stream, Records: res.Records,
		FirstSeq: res.FirstSeq, LastSeq: res.LastSeq, Head: res.Head}
	if broken != nil {
		rep.Broken = &auditBrokenLink{Seq: broken.Seq, Reason: broken.Reason}
	}
	out := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printAuditReport(out, rep)
	}
	if broken != nil {
		return quietError{code: exitFailure}
	}
	return nil
}

func printAuditReport(w io.Writer, r auditReport) {
	if r.Broken == nil {
		head := r.Head
		if head == "" {
			head = "(none: the log is empty)"
		}
		fmt.Fprintf(w, "audit chain verified: %d records, head %s\n", r.Records, head)
		return
	}
	fmt.Fprintf(w, "audit chain broken at sequence %d: %s\n", r.Broken.Seq, r.Broken.Reason)
	if r.Records > 0 {
		fmt.Fprintf(w, "records %d to %d verified; the chain cannot be trusted from sequence %d on\n",
			r.FirstSeq, r.LastSeq, r.Broken.Seq)
	}
}

// hubConn is a connection to the hub that remembers the first permission
// violation the server reported, since a refused request otherwise looks
// like a timeout.
type hubConn struct {
	nc *nats.Conn

	mu       sync.Mutex
	denied   error
	onDenied func(error) // called once, with the first violation
}

func (c *hubConn) refused() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.denied
}

func (c *hubConn) report(err error) {
	if err == nil || !errors.Is(err, nats.ErrPermissionViolation) && !errors.Is(err, wire.ErrNotPermitted) {
		return
	}
	c.mu.Lock()
	first := c.denied == nil
	if first {
		c.denied = err
	}
	onDenied := c.onDenied
	c.mu.Unlock()
	if first && onDenied != nil {
		onDenied(err)
	}
}

// stopOnDenial returns a context that ends at the first permission
// violation, so a refused request fails at once instead of timing out.
func (c *hubConn) stopOnDenial(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	c.mu.Lock()
	c.onDenied = cancel
	denied := c.denied
	c.mu.Unlock()
	if denied != nil {
		cancel(denied)
	}
	return ctx, func() { cancel(nil) }
}

// connectHub connects to server with the credentials in credsFile (none if
// ""). The file is recognised by its content: a NATS .creds file (a user JWT
// and its seed, for hubs using NATS accounts), the hub's own credentials
// file (an NKey seed with a "# member:" line, connected through
// wire.MemberOptions so a member gets its private inbox prefix), or any
// other file holding an NKey user seed.
func connectHub(server, credsFile, name string) (*hubConn, error) {
	c := &hubConn{}
	opts := []nats.Option{nats.Name(name), nats.Timeout(5 * time.Second), nats.MaxReconnects(0),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { c.report(err) })}
	auth, err := credsOptions(credsFile, c.report) // wire.MemberOptions may replace the handler with its own
	if err != nil {
		return nil, usageError(err)
	}
	opts = append(opts, auth...)
	c.nc, err = nats.Connect(server, opts...)
	switch {
	case errors.Is(err, nats.ErrAuthorization):
		return nil, fmt.Errorf("connect to %s: the hub refused the credentials%s", server, credsHint(credsFile))
	case err != nil:
		return nil, fmt.Errorf("connect to %s: %w (is geneva-hub running there?)", server, err)
	}
	return c, nil
}

func credsHint(credsFile string) string {
	if credsFile == "" {
		return " (no --creds given)"
	}
	return fmt.Sprintf(" in %s", credsFile)
}

func credsOptions(credsFile string, report func(error)) ([]nats.Option, error) {
	if credsFile == "" {
		return nil, nil
	}
	data, err := os.ReadFile(credsFile)
	if err != nil {
		return nil, fmt.Errorf("creds: %w", err)
	}
	defer wipeSecret(data)
	if bytes.Contains(data, []byte("\n# member: ")) { // a Geneva creds file: an NKey seed, or a user JWT and seed
		_, opts, err := wire.MemberOptions(credsFile, report)
		return opts, err
	}
	if bytes.Contains(data, []byte("BEGIN NATS USER JWT")) {
		return []nats.Option{nats.UserCredentials(credsFile)}, nil
	}
	if _, err := nkeys.ParseDecoratedUserNKey(data); err != nil {
		return nil, fmt.Errorf("creds %s: neither a NATS .creds file (user JWT and seed) nor an NKey user seed: %w", credsFile, err)
	}
	auth, err := nats.NkeyOptionFromSeed(credsFile)
	if err != nil {
		return nil, fmt.Errorf("creds %s: %w", credsFile, err)
	}
	return []nats.Option{auth}, nil
}

// wipeSecret overwrites secret bytes once they are no longer needed.
func wipeSecret(b []byte) {
	for i := range b {
		b[i] = 'x'
	}
}
