package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress is one line per measurement, on stderr while the bench runs.
func progress(m measured, o options) string {
	if m.hubs == 0 {
		return fmt.Sprintf("run %d hop-r3: %.0f submissions/s; at %d/s p50 %s p99 %s (load %s)", m.run+1, m.hop.perSecond, o.rate, ms(m.hop.p50), ms(m.hop.p99), m.loads[1])
	}
	line := fmt.Sprintf("run %d %d hubs: idle CPU %s; %.0f submissions/s, CPU %s (servers + members %.2f), decided %s", m.run+1, m.hubs, idle(m.idle), m.tp.perSecond,
		cores(m.tp), m.tp.rest.Seconds()/m.tp.elapsed.Seconds(), shares(m.tp))
	if o.seconds > 0 {
		line += fmt.Sprintf("; at %d/s p50 %s p99 %s", o.rate, ms(pct(m.lat.latencies, 0.5)), ms(pct(m.lat.latencies, 0.99)))
	}
	return line + " (load " + m.loads[1] + ")"
}

// report prints every measurement as Markdown, each configuration's rate
// as a ratio to one process's and to the hop's of the same run.
func report(w io.Writer, o options, all []measured) {
	fmt.Fprintf(w, "`%s` (each hub process capped to %.2f cores; %d run(s), alternating the order)\n\n",
		strings.Join(append([]string{"go run ./bench/scale"}, os.Args[1:]...), " "), o.cores, o.runs)
	fmt.Fprintf(w, "| run | configuration | %d at once: submissions/s | ratio to 1 process | ratio to hop-r3 | CPU per process (cores) | hub CPU µs/submission | servers + members CPU (cores) | throttled periods per process | decisions per process | load average before → after |\n", o.n)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---|---:|---:|---|---|---|")
	rate := func(m measured) float64 {
		if m.hubs == 0 {
			return m.hop.perSecond
		}
		return m.tp.perSecond
	}
	find := func(run, hubs int) (measured, bool) {
		for _, m := range all {
			if m.run == run && m.hubs == hubs {
				return m, true
			}
		}
		return measured{}, false
	}
	ratio := func(m measured, hubs int) string {
		if b, ok := find(m.run, hubs); ok && rate(b) > 0 {
			return fmt.Sprintf("%.2f×", rate(m)/rate(b))
		}
		return "–"
	}
	for _, m := range all {
		name, cpu, perSub, rest, thr, dec := "hop-r3 (uncapped)", "–", "–", "–", "–", "–"
		if m.hubs > 0 {
			name = fmt.Sprintf("%d hub process(es)", m.hubs)
			perSub = fmt.Sprintf("%.0f", cpuMicros(m.tp, o.n))
			rest = fmt.Sprintf("%.2f", m.tp.rest.Seconds()/m.tp.elapsed.Seconds())
			cpu, thr, dec = cores(m.tp), strings.Trim(strings.Join(strings.Fields(fmt.Sprint(m.tp.throttled)), ", "), "[]"), shares(m.tp)
		}
		fmt.Fprintf(w, "| %d | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s → %s |\n", m.run+1, name, rate(m), ratio(m, 1), ratio(m, 0), cpu, perSub, rest, thr, dec, m.loads[0], m.loads[1])
	}
	if o.seconds == 0 {
		return
	}
	fmt.Fprintf(w, "\n| run | offered %d/s for %d s (first second not counted) | p50 | p99 | CPU per process (cores) | idle CPU per process before (cores) | decisions per process |\n", o.rate, o.seconds)
	fmt.Fprintln(w, "|---|---|---:|---:|---|---|---|")
	for _, m := range all {
		if m.hubs == 0 {
			fmt.Fprintf(w, "| %d | hop-r3 (uncapped) | %s | %s | – | – | – |\n", m.run+1, ms(m.hop.p50), ms(m.hop.p99))
			continue
		}
		fmt.Fprintf(w, "| %d | %d hub process(es) | %s | %s | %s | %s | %s |\n", m.run+1, m.hubs,
			ms(pct(m.lat.latencies, 0.5)), ms(pct(m.lat.latencies, 0.99)), cores(m.lat), idle(m.idle), shares(m.lat))
	}
}

// cores is each hub process's CPU over the phase, in cores.
func cores(r result) string {
	var parts []string
	for _, c := range r.cpu {
		parts = append(parts, fmt.Sprintf("%.2f", c.Seconds()/r.elapsed.Seconds()))
	}
	return strings.Join(parts, ", ")
}

func idle(cores []float64) string {
	var parts []string
	for _, c := range cores {
		parts = append(parts, fmt.Sprintf("%.3f", c))
	}
	return strings.Join(parts, ", ")
}

// cpuMicros is the hub processes' CPU per submission of a phase of n.
func cpuMicros(r result, n int) float64 {
	var total time.Duration
	for _, c := range r.cpu {
		total += c
	}
	return float64(total) / float64(time.Microsecond) / float64(n)
}

// shares is each hub process's part of the phase's receipts.
func shares(r result) string {
	total := 0
	for _, d := range r.decided {
		total += d
	}
	var parts []string
	for _, d := range r.decided {
		parts = append(parts, fmt.Sprintf("%.0f%%", 100*float64(d)/float64(max(total, 1))))
	}
	return strings.Join(parts, ", ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
