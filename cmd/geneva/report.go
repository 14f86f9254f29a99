package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/kafka-go"
	"github.com/spf13/cobra"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/report"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

type reportFlags struct {
	source, brokers, objectsTopic, auditTopic string
	kafkaSecurity                             archive.Settings // sasl and tls only
	server, creds, mou                        string
	from, to, period, format, output          string
	year, top                                 int
	progress                                  string
}

func newReportCmd() *cobra.Command {
	f := reportFlags{server: os.Getenv("GENEVA_SERVER"), creds: os.Getenv("GENEVA_CREDS"),
		brokers: os.Getenv("GENEVA_KAFKA_BROKERS"), mou: os.Getenv("GENEVA_MOU")}
	if f.server == "" {
		f.server = defaultServer
	}
	cmd := &cobra.Command{
		Use:   "report [flags]",
		Short: "Analytics over the archive: volumes, techniques, time to share, refusals, members",
		Long: `Scan the Kafka archive (--source kafka, the default when --brokers is set) or,
on a hub without Kafka, its GENEVA_SHARE and GENEVA_AUDIT streams (--source
jetstream, with the hub operator's --creds), and report: volumes over time by
object type, TLP, sender, sender type, sector and jurisdiction; top ATT&CK
techniques and malware families; indicator types; the time-to-share
distribution; refusals by reason code; a per-member yearly summary and a
partnership-wide one. Counts only: no shared content is ever printed.

Sender type, sector and jurisdiction come from the MoU (--mou; without it the
demo MoU, with a note on stderr). The scan reads what the archive holds when it
starts. A progress bar goes to stderr when stderr is a terminal. Interrupted
(Ctrl-C), it writes nothing and exits 1: a partial report is never written as
if complete. See docs/analytics.md.

Exit status: 0 on success, 1 when the archive cannot be read or the scan was
interrupted, 2 on a usage error.`,
		Example: `  # This year's report from Kafka, as an HTML page
  geneva report --brokers kafka1:9092 --year 2026 --mou mou.yaml --format html --output report.html

  # Weekly volumes for October from a hub without Kafka, as Parquet for DuckDB
  geneva report --source jetstream --creds ./geneva-data/creds/operator.creds \
    --from 2026-10-01 --to 2026-11-01 --period week --format parquet --output october.parquet`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(fmt.Errorf("report: unexpected argument %q (it takes only flags)", args[0]))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runReport(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.source, "source", "", "kafka or jetstream (default: kafka when --brokers is set)")
	fl.StringVar(&f.brokers, "brokers", f.brokers, "Kafka bootstrap addresses, comma-separated (env GENEVA_KAFKA_BROKERS)")
	fl.StringVar(&f.objectsTopic, "objects-topic", report.DefaultObjectsTopic, "archive topic of shared objects")
	fl.StringVar(&f.auditTopic, "audit-topic", report.DefaultAuditTopic, "archive topic of audit records")
	fl.StringVar(&f.kafkaSecurity.SASL.Mechanism, "kafka-sasl", "", "SASL mechanism to Kafka: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	fl.StringVar(&f.kafkaSecurity.SASL.Username, "kafka-user", "", "SASL user name")
	fl.StringVar(&f.kafkaSecurity.SASL.PasswordFile, "kafka-password-file", "", "file holding the SASL password (never on the command line)")
	fl.BoolVar(&f.kafkaSecurity.TLS.Enabled, "kafka-tls", false, "TLS to Kafka (system roots unless --kafka-ca)")
	fl.StringVar(&f.kafkaSecurity.TLS.CAFile, "kafka-ca", "", "CA certificate(s) of the Kafka brokers, PEM (implies --kafka-tls)")
	fl.StringVar(&f.kafkaSecurity.TLS.CertFile, "kafka-cert", "", "client certificate for Kafka mTLS, PEM (implies --kafka-tls)")
	fl.StringVar(&f.kafkaSecurity.TLS.KeyFile, "kafka-key", "", "client key for Kafka mTLS, PEM")
	fl.StringVar(&f.server, "server", f.server, "hub NATS URL, for --source jetstream (env GENEVA_SERVER)")
	fl.StringVar(&f.creds, "creds", f.creds, "hub operator credentials, for --source jetstream (env GENEVA_CREDS)")
	fl.StringVar(&f.mou, "mou", f.mou, "the MoU YAML giving members' type, sectors and jurisdiction (env GENEVA_MOU)")
	fl.StringVar(&f.from, "from", "", "first instant, RFC 3339 or YYYY-MM-DD (UTC), inclusive")
	fl.StringVar(&f.to, "to", "", "last instant, RFC 3339 or YYYY-MM-DD (UTC), exclusive")
	fl.IntVar(&f.year, "year", 0, "only this calendar year (UTC); combines with --from/--to")
	fl.StringVar(&f.period, "period", "day", "volume period: day, week or month")
	fl.StringVar(&f.format, "format", "text", "output: text, json, csv, parquet or html")
	fl.StringVarP(&f.output, "output", "o", "", "write to this file (default stdout)")
	fl.IntVar(&f.top, "top", 10, "entries in the top-N tables")
	fl.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when a terminal), always or never")
	return cmd
}

func runReport(cmd *cobra.Command, f reportFlags) error {
	opt, err := reportOptions(f)
	if err != nil {
		return usageError(err)
	}
	if f.output == "" && f.format == "parquet" && isTerminalWriter(cmd.OutOrStdout()) {
		return usageError(errors.New("report: --format parquet is binary; give --output FILE"))
	}
	src, conn, err := reportSource(f)
	if err != nil {
		return err
	}
	if ks, ok := src.(report.KafkaSource); ok {
		ks.From = opt.From // seek instead of reading what was written before
		src = ks
	}
	ctx := cmd.Context()
	if conn != nil {
		defer conn.nc.Close()
		var stop context.CancelFunc
		ctx, stop = conn.stopOnDenial(ctx)
		defer stop()
	}
	if opt.MoU == nil {
		opt.MoU = policy.DemoMoU()
		fmt.Fprintln(cmd.ErrOrStderr(), "geneva report: no --mou given; sender types, sectors and jurisdictions come from the demo MoU")
	}

	var p report.Progress
	stopBar := startProgress(ctx, cmd.ErrOrStderr(), f.progress, &p)
	r, err := report.Run(ctx, src, opt, &p)
	stopBar()
	if err != nil {
		if conn != nil && conn.refused() != nil {
			return fmt.Errorf("report: %w (reading GENEVA_SHARE and GENEVA_AUDIT needs the hub operator's credentials)", conn.refused())
		}
		if ctx.Err() != nil {
			return fmt.Errorf("report: interrupted after %d of %d records; nothing written (a partial report is not a report)",
				p.Records.Load(), p.Total.Load())
		}
		return fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, r, f.format); err != nil {
		return err
	}
	if f.output == "" {
		_, err := cmd.OutOrStdout().Write(buf.Bytes())
		return err
	}
	return writeReportFile(f.output, buf.Bytes())
}

func reportOptions(f reportFlags) (report.Options, error) {
	var opt report.Options
	var err error
	if opt.Period, err = report.ParsePeriod(f.period); err != nil {
		return opt, fmt.Errorf("--period: %w", err)
	}
	if !slices.Contains(report.Formats, f.format) {
		return opt, fmt.Errorf("--format %q: want one of %s", f.format, strings.Join(report.Formats, ", "))
	}
	if f.top < 1 {
		return opt, fmt.Errorf("--top %d: want at least 1", f.top)
	}
	opt.TopN = f.top
	if opt.From, err = parseReportTime("--from", f.from); err != nil {
		return opt, err
	}
	if opt.To, err = parseReportTime("--to", f.to); err != nil {
		return opt, err
	}
	if f.year != 0 {
		if f.year < 1970 || f.year > 9999 {
			return opt, fmt.Errorf("--year %d: want a year such as 2026", f.year)
		}
		start := time.Date(f.year, 1, 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(1, 0, 0)
		if opt.From.IsZero() || opt.From.Before(start) {
			opt.From = start
		}
		if opt.To.IsZero() || opt.To.After(end) {
			opt.To = end
		}
	}
	if !opt.From.IsZero() && !opt.To.IsZero() && !opt.From.Before(opt.To) {
		return opt, fmt.Errorf("--from %s is not before --to %s", opt.From.Format(time.RFC3339), opt.To.Format(time.RFC3339))
	}
	if f.mou != "" {
		var err error
		if opt.MoU, err = policy.LoadMoU(f.mou); err != nil {
			return opt, fmt.Errorf("--mou: %w", err)
		}
	}
	return opt, nil
}

func parseReportTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s %q: want RFC 3339 (2026-01-31T12:00:00Z) or a date (2026-01-31)", flag, s)
}

// reportSource builds the source the flags ask for.
// A JetStream source comes with its connection, to close and to ask
// whether the hub refused something.
func reportSource(f reportFlags) (report.Source, *hubConn, error) {
	var brokers []string
	for b := range strings.SplitSeq(f.brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	source := f.source
	if source == "" {
		source = "jetstream"
		if len(brokers) > 0 {
			source = "kafka"
		}
	}
	switch source {
	case "kafka":
		if len(brokers) == 0 {
			return nil, nil, usageError(errors.New("report: --source kafka needs --brokers (or GENEVA_KAFKA_BROKERS)"))
		}
		dialer, err := kafkaDialer(brokers, f.kafkaSecurity)
		if err != nil {
			return nil, nil, usageError(err)
		}
		return report.KafkaSource{Brokers: brokers, ObjectsTopic: f.objectsTopic, AuditTopic: f.auditTopic, Dialer: dialer}, nil, nil
	case "jetstream":
		conn, err := connectHub(f.server, f.creds, "geneva report")
		if err != nil {
			return nil, nil, err
		}
		js, err := jetstream.New(conn.nc)
		if err != nil {
			conn.nc.Close()
			return nil, nil, err
		}
		return report.JetStreamSource{JS: js, ShareStream: wire.StreamShare, AuditStream: wire.StreamAudit}, conn, nil
	}
	return nil, nil, usageError(fmt.Errorf("report: --source %q: want kafka or jetstream", f.source))
}

// writeReportFile writes through a temporary file in the same folder, so
// the output is either the whole report or untouched.
func writeReportFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// startProgress draws a progress bar on w every 200ms until the returned
// function is called; mode "auto" draws only on a terminal.
func startProgress(ctx context.Context, w io.Writer, mode string, p *report.Progress) func() {
	if mode == "never" || mode == "auto" && !isTerminalWriter(w) {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprintf(w, "\r%s\n", progressLine(p, time.Since(start)))
				return
			case <-ctx.Done():
				fmt.Fprintf(w, "\r%s (interrupted)\n", progressLine(p, time.Since(start)))
				return
			case <-tick.C:
				fmt.Fprintf(w, "\r%s", progressLine(p, time.Since(start)))
			}
		}
	}()
	return func() { close(done); <-finished }
}

func progressLine(p *report.Progress, elapsed time.Duration) string {
	n, total, bytes := p.Records.Load(), p.Total.Load(), p.Bytes.Load()
	const width = 30
	filled := 0
	pct := ""
	if total > 0 {
		filled = int(min(n, total) * width / total)
		pct = strconv.FormatInt(min(n, total)*100/total, 10) + "%"
	}
	rate := float64(n) / max(elapsed.Seconds(), 0.001)
	return fmt.Sprintf("[%s%s] %4s %d/%d records, %.1f MB, %.0f records/s", strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), pct, n, total, float64(bytes)/1e6, rate)
}

// kafkaDialer checks the --kafka-* flags as the bridge checks its sasl and
// tls settings, and builds the dialer the report reads with.
func kafkaDialer(brokers []string, sec archive.Settings) (*kafka.Dialer, error) {
	if sec.TLS.CAFile != "" || sec.TLS.CertFile != "" || sec.TLS.KeyFile != "" {
		sec.TLS.Enabled = true
	}
	settings := archive.Settings{Brokers: brokers, SASL: sec.SASL, TLS: sec.TLS}
	var problems []string
	for _, e := range settings.Check() {
		problems = append(problems, "--kafka-"+flagOf(e.Field)+": "+e.Problem)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("report: %s", strings.Join(problems, "; "))
	}
	cfg, err := settings.Config()
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return cfg.Dialer("geneva-report")
}

// flagOf names the --kafka-* flag of an archive setting.
func flagOf(field string) string {
	return map[string]string{"sasl.mechanism": "sasl", "sasl.username": "user", "sasl.password_file": "password-file",
		"tls": "cert", "tls.enabled": "tls", "tls.ca_file": "ca", "tls.cert_file": "cert", "tls.key_file": "key"}[field]
}
