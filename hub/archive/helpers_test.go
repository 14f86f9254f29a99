package archive_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/policy/tlp"
)

func TestMain(m *testing.M) {
	code := m.Run()
	kafkatest.StopShared()
	os.Exit(code)
}

// natsHub is an embedded nats-server with the hub's two streams as the hub
// creates them (limits retention).
type natsHub struct {
	srv *server.Server
	nc  *nats.Conn
	js  jetstream.JetStream
}

func startNATS(t testing.TB) *natsHub {
	t.Helper()
	srv := hubtest.StartNATS(t)
	nc, err := nats.Connect(srv.ClientURL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "GENEVA_SHARE", Subjects: []string{"geneva.share.>"}})
	require.NoError(t, err)
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "GENEVA_AUDIT", Subjects: []string{"geneva.audit"}})
	require.NoError(t, err)
	return &natsHub{srv: srv, nc: nc, js: js}
}

// published is what the test expects in Kafka.
type published struct {
	mu      sync.Mutex
	objects map[string]expectObject // by "seq/index"
	red     map[string]bool         // STIX ids that were shared as RED
	audit   map[uint64][]byte
}

type expectObject struct {
	id, modified, tlp, sender, submission, audience, received string
	json                                                      []byte
}

func newPublished() *published {
	return &published{objects: map[string]expectObject{}, red: map[string]bool{}, audit: map[uint64][]byte{}}
}

var levels = []string{"clear", "green", "amber", "amber+strict", "red"}

// publishPart publishes part n of a run as the hub does: a bundle of k
// objects plus the TLP marking definition, with the Geneva headers.
func (p *published) publishPart(ctx context.Context, t testing.TB, js jetstream.JetStream, run string, n, k int) {
	t.Helper()
	level := levels[n%len(levels)]
	lvl, err := tlp.ParseLevel(level)
	require.NoError(t, err)
	marking := tlp.ID(lvl)
	objs := []map[string]any{{
		"type": "marking-definition", "spec_version": "2.1", "id": marking, "created": "2022-10-01T00:00:00.000Z",
		"name": "TLP:" + strings.ToUpper(level), "extensions": map[string]any{},
	}}
	modified := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	for i := range k {
		objs = append(objs, map[string]any{
			"type": "indicator", "spec_version": "2.1",
			"id":      fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", n, i),
			"created": "2026-01-01T00:00:00.000Z", "modified": modified,
			"name": fmt.Sprintf("%s part %d object %d", run, n, i), "pattern_type": "stix",
			"pattern":             fmt.Sprintf("[ipv4-addr:value = '10.%d.%d.%d']", n%250, i%250, n%7),
			"valid_from":          "2026-01-01T00:00:00Z",
			"object_marking_refs": []string{marking},
		})
	}
	body, err := json.Marshal(map[string]any{"type": "bundle", "id": fmt.Sprintf("bundle--%08x-1111-4000-8000-000000000000", n), "objects": objs})
	require.NoError(t, err)
	archive := "true"
	if level == "red" {
		archive = "false"
	}
	sub := fmt.Sprintf("%s-sub-%d", run, n)
	sender := "bank-a"
	if n%3 == 0 {
		sender = "anonymous"
	}
	received := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second).Format(time.RFC3339)
	msg := &nats.Msg{Subject: "geneva.share." + level + ".all." + sender, Data: body, Header: nats.Header{}}
	msg.Header.Set("Geneva-Submission", sub)
	msg.Header.Set("Geneva-Sender", sender)
	msg.Header.Set("Geneva-TLP", level)
	msg.Header.Set("Geneva-Audience", "bank-a,cert-x,police-y")
	msg.Header.Set("Geneva-Received", received)
	msg.Header.Set("Geneva-Archive", archive)
	msg.Header.Set(nats.MsgIdHdr, sub+"/all")
	// Every seventh part archives only its odd positions, as a part split
	// per member does for all copies but one.
	only := func(i int) bool { return true }
	if n%7 == 6 {
		var odd []string
		for i := 1; i < len(objs); i += 2 {
			odd = append(odd, strconv.Itoa(i))
		}
		msg.Header.Set("Geneva-Archive-Objects", strings.Join(odd, ","))
		only = func(i int) bool { return i%2 == 1 }
	}
	ack, err := js.PublishMsg(ctx, msg)
	require.NoError(t, err)

	p.mu.Lock()
	defer p.mu.Unlock()
	for i, o := range objs {
		if i == 0 {
			continue // the TLP marking definition is not archived
		}
		if level == "red" {
			p.red[o["id"].(string)] = true
			continue
		}
		if !only(i) {
			continue // left to another message of the part
		}
		raw, _ := json.Marshal(o)
		p.objects[fmt.Sprintf("%d/%d", ack.Sequence, i)] = expectObject{
			id: o["id"].(string), modified: modified, tlp: level, sender: sender, submission: sub,
			audience: "bank-a,cert-x,police-y", received: received, json: raw,
		}
	}
}

// publishAudit appends one audit record, as the hub does, for every part.
func (p *published) publishAudit(ctx context.Context, t testing.TB, js jetstream.JetStream, run string, n int) {
	t.Helper()
	body := fmt.Appendf(nil, `{"time":"2026-11-22T17:00:%02dZ","member":"bank-a","submission":"%s-sub-%d","verdict":"accepted","prev":"%064x"}`, n%60, run, n, n)
	ack, err := js.Publish(ctx, "geneva.audit", body)
	require.NoError(t, err)
	p.mu.Lock()
	p.audit[ack.Sequence] = body
	p.mu.Unlock()
}

// checkObjects reads the objects topic with kcat and requires exactly the
// expected records: every non-RED object once (by nats-seq/index and by
// STIX id + modified), with its headers, nothing else, and each partition
// in stream order.
func (p *published) checkObjects(t testing.TB, addr, topic string) {
	t.Helper()
	p.checkObjectRecords(t, kafkatest.KcatConsume(t, addr, topic))
}

// checkObjectRecords is checkObjects on records already read.
func (p *published) checkObjectRecords(t testing.TB, recs []kafkatest.KcatRecord) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := map[string]bool{}
	versions := map[string]bool{}
	type place struct {
		offset     int64
		seq, index int
	}
	last := map[int]place{} // partition → its record at the highest offset so far
	for _, r := range recs {
		seq, err := strconv.Atoi(r.Headers[archive.HeaderSeq])
		require.NoError(t, err, "record %s/%d@%d: nats-seq", r.Topic, r.Partition, r.Offset)
		index, err := strconv.Atoi(r.Headers[archive.HeaderIndex])
		require.NoError(t, err, "record %s/%d@%d: object index", r.Topic, r.Partition, r.Offset)
		if prev, ok := last[r.Partition]; ok && r.Offset > prev.offset {
			require.True(t, prev.seq < seq || (prev.seq == seq && prev.index < index),
				"partition %d out of stream order: %d/%d at offset %d, then %d/%d at offset %d", r.Partition, prev.seq, prev.index, prev.offset, seq, index, r.Offset)
		}
		if prev, ok := last[r.Partition]; !ok || r.Offset > prev.offset {
			last[r.Partition] = place{r.Offset, seq, index}
		}
		require.NotNil(t, r.Key, "record %s/%d@%d has no key", r.Topic, r.Partition, r.Offset)
		require.NotNil(t, r.Payload)
		require.False(t, p.red[*r.Key], "RED object %s was archived", *r.Key)
		at := r.Headers[archive.HeaderSeq] + "/" + r.Headers[archive.HeaderIndex]
		require.False(t, seen[at], "record %s (%s) written twice", at, *r.Key)
		seen[at] = true
		want, ok := p.objects[at]
		require.True(t, ok, "unexpected record at nats-seq/index %s: key %s", at, *r.Key)
		version := *r.Key + "@" + r.Headers[archive.HeaderModified]
		require.False(t, versions[version], "object version %s written twice", version)
		versions[version] = true
		require.Equal(t, want.id, *r.Key)
		require.JSONEq(t, string(want.json), *r.Payload)
		require.Equal(t, want.modified, r.Headers[archive.HeaderModified])
		require.Equal(t, want.tlp, r.Headers[archive.HeaderTLP])
		require.Equal(t, want.sender, r.Headers[archive.HeaderSender])
		require.Equal(t, want.submission, r.Headers[archive.HeaderSubmission])
		require.Equal(t, want.audience, r.Headers[archive.HeaderAudience])
		require.Equal(t, want.received, r.Headers[archive.HeaderReceived])
		require.Equal(t, "GENEVA_SHARE", r.Headers[archive.HeaderStream])
		require.Equal(t, "indicator", r.Headers[archive.HeaderSTIXType])
	}
	require.Equal(t, len(p.objects), len(seen), "objects topic holds %d of %d expected records", len(seen), len(p.objects))
}

// checkAudit requires every audit entry once, byte for byte, in order.
func (p *published) checkAudit(t testing.TB, addr, topic string) {
	t.Helper()
	p.checkAuditRecords(t, kafkatest.KcatConsume(t, addr, topic))
}

// checkAuditRecords is checkAudit on records already read.
func (p *published) checkAuditRecords(t testing.TB, recs []kafkatest.KcatRecord) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	require.Len(t, recs, len(p.audit))
	var prev uint64
	for _, r := range recs {
		seq, err := strconv.ParseUint(r.Headers[archive.HeaderSeq], 10, 64)
		require.NoError(t, err)
		require.Greater(t, seq, prev, "audit records out of order")
		prev = seq
		require.Equal(t, string(p.audit[seq]), *r.Payload)
		require.Equal(t, "GENEVA_AUDIT", r.Headers[archive.HeaderStream])
	}
}

// waitArchived waits until the bridge's position reaches both streams'
// current ends (call it after publishing). It reads the stream ends once:
// stream info requests are not free, and a benchmark polls.
func waitArchived(t testing.TB, archived func() map[string]uint64, js jetstream.JetStream, limit time.Duration) {
	t.Helper()
	ctx := context.Background()
	ends := map[string]uint64{}
	for _, name := range []string{"GENEVA_SHARE", "GENEVA_AUDIT"} {
		s, err := js.Stream(ctx, name)
		require.NoError(t, err)
		ends[name] = s.CachedInfo().State.LastSeq
	}
	deadline := time.Now().Add(limit)
	for {
		done := true
		got := archived()
		for name, end := range ends {
			if got[name] < end {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("bridge did not catch up within %s: archived %v, stream ends %v", limit, got, ends)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testLogger sends the bridge's logs to the test's log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
