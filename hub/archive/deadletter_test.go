package archive_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/internal/deadletter"
)

// Two parts that cannot become records (not a bundle; a bundle whose object
// has an escape JSON does not know), between good parts: the good parts
// after them are archived, nothing of the poison ones reaches Kafka, and
// each is kept as a dead letter with its headers, counted and listed.
func TestBridgeDeadLettersPartsItCannotArchive(t *testing.T) {
	broker := kafkatest.Shared(t)
	nh := startNATS(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := newPublished()
	poison := func(body string) uint64 {
		msg := &nats.Msg{Subject: "geneva.share.green.all.bank-a", Data: []byte(body), Header: nats.Header{}}
		msg.Header.Set("Geneva-Submission", fmt.Sprintf("poison-%d", len(body)))
		msg.Header.Set("Geneva-Sender", "bank-a")
		msg.Header.Set("Geneva-TLP", "green")
		msg.Header.Set("Geneva-Archive", "true")
		ack, err := nh.js.PublishMsg(ctx, msg)
		require.NoError(t, err)
		return ack.Sequence
	}
	pub.publishPart(ctx, t, nh.js, "poison", 1, 2)
	notBundle := poison(`{"type":"bundle","objects":[`)
	pub.publishPart(ctx, t, nh.js, "poison", 2, 2)
	badEscape := poison(`{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","id":"indicator--00000000-0000-4000-8000-000000000001","name":"bell \a"}]}`)
	pub.publishPart(ctx, t, nh.js, "poison", 3, 2)

	cfg := testConfig(broker, "poison")
	cfg.DeadLetterDir = t.TempDir()
	br, err := archive.New(cfg, nh.js, testLogger(t))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	waitArchived(t, br.Archived, nh.js, 60*time.Second)
	pub.checkObjects(t, broker.Addr, cfg.ObjectsTopic.Name) // exactly the good parts' objects

	letters, err := deadletter.List(cfg.DeadLetterDir)
	require.NoError(t, err)
	require.Len(t, letters, 2)
	for i, seq := range []uint64{notBundle, badEscape} {
		l := letters[i]
		require.Equal(t, archive.DeadLetterQueue, l.Queue)
		require.Equal(t, fmt.Sprintf("share-%d", seq), l.Name)
		require.Equal(t, 1, l.Attempts)
		body, err := os.ReadFile(l.Path(cfg.DeadLetterDir))
		require.NoError(t, err)
		msg, err := nh.js.Stream(ctx, "GENEVA_SHARE")
		require.NoError(t, err)
		raw, err := msg.GetMsg(ctx, seq)
		require.NoError(t, err)
		require.Equal(t, raw.Data, body, "the dead letter is the part byte for byte")
		headers, err := os.ReadFile(strings.TrimSuffix(l.Path(cfg.DeadLetterDir), ".json") + ".headers")
		require.NoError(t, err)
		require.Contains(t, string(headers), `"Geneva-TLP":"green"`)
	}
	require.Contains(t, letters[0].Reason, "not a STIX bundle")
	require.Contains(t, letters[1].Reason, "is not valid JSON")

	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(br.Collector()))
	require.Equal(t, 2.0, metricValue(t, reg, "geneva_archive_skipped_messages_total", "GENEVA_SHARE"))
	cancel()
	require.NoError(t, <-done)
}
