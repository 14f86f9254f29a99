package taxii

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkIndexBytesPerObject reports the live heap the index holds per
// object shared: one-indicator share messages like bench/soak's, on the
// few subjects a partnership uses.
func BenchmarkIndexBytesPerObject(b *testing.B) {
	const n = 100_000
	subjects := []string{"geneva.share.green.all.g1.bank-one", "geneva.share.green.all.g1.le-alpha"}
	var ms runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		x := NewIndex(testScope)
		at := time.Now()
		for i := range n {
			body := fmt.Sprintf(`{"type":"bundle","id":"bundle--%08d-0000-4000-8000-000000000000","objects":[{"type":"indicator","spec_version":"2.1",`+
				`"id":"indicator--%08d-0000-4000-8000-000000000000","created":"2026-12-07T14:50:23.123Z","modified":"2026-12-07T14:50:23.123Z",`+
				`"pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2026-12-07T14:50:23Z"}]}`, i, i)
			subject := string([]byte(subjects[i%2])) // a message's subject is its own string
			x.add(uint64(i+1), at.Add(time.Duration(i)*time.Millisecond), subject, []byte(body))
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc-before)/n, "bytes/object")
		runtime.KeepAlive(x)
	}
}
