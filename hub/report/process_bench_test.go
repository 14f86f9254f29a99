package report

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/genevahub/geneva/policy"
)

// BenchmarkProcessRecord is the per-record work of a Kafka scan without
// the network: headers, STIX parse, aggregation.
func BenchmarkProcessRecord(b *testing.B) {
	msgs := make([]kafka.Message, 1000)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range msgs {
		rec := base.Add(time.Duration(i) * 30 * time.Second)
		ts := rec.Add(-time.Hour).Format("2006-01-02T15:04:05.000Z")
		msgs[i] = kafka.Message{Offset: int64(i), Value: fmt.Appendf(nil, `{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-0000-4000-8000-000000000000","created":"%s","modified":"%s","name":"Indicator %d","description":"Phishing infrastructure seen by a member.","pattern":"[url:value = 'https://evil.example/%d/login']","pattern_type":"stix","valid_from":"%s","indicator_types":["malicious-activity"],"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`, i, ts, ts, i, i, ts),
			Headers: []kafka.Header{
				{Key: "geneva-tlp", Value: []byte("green")},
				{Key: "geneva-sender", Value: []byte("bank-one")},
				{Key: "geneva-submission", Value: []byte("sub-" + strconv.Itoa(i/5))},
				{Key: "geneva-audience", Value: []byte("le-alpha,le-bravo,bank-one,isp-two,cert-three")},
				{Key: "geneva-received", Value: []byte(rec.Format(time.RFC3339))},
				{Key: "nats-stream", Value: []byte("GENEVA_SHARE")},
				{Key: "nats-seq", Value: []byte(strconv.Itoa(i/5 + 1))},
				{Key: "geneva-object-index", Value: []byte(strconv.Itoa(i % 5))},
				{Key: "stix-type", Value: []byte("indicator")},
			}}
	}
	agg := NewAggregator(Options{MoU: policy.DemoMoU()})
	var (
		op  ObjectParser
		obj Object
	)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m := &msgs[i%len(msgs)]
		if err := objectOfMessage(&op, m, &obj); err != nil {
			b.Fatal(err)
		}
		agg.AddObject(&obj)
	}
}
