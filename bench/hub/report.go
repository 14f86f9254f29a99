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
// command that produced them, then every run.
func report(w io.Writer, o options, results map[string][]sideResult) {
	fmt.Fprintf(w, "`%s` (%d runs per side, alternating which goes first; medians)\n\n",
		strings.Join(append([]string{"go run ./bench/hub"}, os.Args[1:]...), " "), o.runs)
	med := map[string]sideResult{}
	for _, side := range o.sides {
		med[side] = medians(results[side], len(o.rates))
	}
	hub, okHub := med["hub"]
	hop, okHop := med["hop"]
	both := okHub && okHop

	fmt.Fprintln(w, "| sustained | submissions/s | CPU µs/submission | idle CPU ms/s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, side := range o.sides {
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f |\n", side, med[side].tp.perSecond, med[side].tp.cpuMicros, med[side].idleMillis)
	}
	if both {
		fmt.Fprintf(w, "| hub / hop | %.2f× | %.1f× | |\n", hub.tp.perSecond/hop.tp.perSecond, hub.tp.cpuMicros/hop.tp.cpuMicros)
	}
	for k, rate := range o.rates {
		fmt.Fprintf(w, "\n| offered %d/s | p50 | p99 | p999 | CPU µs/submission |\n|---|---:|---:|---:|---:|\n", rate)
		for _, side := range o.sides {
			l := med[side].lat[k]
			fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f |\n", side, ms(l.p50), ms(l.p99), ms(l.p999), l.cpuMicros)
		}
		if both {
			a, b := hub.lat[k], hop.lat[k]
			fmt.Fprintf(w, "| hub / hop | %.1f× | %.1f× | %.1f× | %.1f× |\n", ratio(a.p50, b.p50), ratio(a.p99, b.p99),
				ratio(a.p999, b.p999), a.cpuMicros/b.cpuMicros)
		}
	}
	if both && len(o.rates) > 0 {
		fmt.Fprintf(w, "\nGoals: throughput ≥ 0.5× the hop's: %s (%.2f×); p99 ≤ 2× the hop's at %d/s: %s (%.1f×).\n",
			verdict(hub.tp.perSecond >= hop.tp.perSecond/2), hub.tp.perSecond/hop.tp.perSecond, o.rates[0],
			verdict(hub.lat[0].p99 <= 2*hop.lat[0].p99), ratio(hub.lat[0].p99, hop.lat[0].p99))
	}
	fmt.Fprintln(w, "\nEvery run:")
	fmt.Fprintln(w)
	for _, side := range o.sides {
		for i, r := range results[side] {
			fmt.Fprintf(w, "- %s run %d: %.0f submissions/s, %.0f CPU µs/submission", side, i+1, r.tp.perSecond, r.tp.cpuMicros)
			for k, l := range r.lat {
				fmt.Fprintf(w, "; at %d/s p50 %s, p99 %s, p999 %s, max %s", o.rates[k], ms(l.p50), ms(l.p99), ms(l.p999), ms(l.max))
			}
			fmt.Fprintln(w)
		}
	}
}

func medians(rs []sideResult, rates int) sideResult {
	m := sideResult{idleMillis: median(rs, func(r sideResult) float64 { return r.idleMillis }), tp: throughputResult{
		perSecond: median(rs, func(r sideResult) float64 { return r.tp.perSecond }),
		cpuMicros: median(rs, func(r sideResult) float64 { return r.tp.cpuMicros }),
	}}
	for k := range rates {
		m.lat = append(m.lat, latencyResult{
			p50:       medianDur(rs, func(r sideResult) time.Duration { return r.lat[k].p50 }),
			p99:       medianDur(rs, func(r sideResult) time.Duration { return r.lat[k].p99 }),
			p999:      medianDur(rs, func(r sideResult) time.Duration { return r.lat[k].p999 }),
			cpuMicros: median(rs, func(r sideResult) float64 { return r.lat[k].cpuMicros }),
		})
	}
	return m
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

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
