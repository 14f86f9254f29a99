package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/report"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// A real hub takes real submissions; geneva report reads its streams with
// the operator's credentials.
func TestReportOnARealHub(t *testing.T) {
	h := hubtest.StartHub(t)
	dir := filepath.Join(stixtest.SharedDir(t), "policy-cases")
	green, err := os.ReadFile(filepath.Join(dir, "green-tlp2-to-all.json"))
	require.NoError(t, err)
	banner, err := os.ReadFile(filepath.Join(dir, "classified-banner-name.json"))
	require.NoError(t, err)
	bank := h.Member(t, "bank-one")
	for range 3 {
		bank.Submit(t, green, wire.SubmitOptions{})
		require.Equal(t, policy.Accept, bank.NextReceipt(t, 15*time.Second).Verdict)
	}
	bank.Submit(t, banner, wire.SubmitOptions{})
	require.Equal(t, policy.Reject, bank.NextReceipt(t, 15*time.Second).Verdict)
	op := h.Member(t, wire.OperatorName)
	s, err := op.JS.Stream(t.Context(), wire.StreamAudit)
	require.NoError(t, err)
	hubtest.Eventually(t, 10*time.Second, func() error { // audit records follow the receipts
		info, err := s.Info(t.Context())
		if err == nil && info.State.Msgs != 4 {
			err = fmt.Errorf("%d audit records, want 4", info.State.Msgs)
		}
		return err
	})
	creds := wire.CredsPath(h.Dir, wire.OperatorName)
	base := []string{"report", "--source", "jetstream", "--server", h.ClientURL(), "--creds", creds}

	t.Run("json", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, append(base, "--format", "json", "--year", fmt.Sprint(time.Now().UTC().Year()))...)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stderr, "demo MoU")
		var r report.Report
		require.NoError(t, json.Unmarshal([]byte(stdout), &r))
		require.True(t, r.Complete)
		require.Equal(t, "jetstream", r.Source)
		require.EqualValues(t, 4, r.Partnership.Submissions)
		require.EqualValues(t, 3, r.Partnership.Accepted)
		require.EqualValues(t, 1, r.Partnership.Rejected)
		require.EqualValues(t, 3, r.Partnership.Objects, "one indicator per accepted submission")
		var refused []string
		for _, f := range r.Refusals {
			refused = append(refused, f.Code)
		}
		require.Contains(t, refused, "classified.banner")
		require.NotContains(t, stdout, "Phishing landing page", "no content in a report")
	})
	t.Run("text", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, append(base, "--period", "month")...)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, "PARTNERSHIP")
		require.Contains(t, stdout, "MEMBERS BY YEAR")
		require.Regexp(t, `submissions\s+4`, stdout)
		require.NotContains(t, stderr, "records/s", "no progress bar when stderr is not a terminal")
	})
	t.Run("progress always", func(t *testing.T) {
		_, stderr, code := runCLI(t, append(base, "--progress", "always", "--format", "csv")...)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stderr, "100%")
	})
	t.Run("files", func(t *testing.T) {
		out := t.TempDir()
		for _, format := range []string{"html", "parquet", "csv"} {
			path := filepath.Join(out, "report."+format)
			_, stderr, code := runCLI(t, append(base, "--format", format, "--output", path)...)
			require.Equal(t, 0, code, stderr)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NotEmpty(t, data)
		}
		entries, err := os.ReadDir(out)
		require.NoError(t, err)
		require.Len(t, entries, 3, "no temporary files left")
	})
	t.Run("interrupted writes nothing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "report.html")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stdout, stderr bytes.Buffer
		err := run(ctx, append(base, "--format", "html", "--output", path), strings.NewReader(""), &stdout, &stderr)
		require.ErrorContains(t, err, "interrupted")
		require.Equal(t, exitFailure, exitCode(err))
		require.NoFileExists(t, path)
		require.Empty(t, stdout.String())
	})
	t.Run("member credentials are refused", func(t *testing.T) {
		_, stderr, code := runCLI(t, "report", "--source", "jetstream", "--server", h.ClientURL(),
			"--creds", wire.CredsPath(h.Dir, "bank-one"))
		require.Equal(t, exitFailure, code)
		require.Contains(t, stderr, "needs the hub operator's credentials")
	})
}

func TestReportUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--period", "year"}, `period "year"`},
		{[]string{"--format", "xml"}, `--format "xml"`},
		{[]string{"--from", "yesterday"}, `--from "yesterday"`},
		{[]string{"--from", "2026-02-01", "--to", "2026-01-01"}, "is not before"},
		{[]string{"--year", "26"}, "--year 26"},
		{[]string{"--source", "kafka"}, "needs --brokers"},
		{[]string{"--source", "s3", "--brokers", "x:1"}, `--source "s3"`},
		{[]string{"--top", "0"}, "--top 0"},
		{[]string{"--mou", "/no/such/mou.yaml"}, "--mou"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--brokers", "x:1", "--kafka-sasl", "PLAIN"}, "--kafka-user: required"},
		{[]string{"--brokers", "x:1", "--kafka-sasl", "MD5"}, `--kafka-sasl: "MD5"`},
		{[]string{"--brokers", "x:1", "--kafka-ca", "/no/such/ca.pem"}, "--kafka-ca: stat /no/such/ca.pem"},
		{[]string{"--brokers", "x:1", "--kafka-key", "k.pem"}, "--kafka-cert: cert_file and key_file go together"},
	} {
		_, stderr, code := runCLI(t, append([]string{"report"}, tc.args...)...)
		require.Equal(t, exitUsage, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
	}
}

// geneva report over a secured broker: a hub archives three accepted
// submissions to Kafka (plaintext listener), and the report reads them
// back over SASL_SSL with SCRAM-SHA-512 and a client certificate, the
// --kafka-* flags being the only way in.
func TestReportOverSASLSSL(t *testing.T) {
	broker := kafkatest.Shared(t)
	sec := broker.Secure
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	objects, audits := "report-objects-"+suffix, "report-audit-"+suffix
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) {
		c.Archive = archive.Settings{Brokers: []string{broker.Addr},
			ObjectsTopic: archive.TopicSettings{Name: objects, Partitions: 2, Replication: 1},
			AuditTopic:   archive.TopicSettings{Name: audits, Replication: 1}}
	}))
	green, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	bank := h.Member(t, "bank-one")
	for range 3 {
		bank.Submit(t, green, wire.SubmitOptions{})
		require.Equal(t, policy.Accept, bank.NextReceipt(t, 15*time.Second).Verdict)
	}
	args := []string{"report", "--format", "json", "--progress", "never", "--brokers", sec.Addr,
		"--objects-topic", objects, "--audit-topic", audits,
		"--kafka-sasl", "SCRAM-SHA-512", "--kafka-user", sec.Username, "--kafka-password-file", sec.PasswordFile,
		"--kafka-ca", sec.CAFile, "--kafka-cert", sec.ClientCertFile, "--kafka-key", sec.ClientKeyFile}
	var r report.Report
	hubtest.Eventually(t, 30*time.Second, func() error { // the bridge writes shortly after the receipts
		stdout, stderr, code := runCLI(t, args...)
		if code != 0 {
			return fmt.Errorf("exit %d: %s", code, stderr)
		}
		r = report.Report{}
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			return err
		}
		if r.Scanned.AuditRecords != 3 {
			return fmt.Errorf("%d audit records archived, want 3", r.Scanned.AuditRecords)
		}
		return nil
	})
	require.True(t, r.Complete)
	require.Equal(t, "kafka", r.Source)
	require.EqualValues(t, 3, r.Partnership.Accepted)

	wrong := filepath.Join(t.TempDir(), "wrong-password")
	require.NoError(t, os.WriteFile(wrong, []byte("not-the-password\n"), 0o600))
	args[slices.Index(args, sec.PasswordFile)] = wrong
	_, stderr, code := runCLI(t, args...)
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stderr, "SASL", "the refusal says what failed")
}
