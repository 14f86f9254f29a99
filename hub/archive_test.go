package hub_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/archive"
	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

func TestMain(m *testing.M) {
	code := m.Run()
	kafkatest.StopShared()
	os.Exit(code)
}

// archiveSettings writes to fresh topics of a single-broker cluster.
func archiveSettings(brokers ...string) archive.Settings {
	suffix := rand.Text()[:8]
	return archive.Settings{
		Brokers:        brokers,
		ObjectsTopic:   archive.TopicSettings{Name: "hub-objects-" + suffix, Partitions: 3, Replication: 1},
		AuditTopic:     archive.TopicSettings{Name: "hub-audit-" + suffix, Replication: 1},
		MinBackoff:     50 * time.Millisecond,
		MaxBackoff:     500 * time.Millisecond,
		RetentionCheck: 100 * time.Millisecond,
	}
}

type archiveCase struct {
	file, sender string
	opts         wire.SubmitOptions
}

// The policy cases the archive must reflect: GREEN to all, AMBER+STRICT to
// two named members, RED to one, GREEN and RED in one bundle, anonymous GREEN.
var archiveCases = []archiveCase{
	{"green-tlp2-to-all.json", "cert-three", wire.SubmitOptions{}},
	{"amber-strict-named.json", "bank-one", wire.SubmitOptions{To: []string{"le-alpha", "cert-three"}}},
	{"red-named.json", "le-bravo", wire.SubmitOptions{To: []string{"le-alpha"}}},
	{"mixed-green-red-addressed.json", "bank-one", wire.SubmitOptions{To: []string{"le-alpha"}}},
	{"green-tlp1-to-all.json", "isp-two", wire.SubmitOptions{Anonymous: true}},
}

// TestHubArchivesToKafka runs a real hub with the archive configured and a
// real Kafka broker: every shared non-RED STIX object is in the objects
// topic exactly once with the share's headers, no RED object is, and the
// audit topic holds one record per decision, byte for byte the stream's.
func TestHubArchivesToKafka(t *testing.T) {
	broker := kafkatest.Shared(t)
	settings := archiveSettings(broker.Addr)
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.Archive = settings }))
	members := connectAll(t, h)

	type want struct{ tlp, sender string }
	wantObjects := map[string]want{} // "submission/id"
	redIDs := map[string]bool{}
	receipts := map[string]wire.Receipt{}
	for _, c := range archiveCases {
		members[c.sender].Submit(t, caseBundle(t, c.file), c.opts)
		r := members[c.sender].NextReceipt(t, 10*time.Second)
		require.Equal(t, policy.Accept, r.Verdict, "%s: %+v", c.file, r.Reasons)
		receipts[r.Submission] = r
		sender := c.sender
		if c.opts.Anonymous {
			sender = "anonymous"
		}
		for _, o := range r.Objects {
			if _, marking := tlp.LevelOfID(o.ID); marking || !o.Shared {
				continue
			}
			if o.TLP == tlp.Red {
				redIDs[o.ID] = true
				continue
			}
			wantObjects[r.Submission+"/"+o.ID] = want{o.TLP.String(), sender}
		}
	}
	require.NotEmpty(t, redIDs, "the cases share RED objects")
	require.Len(t, wantObjects, 4, "one indicator from each case but the RED one")

	requireArchiveCaughtUp(t, h.HTTPAddr()) // the topics exist from here on
	var objects, audits []kafkatest.KcatRecord
	hubtest.Eventually(t, 60*time.Second, func() error {
		objects = kafkatest.KcatConsume(t, broker.Addr, settings.ObjectsTopic.Name)
		audits = kafkatest.KcatConsume(t, broker.Addr, settings.AuditTopic.Name)
		if len(objects) < len(wantObjects) || len(audits) < len(archiveCases) {
			return fmt.Errorf("%d of %d objects, %d of %d audit records in Kafka", len(objects), len(wantObjects), len(audits), len(archiveCases))
		}
		return nil
	})
	requireArchiveCaughtUp(t, h.HTTPAddr())
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show; the checks below must see none
	objects = kafkatest.KcatConsume(t, broker.Addr, settings.ObjectsTopic.Name)
	audits = kafkatest.KcatConsume(t, broker.Addr, settings.AuditTopic.Name)

	seen := map[string]int{}
	for _, r := range objects {
		require.NotNil(t, r.Key)
		require.NotNil(t, r.Payload)
		id, hd := *r.Key, r.Headers
		require.False(t, redIDs[id], "RED object %s archived", id)
		require.NotEqual(t, "red", hd["geneva-tlp"])
		k := hd["geneva-submission"] + "/" + id
		seen[k]++
		w, ok := wantObjects[k]
		require.True(t, ok, "%s archived but not shared (or a TLP marking)", k)
		require.Equal(t, w.tlp, hd["geneva-tlp"], k)
		require.Equal(t, w.sender, hd["geneva-sender"], k)
		var obj struct{ ID, Type string }
		require.NoError(t, json.Unmarshal([]byte(*r.Payload), &obj), k)
		require.Equal(t, id, obj.ID)
		require.Equal(t, obj.Type, hd["stix-type"])
		require.Equal(t, wire.StreamShare, hd["nats-stream"])
		require.NotEmpty(t, hd["nats-seq"])
		rec := receipts[hd["geneva-submission"]]
		for _, a := range strings.Split(hd["geneva-audience"], ",") {
			require.True(t, slices.ContainsFunc(rec.Routes, func(rt wire.RouteReceipt) bool { return slices.Contains(rt.Audience, a) }),
				"%s: audience %q not in the receipt's routes", k, a)
		}
		_, err := time.Parse(time.RFC3339, hd["geneva-received"])
		require.NoError(t, err, k)
	}
	for k := range wantObjects {
		require.Equal(t, 1, seen[k], "%s archived %d times", k, seen[k])
	}
	for k, n := range seen {
		require.Equal(t, 1, n, "%s archived %d times", k, n)
	}

	// The audit topic is the audit stream, one record per decision.
	stream := auditStream(t, h)
	require.Len(t, audits, len(stream))
	decided := map[string]int{}
	for _, r := range audits {
		seq, err := strconv.ParseUint(*r.Key, 10, 64)
		require.NoError(t, err)
		require.Equal(t, string(stream[seq]), *r.Payload, "audit record %d", seq)
		var rec audit.Record
		require.NoError(t, json.Unmarshal([]byte(*r.Payload), &rec))
		if rec.Action == "decide" {
			decided[rec.Submission]++
		}
		if _, ok := receipts[rec.Submission]; ok {
			require.Equal(t, receipts[rec.Submission].Member, rec.Member)
		}
	}
	for sub := range receipts {
		require.Equal(t, 1, decided[sub], "decision records of %s", sub)
	}
}

// auditStream reads GENEVA_AUDIT as the operator, by sequence.
func auditStream(t *testing.T, h *hubtest.Hub) map[uint64][]byte {
	t.Helper()
	op := h.Member(t, wire.OperatorName)
	cons, err := op.JS.OrderedConsumer(ctx(t), wire.StreamAudit, jetstream.OrderedConsumerConfig{})
	require.NoError(t, err)
	out := map[uint64][]byte{}
	for {
		m, err := cons.Next(jetstream.FetchMaxWait(300 * time.Millisecond))
		if err != nil {
			return out
		}
		md, err := m.Metadata()
		require.NoError(t, err)
		out[md.Sequence.Stream] = m.Data()
	}
}

var lagRE = regexp.MustCompile(`(?m)^geneva_archive_lag_messages\{stream="(\w+)"\} (\S+)$`)

// scrape returns the hub's /metrics text.
func scrape(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// requireArchiveCaughtUp waits until the hub's /metrics says both streams
// are fully archived.
func requireArchiveCaughtUp(t *testing.T, addr string) {
	t.Helper()
	hubtest.Eventually(t, 30*time.Second, func() error {
		_, text := scrape(t, addr, "/metrics")
		lags := lagRE.FindAllStringSubmatch(text, -1)
		if len(lags) != 2 {
			return fmt.Errorf("want the lag of 2 streams on /metrics, got %q", lags)
		}
		for _, l := range lags {
			if l[2] != "0" {
				return fmt.Errorf("stream %s: lag %s", l[1], l[2])
			}
		}
		return nil
	})
}

// TestHubSharesWhileKafkaIsDown: with the brokers unreachable the hub
// starts, shares flow, /readyz stays ready and the bridge's errors show on
// /metrics.
func TestHubSharesWhileKafkaIsDown(t *testing.T) {
	settings := archiveSettings(deadAddr(t))
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.Archive = settings }))
	members := connectAll(t, h)
	members["cert-three"].Submit(t, caseBundle(t, "green-tlp2-to-all.json"), wire.SubmitOptions{})
	require.Equal(t, policy.Accept, members["cert-three"].NextReceipt(t, 10*time.Second).Verdict)
	hubtest.ExpectShares(t, members, map[string]int{"le-alpha": 1, "le-bravo": 1, "bank-one": 1, "isp-two": 1}, 300*time.Millisecond)

	code, body := scrape(t, h.HTTPAddr(), "/readyz")
	require.Equal(t, http.StatusOK, code, body)
	errorsRE := regexp.MustCompile(`(?m)^geneva_archive_write_errors_total\{topic="` + settings.ObjectsTopic.Name + `"\} [1-9]`)
	hubtest.Eventually(t, 10*time.Second, func() error {
		if _, text := scrape(t, h.HTTPAddr(), "/metrics"); !errorsRE.MatchString(text) {
			return fmt.Errorf("no Kafka write errors on /metrics yet")
		}
		return nil
	})
	code, body = scrape(t, h.HTTPAddr(), "/readyz")
	require.Equal(t, http.StatusOK, code, "archive trouble does not make the hub unready: %s", body)
	require.NoError(t, h.Stop(), "the hub stops cleanly with the bridge still retrying")
}

// deadAddr is a local address nobody listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
