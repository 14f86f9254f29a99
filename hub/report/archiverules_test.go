package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/report"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// The JetStream source counts what the archive keeps: only archivable
// parts, only the positions Geneva-Archive-Objects names, never the TLP
// marking definitions. The real bridge, on the same streams, agrees.
func TestJetStreamFollowsArchiveRules(t *testing.T) {
	b := kafkatest.Shared(t)
	srv := hubtest.StartNATS(t)
	nc, err := nats.Connect(srv.ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: wire.StreamShare, Subjects: []string{wire.SubjectShareAll}})
	require.NoError(t, err)
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: wire.StreamAudit, Subjects: []string{wire.SubjectAudit}})
	require.NoError(t, err)

	green := "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	obj := func(typ string, n int) map[string]any {
		o := map[string]any{"type": typ, "spec_version": "2.1", "id": fmt.Sprintf("%s--%08x-0000-4000-8000-000000000000", typ, n),
			"created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z", "name": "x", "object_marking_refs": []string{green}}
		switch typ {
		case "indicator":
			o["pattern"], o["pattern_type"], o["valid_from"] = "[ipv4-addr:value = '192.0.2.1']", "stix", "2026-11-01T00:00:00Z"
		case "malware":
			o["is_family"] = true
		case "attack-pattern":
			o["external_references"] = []any{map[string]any{"source_name": "mitre-attack", "external_id": "T1190"}}
		}
		return o
	}
	marking := map[string]any{"type": "marking-definition", "spec_version": "2.1", "id": green, "created": "2022-10-01T00:00:00.000Z",
		"name": "TLP:GREEN", "extensions": map[string]any{}}
	publish := func(n int, tlp, archiveFlag, positions string, objects ...map[string]any) {
		body, err := json.Marshal(map[string]any{"type": "bundle", "id": fmt.Sprintf("bundle--%08x-0000-4000-8000-000000000000", n),
			"objects": append([]map[string]any{marking}, objects...)})
		require.NoError(t, err)
		m := nats.NewMsg(wire.ShareSubjectFrom(tlp, "all", "bank-one"))
		m.Data = body
		m.Header.Set(wire.HeaderSubmission, fmt.Sprintf("sub-%d", n))
		m.Header.Set(wire.HeaderSender, "bank-one")
		m.Header.Set(wire.HeaderTLP, tlp)
		m.Header.Set(wire.HeaderAudience, "le-alpha,cert-three")
		m.Header.Set(wire.HeaderReceived, "2026-11-22T10:00:00.123456789Z")
		if archiveFlag != "" {
			m.Header.Set(wire.HeaderArchive, archiveFlag)
		}
		if positions != "" {
			m.Header.Set(wire.HeaderArchiveObjects, positions)
		}
		_, err = js.PublishMsg(ctx, m)
		require.NoError(t, err)
	}
	publish(1, "green", "true", "", obj("indicator", 1), obj("indicator", 2))                            // 2 objects
	publish(2, "green", "true", "1,3", obj("indicator", 3), obj("malware", 4), obj("attack-pattern", 5)) // positions 1 and 3
	publish(3, "green", "", "", obj("indicator", 6))                                                     // not archivable
	publish(4, "red", "false", "", obj("malware", 7))                                                    // RED
	rec, err := json.Marshal(map[string]any{"time": "2026-11-22T10:00:00Z", "member": "bank-one", "submission_id": "sub-1",
		"verdict": "accept", "reason_codes": []string{}, "action": "decide"})
	require.NoError(t, err)
	_, err = js.Publish(ctx, wire.SubjectAudit, rec)
	require.NoError(t, err)

	opt := report.Options{MoU: policy.DemoMoU()}
	fromJS, err := report.Run(ctx, report.JetStreamSource{JS: js}, opt, nil)
	require.NoError(t, err)
	types := map[string]int64{}
	for _, v := range fromJS.Volumes {
		if v.Dimension == "type" {
			types[v.Key] += v.Objects
		}
	}
	require.Equal(t, map[string]int64{"indicator": 3, "attack-pattern": 1}, types)
	require.Equal(t, []report.TopItem{{Key: "T1190", Count: 1}}, fromJS.Techniques.Items)
	require.Empty(t, fromJS.Malware.Items)
	require.EqualValues(t, 1, fromJS.Partnership.Submissions)

	prefix := "rules" + time.Now().Format("150405.000000")
	cfg := archive.Config{Brokers: []string{b.Addr},
		ObjectsTopic: archive.TopicConfig{Name: prefix + ".objects", ReplicationFactor: 1},
		AuditTopic:   archive.TopicConfig{Name: prefix + ".audit", ReplicationFactor: 1}}
	bridge, err := archive.New(cfg, js, nil)
	require.NoError(t, err)
	bctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- bridge.Run(bctx) }()
	hubtest.Eventually(t, 30*time.Second, func() error {
		if got := bridge.Archived(); got[wire.StreamShare] < 4 || got[wire.StreamAudit] < 1 {
			return fmt.Errorf("archived %v", got)
		}
		return nil
	})
	stop()
	require.NoError(t, <-done)
	fromKafka, err := report.Run(ctx, report.KafkaSource{Brokers: []string{b.Addr},
		ObjectsTopic: cfg.ObjectsTopic.Name, AuditTopic: cfg.AuditTopic.Name}, opt, nil)
	require.NoError(t, err)
	a, k := *fromJS, *fromKafka
	a.Source, k.Source, a.Scanned.Bytes, k.Scanned.Bytes = "", "", 0, 0
	require.Equal(t, jsonOf(t, &a), jsonOf(t, &k))
}
