package report_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/report"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// submission is one real submission to the test hub.
type submission struct {
	file, sender, verdict string
	opts                  wire.SubmitOptions
	bundle                []byte
}

// policyCases reads the policy cases of testdata/ (bundles, senders, recipients
// and the verdict each must get).
func policyCases(t *testing.T) []submission {
	t.Helper()
	dir := filepath.Join(stixtest.SharedDir(t), "policy-cases")
	f, err := os.Open(filepath.Join(dir, "CASES.tsv"))
	require.NoError(t, err)
	defer f.Close()
	var out []submission
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || cols[0] == "file" {
			continue
		}
		s := submission{file: cols[0], sender: cols[1], verdict: cols[4]}
		if cols[2] != "-" {
			s.opts.To = strings.Split(cols[2], ",")
		}
		if cols[3] != "-" {
			s.opts.Community = cols[3]
		}
		s.bundle, err = os.ReadFile(filepath.Join(dir, s.file))
		require.NoError(t, err)
		out = append(out, s)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

// intelBundle adds an ATT&CK technique and a malware family to a green
// bundle to all.
func intelBundle(t *testing.T, green []byte) []byte {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(green, &doc))
	objs := doc["objects"].([]any)
	marking := objs[1].(map[string]any)["object_marking_refs"]
	objs = append(objs,
		map[string]any{"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--7e33a43e-e34b-40ec-89da-36c9bb2cacd5",
			"created": "2026-10-15T08:30:00.000Z", "modified": "2026-10-15T08:30:00.000Z", "name": "Spearphishing Attachment",
			"external_references": []any{map[string]any{"source_name": "mitre-attack", "external_id": "T1566.001"}},
			"object_marking_refs": marking},
		map[string]any{"type": "malware", "spec_version": "2.1", "id": "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
			"created": "2026-10-15T08:30:00.000Z", "modified": "2026-10-15T08:30:00.000Z", "name": "Emotet", "is_family": true,
			"object_marking_refs": marking})
	doc["objects"] = objs
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return out
}

// TestJetStreamAndKafkaAgree submits the policy cases to a real hub, copies
// its streams to a real Kafka with the real archive bridge, and requires
// the same report from both sources, and figures that match the cases.
func TestJetStreamAndKafkaAgree(t *testing.T) {
	b := kafkatest.Shared(t)
	h := hubtest.StartHub(t)
	subs := policyCases(t)
	var green []byte
	for _, s := range subs {
		if s.file == "green-tlp2-to-all.json" {
			green = s.bundle
		}
	}
	require.NotNil(t, green)
	subs = append(subs,
		submission{file: "intel", sender: "le-alpha", verdict: "accept", bundle: intelBundle(t, green)},
		submission{file: "anonymous", sender: "cert-three", verdict: "accept", bundle: green, opts: wire.SubmitOptions{Anonymous: true}})

	members := map[string]*hubtest.Member{}
	wantVerdicts := map[string]int64{}
	wantRefusals := map[string][2]int64{}
	wantSubmissions := map[string]int64{}
	for _, s := range subs {
		m := members[s.sender]
		if m == nil {
			m = h.Member(t, s.sender)
			members[s.sender] = m
		}
		m.Submit(t, s.bundle, s.opts)
		r := m.NextReceipt(t, 15*time.Second)
		require.Equal(t, s.verdict, r.Verdict.String(), "%s", s.file)
		wantVerdicts[r.Verdict.String()]++
		wantSubmissions[s.sender]++
		if r.Verdict == policy.Reject || r.Verdict == policy.Partial {
			var codes []string
			for _, rs := range r.Reasons {
				codes = append(codes, string(rs.Code))
			}
			for _, o := range r.Objects {
				for _, rs := range o.Reasons {
					codes = append(codes, string(rs.Code))
				}
			}
			slices.Sort(codes)
			for _, c := range slices.Compact(codes) {
				if ci, ok := policy.Describe(policy.Code(c)); ok && ci.Rejects == "" {
					continue
				}
				v := wantRefusals[c]
				if r.Verdict == policy.Reject {
					v[0]++
				} else {
					v[1]++
				}
				wantRefusals[c] = v
			}
		}
	}

	op := h.Member(t, wire.OperatorName)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	hubtest.Eventually(t, 15*time.Second, func() error { // audit records follow the receipts
		s, err := op.JS.Stream(ctx, wire.StreamAudit)
		if err == nil && s.CachedInfo().State.Msgs != uint64(len(subs)) {
			err = fmt.Errorf("%d audit records, want %d", s.CachedInfo().State.Msgs, len(subs))
		}
		return err
	})
	prefix := "agree" + time.Now().Format("150405.000000")
	cfg := archive.Config{Brokers: []string{b.Addr},
		ObjectsTopic: archive.TopicConfig{Name: prefix + ".objects", ReplicationFactor: 1},
		AuditTopic:   archive.TopicConfig{Name: prefix + ".audit", ReplicationFactor: 1}}
	bridge, err := archive.New(cfg, op.JS, nil)
	require.NoError(t, err)
	bctx, stopBridge := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- bridge.Run(bctx) }()
	hubtest.Eventually(t, 60*time.Second, func() error {
		for _, name := range []string{wire.StreamShare, wire.StreamAudit} {
			s, err := op.JS.Stream(ctx, name)
			if err != nil {
				return err
			}
			if got, want := bridge.Archived()[name], s.CachedInfo().State.LastSeq; got < want {
				return &lagError{name, got, want}
			}
		}
		return nil
	})
	stopBridge()
	require.NoError(t, <-done)

	opt := report.Options{MoU: policy.DemoMoU(), Period: report.Day}
	fromJS, err := report.Run(ctx, report.JetStreamSource{JS: op.JS}, opt, nil)
	require.NoError(t, err)
	fromKafka, err := report.Run(ctx, report.KafkaSource{Brokers: []string{b.Addr},
		ObjectsTopic: cfg.ObjectsTopic.Name, AuditTopic: cfg.AuditTopic.Name}, opt, nil)
	require.NoError(t, err)

	// Byte counts differ by JSON spacing (the stream holds bundles, the
	// archive the objects); every figure must agree.
	require.Equal(t, "jetstream", fromJS.Source)
	require.Equal(t, "kafka", fromKafka.Source)
	a, k := *fromJS, *fromKafka
	a.Source, k.Source = "", ""
	a.Scanned.Bytes, k.Scanned.Bytes = 0, 0
	require.Equal(t, jsonOf(t, &a), jsonOf(t, &k))

	r := fromKafka
	var text bytes.Buffer
	require.NoError(t, report.Write(&text, r, "text"))
	t.Log("\n" + text.String())
	p := r.Partnership
	require.EqualValues(t, len(subs), p.Submissions)
	require.Equal(t, wantVerdicts["accept"], p.Accepted)
	require.Equal(t, wantVerdicts["partial"], p.Partial)
	require.Equal(t, wantVerdicts["reject"], p.Rejected)
	gotRefusals := map[string][2]int64{}
	for _, f := range r.Refusals {
		gotRefusals[f.Code] = [2]int64{f.Rejected, f.Partial}
	}
	require.Equal(t, wantRefusals, gotRefusals)
	require.NotEmpty(t, gotRefusals)
	year := time.Now().UTC().Year()
	for id, n := range wantSubmissions {
		var row *report.MemberYear
		for i := range r.Members {
			if r.Members[i].Member == id && r.Members[i].Year == year {
				row = &r.Members[i]
			}
		}
		require.NotNil(t, row, "member %s", id)
		require.Equal(t, n, row.Submissions, "member %s submissions", id)
	}
	require.Equal(t, []report.TopItem{{Key: "T1566.001", Count: 1}}, r.Techniques.Items)
	require.Equal(t, []report.TopItem{{Key: "Emotet", Count: 1}}, r.Malware.Items)
	require.Positive(t, p.AnonymousObjects)
	require.Positive(t, p.Objects)
	for _, c := range p.ByTLP {
		require.NotEqual(t, "red", c.Key, "RED is never archived")
	}
}

type lagError struct {
	stream    string
	got, want uint64
}

func (e *lagError) Error() string {
	return e.stream + ": bridge behind the stream"
}

func jsonOf(t *testing.T, r *report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, r, "json"))
	return buf.String()
}
