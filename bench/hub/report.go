package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// report prints the medians of each side and the hub/hop ratios, with the
// command that produced them.
func report(w io.Writer, o options, results map[string][]sideResult) {
	fmt.Fprintf(w, "`%s` (%d runs per side, alternating)\n\n", strings.Join(append([]string{"go run ./bench/hub"}, os.Args[1:]...), " "), o.runs)
	fmt.Fprintf(w, "| median of %d runs | submissions/s | CPU µs/submission | p50 at %d/s | p99 | p999 | CPU µs/submission at %d/s |\n", o.runs, o.rate, o.rate)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	med := map[string]sideResult{}
	for _, side := range o.sides {
		rs := results[side]
		m := sideResult{
			tp: throughputResult{perSecond: median(rs, func(r sideResult) float64 { return r.tp.perSecond }),
				cpuMicros: median(rs, func(r sideResult) float64 { return r.tp.cpuMicros })},
			lat: latencyResult{p50: medianDur(rs, func(r sideResult) time.Duration { return r.lat.p50 }),
				p99:       medianDur(rs, func(r sideResult) time.Duration { return r.lat.p99 }),
				p999:      medianDur(rs, func(r sideResult) time.Duration { return r.lat.p999 }),
				cpuMicros: median(rs, func(r sideResult) float64 { return r.lat.cpuMicros })},
		}
		med[side] = m
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %s | %s | %s | %.0f |\n", side, m.tp.perSecond, m.tp.cpuMicros,
			ms(m.lat.p50), ms(m.lat.p99), ms(m.lat.p999), m.lat.cpuMicros)
	}
	hub, okHub := med["hub"]
	hop, okHop := med["hop"]
	if okHub && okHop {
		fmt.Fprintf(w, "| hub / hop | %.2f× | %.1f× | %.1f× | %.1f× | %.1f× | %.1f× |\n",
			hub.tp.perSecond/hop.tp.perSecond, hub.tp.cpuMicros/hop.tp.cpuMicros,
			float64(hub.lat.p50)/float64(hop.lat.p50), float64(hub.lat.p99)/float64(hop.lat.p99),
			float64(hub.lat.p999)/float64(hop.lat.p999), hub.lat.cpuMicros/hop.lat.cpuMicros)
		fmt.Fprintf(w, "\nGoals: throughput ≥ 0.5× the hop: %s (%.2f×); p99 ≤ 2× the hop's at %d/s: %s (%.1f×).\n",
			verdict(hub.tp.perSecond >= hop.tp.perSecond/2), hub.tp.perSecond/hop.tp.perSecond, o.rate,
			verdict(hub.lat.p99 <= 2*hop.lat.p99), float64(hub.lat.p99)/float64(hop.lat.p99))
	}
	fmt.Fprintln(w, "\nEvery run:")
	fmt.Fprintln(w)
	for _, side := range o.sides {
		for i, r := range results[side] {
			fmt.Fprintf(w, "- %s run %d: %.0f submissions/s, %.0f CPU µs/submission; at %d/s p50 %s, p99 %s, p999 %s, max %s\n",
				side, i+1, r.tp.perSecond, r.tp.cpuMicros, o.rate, ms(r.lat.p50), ms(r.lat.p99), ms(r.lat.p999), ms(r.lat.max))
		}
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func median(rs []sideResult, f func(sideResult) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func medianDur(rs []sideResult, f func(sideResult) time.Duration) time.Duration {
	return time.Duration(median(rs, func(r sideResult) float64 { return float64(f(r)) }))
}
