package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/genevahub/geneva/hub/wire"
)

// natsPath is the same single-object submission as a TAXII POST, through
// NATS (submitThroughNATS, in a child process as the TAXII client is). Its
// CPU per submission, beside a single POST's, is what the TAXII layer
// adds.
type natsPath struct {
	rate, cpuPerSub float64 // submissions per second; CPU-µs of the hub per submission
}

func measureNATSPath(count int) (natsPath, error) {
	var r natsPath
	s, err := startHub()
	if err != nil {
		return r, err
	}
	defer s.stop()
	job := clientJob{NATSURL: s.hub.ClientURL(), Creds: wire.CredsPath(s.hub.DataDir(), "bank-one"), N: 1}
	job.Count = warmUp
	if _, _, err := outside(s, job); err != nil {
		return r, err
	}
	job.Count = count
	rate, perCPU, err := outside(s, job)
	if err != nil {
		return r, err
	}
	return natsPath{rate: rate, cpuPerSub: 1e6 / perCPU}, nil
}

// reportNATSPath prints the hub's CPU per single submission through TAXII
// (a POST answered complete) and through NATS, medians of the runs; and,
// beside medallion's single POSTs, the NATS path's rate and CPU: the
// ceiling of a TAXII POST, which is that path plus HTTP.
func reportNATSPath(results [][]result, runs []natsPath) {
	if len(runs) == 0 || len(results) == 0 || len(results[0]) == 0 {
		return
	}
	medianOf := func(f func(natsPath) float64) float64 {
		xs := make([]result, len(runs)) // median reads results: f's value as .single
		for i, r := range runs {
			xs[i].single = f(r)
		}
		return median(xs, func(r result) float64 { return r.single })
	}
	viaTAXII := median(results[0], func(r result) float64 { return 1e6 / r.cpu[0] })
	viaNATS, natsRate := medianOf(func(r natsPath) float64 { return r.cpuPerSub }), medianOf(func(r natsPath) float64 { return r.rate })
	fmt.Printf("\nCPU-µs of the hub's process (clients in another process) per single-object submission, medians of %d: through TAXII (POST answered complete) %.0f, through NATS (publish, then its receipt) %.0f: TAXII adds %.0f.\n",
		len(runs), viaTAXII, viaNATS, viaTAXII-viaNATS)
	if len(results) < 2 {
		return
	}
	peerRate := median(results[1], func(r result) float64 { return r.single })
	peerCPU := median(results[1], func(r result) float64 { return r.cpu[0] })
	fmt.Printf("Through NATS, one at a time: %.0f submissions/s, %.1f× medallion's single POSTs (%.0f obj/s); per CPU-second %.1f× (medallion %.0f CPU-µs a POST): the most a single TAXII POST could reach.\n",
		natsRate, natsRate/peerRate, peerRate, 1e6/viaNATS/peerCPU, 1e6/peerCPU)
}

// loadAverage is the machine's 1-minute load average, as /proc says.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
