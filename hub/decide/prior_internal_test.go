package decide

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

func sharedReceipt(member string, level tlp.Level, audience []string, ids ...string) *wire.Receipt {
	r := &wire.Receipt{Member: member, Verdict: policy.Accept}
	for _, id := range ids {
		r.Objects = append(r.Objects, wire.ObjectReceipt{ID: id, Type: "indicator", Shared: true, TLP: level, Audience: audience})
	}
	return r
}

// The index forgets an object once the last receipt that shared it is
// older than GENEVA_RECEIPT's MaxAge (as a restart would, rebuilding from
// the stored receipts), and only then: an object shared again within the
// retention keeps its highest TLP and whole audience. Without the sweep a
// long-running hub kept every object ever shared.
func TestPriorIndexForgetsWhatAgedOutOfTheReceipts(t *testing.T) {
	p := NewPriorIndex()
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return clock }
	p.setMaxAge(time.Hour)

	p.record(sharedReceipt("bank-one", tlp.Amber, []string{"le-alpha", "cert-three"}, "indicator--old", "indicator--again"), clock)
	clock = clock.Add(50 * time.Minute)
	p.record(sharedReceipt("le-alpha", tlp.Green, []string{"isp-two"}, "indicator--again"), clock)

	clock = clock.Add(20 * time.Minute) // 70 min after the first receipt, 20 after the second
	p.record(sharedReceipt("le-alpha", tlp.Green, []string{"isp-two"}, "indicator--new"), clock)

	_, ok := p.Object("indicator--old")
	require.False(t, ok, "an object whose only receipt aged out is forgotten")
	again, ok := p.Object("indicator--again")
	require.True(t, ok, "an object shared again within the retention is kept")
	require.Equal(t, policy.PriorObject{Originator: "bank-one", TLP: tlp.Amber, Audience: []string{"cert-three", "isp-two", "le-alpha"}}, again,
		"kept with its first originator, highest TLP and whole audience")
	_, ok = p.Object("indicator--new")
	require.True(t, ok)

	clock = clock.Add(2 * time.Hour)
	p.record(sharedReceipt("le-alpha", tlp.Green, []string{"isp-two"}, "indicator--last"), clock)
	require.Len(t, p.objects, 1, "only the object of the last receipt is left")
}

// Without a MaxAge on GENEVA_RECEIPT the index keeps everything.
func TestPriorIndexWithoutRetentionKeepsEverything(t *testing.T) {
	p := NewPriorIndex()
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return clock }
	p.record(sharedReceipt("bank-one", tlp.Green, []string{"le-alpha"}, "indicator--a"), clock)
	clock = clock.Add(365 * 24 * time.Hour)
	p.record(sharedReceipt("bank-one", tlp.Green, []string{"le-alpha"}, "indicator--b"), clock)
	require.Len(t, p.objects, 2)
}

// Entries share their originator and audience: a receipt's decoded
// strings are not kept, and an audience is stored once however many
// objects reached it.
func TestPriorIndexSharesAudiences(t *testing.T) {
	p := NewPriorIndex()
	now := time.Now()
	for i := range 100 {
		p.record(sharedReceipt("bank-one", tlp.Green, []string{"le-alpha", "cert-three"}, fmt.Sprintf("indicator--%d", i)), now)
	}
	a, _ := p.Object("indicator--1")
	b, _ := p.Object("indicator--99")
	require.Equal(t, []string{"cert-three", "le-alpha"}, a.Audience)
	require.Same(t, &a.Audience[0], &b.Audience[0], "one audience slice for both")
	require.Len(t, p.audiences, 1)
}

// BenchmarkPriorIndexBytesPerObject reports the live heap the index holds
// per object shared (one-object receipts with the soak's audience,
// decoded from JSON as follow does).
func BenchmarkPriorIndexBytesPerObject(b *testing.B) {
	const n = 100_000
	var ms runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		p := NewPriorIndex()
		now := time.Now()
		for i := range n {
			id := fmt.Sprintf("indicator--%08d-0000-4000-8000-000000000000", i)
			data, _ := json.Marshal(sharedReceipt("bank-one", tlp.Green, []string{"cert-three", "isp-two", "le-alpha", "le-bravo"}, id))
			var r wire.Receipt // decoded, as follow does: its strings are fresh
			if err := json.Unmarshal(data, &r); err != nil {
				b.Fatal(err)
			}
			p.record(&r, now)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc-before)/n, "bytes/object")
		runtime.KeepAlive(p)
	}
}
