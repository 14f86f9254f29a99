package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/genevahub/geneva/connectors/webhook"
)

// reportOf is a report of n domain indicators and its request body.
func reportOf(n int) (webhook.Report, []byte) {
	r := webhook.Report{Title: "spray", Occurred: "2026-11-21T22:10:00Z", TLP: "green"}
	for i := range n {
		r.Indicators = append(r.Indicators, webhook.Indicator{Type: "domain", Value: fmt.Sprintf("d%d.example", i)})
	}
	body, _ := json.Marshal(r)
	return r, body
}

// BenchmarkReportBundle: report → bundle from 100 to 100k indicators,
// beside decoding the same request (json.Unmarshal into a Report) in the
// same run. Linear work shows as a flat ns/indicator and a flat ratio.
func BenchmarkReportBundle(b *testing.B) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{100, 1_000, 10_000, 100_000} {
		r, body := reportOf(n)
		b.Run(fmt.Sprintf("indicators=%d/unmarshal", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var got webhook.Report
				if err := json.Unmarshal(body, &got); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/indicator")
		})
		b.Run(fmt.Sprintf("indicators=%d/bundle", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, _, err := r.Bundle("identity--0fd9d05e-820a-5a62-aa19-b73cd97bff54", now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/indicator")
		})
	}
}

// TestBundleStopsWhenTheClientLeaves: a cancelled request stops the
// building at once instead of finishing 100k indicators for nobody.
func TestBundleStopsWhenTheClientLeaves(t *testing.T) {
	r, _ := reportOf(100_000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, _, err := r.BundleWithin(ctx, "", time.Now(), 0)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("took %v after the client left", took)
	}
}
