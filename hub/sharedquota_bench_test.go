package hub_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/policy"
)

// BenchmarkSharedQuotaCharge is one submission charged to a member's
// shared quota account (a cluster's gate, sharedquota.go) on a real NATS
// KV, at the member's full rate: a lease is 10 submissions, so one in ten
// waits for a KV round trip on the gate's goroutine unless its lease was
// refilled ahead. "tight": back to back (the refill ahead has no time to
// land); "paced": one a millisecond, as submissions arrive (it has).
// charge-p99-ns is the 99th percentile of one charge's time.
func BenchmarkSharedQuotaCharge(b *testing.B) {
	for _, pace := range []time.Duration{0, time.Millisecond} {
		name := map[bool]string{true: "tight", false: "paced"}[pace == 0]
		b.Run(name, func(b *testing.B) {
			charge := sharedQuotaCharger(b)
			q := policy.Quota{SubmissionsPerSecond: 100, SubmissionBurst: 200, BytesPerDay: 1 << 40}
			t := time.Now()
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				if pace > 0 {
					b.StopTimer()
					time.Sleep(pace)
					b.StartTimer()
				}
				t = t.Add(10 * time.Millisecond) // the quota's clock: the full rate, never over quota
				start := time.Now()
				if code, err := charge("bank-one", q, 1000, t); code != "" || err != nil {
					b.Fatal(code, err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*99/100]), "charge-p99-ns")
		})
	}
}

func sharedQuotaCharger(b *testing.B) hub.QuotaCharger {
	nc, err := nats.Connect(hubtest.StartNATS(b).ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	charge, err := hub.NewSharedQuotaCharger(context.Background(), js)
	if err != nil {
		b.Fatal(err)
	}
	return charge
}
