package report_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/report"
	"github.com/genevahub/geneva/policy"
)

// archiveTopics creates an objects topic (6 partitions) and an audit topic
// (1) named after the test, and writes objs and auds as the archive bridge
// writes them (its header names).
func archiveTopics(t testing.TB, addr string, objs []testObject, auds []testAudit) report.KafkaSource {
	t.Helper()
	name := "t" + strconv.FormatInt(time.Now().UnixNano(), 36)
	src := report.KafkaSource{Brokers: []string{addr}, ObjectsTopic: name + ".objects", AuditTopic: name + ".audit"}
	conn, err := kafka.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	ctrl, err := conn.Controller()
	require.NoError(t, err)
	cc, err := kafka.Dial("tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	require.NoError(t, err)
	defer cc.Close()
	require.NoError(t, cc.CreateTopics(
		kafka.TopicConfig{Topic: src.ObjectsTopic, NumPartitions: 6, ReplicationFactor: 1},
		kafka.TopicConfig{Topic: src.AuditTopic, NumPartitions: 1, ReplicationFactor: 1}))

	writeArchive(t, addr, src, 0, objs, auds)
	return src
}

// writeArchive writes objs and auds to src's topics, numbering them from
// first on, as the bridge writes them.
func writeArchive(t testing.TB, addr string, src report.KafkaSource, first int, objs []testObject, auds []testAudit) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(addr), Balancer: &kafka.Hash{}, BatchSize: 1000, BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	msgs := make([]kafka.Message, 0, len(objs))
	for i, o := range objs {
		i += first
		msgs = append(msgs, kafka.Message{Topic: src.ObjectsTopic, Key: []byte(strconv.Itoa(i)), Value: o.json, Headers: []kafka.Header{
			{Key: archive.HeaderTLP, Value: []byte(o.tlp)},
			{Key: archive.HeaderSender, Value: []byte(o.sender)},
			{Key: archive.HeaderSubmission, Value: []byte("sub-" + strconv.Itoa(i/3))},
			{Key: archive.HeaderAudience, Value: []byte(o.audienceHeader())},
			{Key: archive.HeaderReceived, Value: []byte(o.received.Format(time.RFC3339))},
			{Key: archive.HeaderStream, Value: []byte("GENEVA_SHARE")},
			{Key: archive.HeaderSeq, Value: []byte(strconv.Itoa(i + 1))},
			{Key: archive.HeaderIndex, Value: []byte("0")},
			{Key: archive.HeaderSTIXType, Value: []byte(o.typ)},
		}})
	}
	for i, a := range auds {
		i += first
		msgs = append(msgs, kafka.Message{Topic: src.AuditTopic, Key: []byte(strconv.Itoa(i + 1)), Value: a.json, Headers: []kafka.Header{
			{Key: archive.HeaderStream, Value: []byte("GENEVA_AUDIT")},
			{Key: archive.HeaderSeq, Value: []byte(strconv.Itoa(i + 1))},
			{Key: archive.HeaderIndex, Value: []byte("0")},
		}})
	}
	for {
		// A new topic takes a moment to reach the broker's metadata.
		err := w.WriteMessages(ctx, msgs...)
		if errors.Is(err, kafka.UnknownTopicOrPartition) && ctx.Err() == nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		require.NoError(t, err)
		break
	}
}

func TestKafkaReportFigures(t *testing.T) {
	b := kafkatest.Shared(t)
	objs, auds := knownDataSet(3000, 400)
	src := archiveTopics(t, b.Addr, objs, auds)

	windowFrom := time.Date(2025, 12, 20, 12, 0, 0, 0, time.UTC)
	windowTo := time.Date(2026, 1, 9, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		period   report.Period
		from, to time.Time
	}{
		{"all by day", report.Day, time.Time{}, time.Time{}},
		{"all by week", report.Week, time.Time{}, time.Time{}},
		{"all by month", report.Month, time.Time{}, time.Time{}},
		{"window by week", report.Week, windowFrom, windowTo},
		{"year 2026 by month", report.Month, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var p report.Progress
			r, err := report.Run(ctx, src, report.Options{MoU: policy.DemoMoU(), From: tc.from, To: tc.to, Period: tc.period}, &p)
			require.NoError(t, err)
			require.Equal(t, "kafka", r.Source)
			require.EqualValues(t, len(objs)+len(auds), p.Total.Load())
			require.EqualValues(t, len(objs)+len(auds), p.Records.Load())
			requireFigures(t, compute(objs, auds, tc.from, tc.to, tc.period), r)
		})
	}
}

// With --from, each partition is read from the first record written at or
// after it: the older records (all received before --from) are not
// fetched at all.
func TestKafkaReportSeeksToFrom(t *testing.T) {
	b := kafkatest.Shared(t)
	older, audits := knownDataSet(300, 40)
	src := archiveTopics(t, b.Addr, older, audits)
	// A whole second (the received header has whole seconds) after the
	// older records were written, and before the newer ones are.
	from := time.Now().UTC().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(from) + 100*time.Millisecond)
	newer, _ := knownDataSet(200, 0)
	for i := range newer {
		newer[i].received = from.Add(time.Duration(i) * time.Second)
	}
	writeArchive(t, b.Addr, src, len(older), newer, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var p report.Progress
	src.From = from
	r, err := report.Run(ctx, src, report.Options{MoU: policy.DemoMoU(), From: from, Period: report.Day}, &p)
	require.NoError(t, err)
	require.EqualValues(t, len(newer), p.Total.Load(), "only what was written after --from is read")
	for _, o := range older {
		require.True(t, o.received.Before(from), "the older records are outside the window anyway")
	}
	requireFigures(t, compute(newer, nil, from, time.Time{}, report.Day), r)
}

// A late second copy of records already in the archive (a produce request
// the broker stored after the bridge gave up on it and rewrote it, see
// docs/archive.md) is skipped and counted, and the figures hold.
func TestKafkaReportDropsLateCopies(t *testing.T) {
	b := kafkatest.Shared(t)
	objs, auds := knownDataSet(600, 80)
	src := archiveTopics(t, b.Addr, objs, auds)
	writeArchive(t, b.Addr, src, 200, objs[200:260], nil) // objects 200-259 again
	writeArchive(t, b.Addr, src, 10, nil, auds[10:25])    // audit records 10-24 again

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var p report.Progress
	r, err := report.Run(ctx, src, report.Options{MoU: policy.DemoMoU(), Period: report.Week}, &p)
	require.NoError(t, err)
	require.EqualValues(t, len(objs)+len(auds)+60+15, p.Records.Load(), "every record is read")
	require.EqualValues(t, 60+15, r.Scanned.Duplicates)
	requireFigures(t, compute(objs, auds, time.Time{}, time.Time{}, report.Week), r)
}

func TestKafkaReportCancelledIsIncomplete(t *testing.T) {
	b := kafkatest.Shared(t)
	objs, auds := knownDataSet(500, 50)
	src := archiveTopics(t, b.Addr, objs, auds)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := report.Run(ctx, src, report.Options{MoU: policy.DemoMoU()}, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, r.Complete)
}

func TestKafkaReportMissingTopic(t *testing.T) {
	b := kafkatest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := report.Run(ctx, report.KafkaSource{Brokers: []string{b.Addr}, ObjectsTopic: "no.such.topic", AuditTopic: "nor.this"},
		report.Options{}, nil)
	require.ErrorContains(t, err, "no.such.topic")
}
