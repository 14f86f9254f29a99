package archive

import (
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/segmentio/kafka-go"
)

// BenchmarkPartToCalls is the bridge's own work per part, without NATS or
// Kafka: parts of one to eight indicators and their TLP marking (as the
// hub shares them) become records, are gathered by the batcher and cut
// into write calls. The end-to-end benchmark (bench_test.go) is too noisy
// on a shared machine to see a change of a few percent here.
//
//	go test -run '^$' -bench PartToCalls -benchmem ./hub/archive/
func BenchmarkPartToCalls(b *testing.B) {
	const parts = 256
	cfg := Config{}.withDefaults()
	cfg.BatchBytes = 1<<20 + recordAllowance // as New sets it for NATS's default max_payload
	w := cfg.Wire
	bodies, headers := make([][]byte, parts), make([]nats.Header, parts)
	objects := 0
	for n := range parts {
		body := `{"type":"bundle","id":"bundle--00000000-1111-4000-8000-000000000000","objects":[` +
			`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","created":"2022-10-01T00:00:00.000Z","name":"TLP:GREEN","extensions":{}}`
		k := 1 + n%8
		for i := range k {
			body += fmt.Sprintf(`,{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-0000-4000-8000-%012x","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.%03dZ","name":"part %d object %d","pattern_type":"stix","pattern":"[ipv4-addr:value = '10.%d.%d.%d']","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`,
				n, i, n%1000, n, i, n%250, i, n%7)
		}
		bodies[n] = []byte(body + "]}")
		objects += k
		headers[n] = nats.Header{
			w.Submission: {fmt.Sprintf("sub-%d", n)}, w.Sender: {"bank-a"}, w.TLP: {"green"},
			w.Audience: {"bank-a,cert-x,police-y"}, w.Received: {"2026-11-22T17:00:00Z"}, w.ArchiveFlag: {"true"},
		}
	}
	p := &pipeline{cfg: cfg}
	bt := &batcher{p: p, spent: make(chan []kafka.Message, 2)}
	b.ReportAllocs()
	b.ResetTimer()
	seq := uint64(0)
	for range b.N {
		for n := range parts {
			seq++
			records, err := cfg.shareRecords(w.ShareStream, seq, headers[n], bodies[n])
			if err != nil {
				b.Fatal(err)
			}
			bt.add(message{seq: seq, records: records})
			for bt.full() {
				bt.reuse(bt.cut().msgs)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*objects), "ns/record")
}
