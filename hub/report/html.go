package report

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"sort"
	"strings"
)

// WriteHTML renders r as one self-contained page (no scripts, no external
// files) with inline SVG charts.
func WriteHTML(w io.Writer, r *Report) error {
	return page.Execute(w, htmlData{R: r, Range: rangeText(r), Charts: charts(r)})
}

type htmlData struct {
	R      *Report
	Range  string
	Charts []chart
}

type chart struct {
	ID, Title string
	SVG       template.HTML
}

var tlpColours = map[string]string{"clear": "#9e9e9e", "green": "#33a02c", "amber": "#ff9800", "amber+strict": "#e65100"}

func charts(r *Report) []chart {
	var cs []chart
	cs = append(cs, chart{"volume", "Object shares per " + string(r.Period) + " by TLP", stackedBars(r)})
	sum := func(dim string) []Count {
		m := map[string]int64{}
		for _, v := range r.Volumes {
			if v.Dimension == dim {
				m[v.Key] += v.Objects
			}
		}
		return sortedCounts(m)
	}
	cs = append(cs, chart{"sender-type", "Object shares by sender type", hbars(sum("sender_type"), "#1f78b4")})
	cs = append(cs, chart{"type", "Object shares by STIX type", hbars(sum("type"), "#6a3d9a")})
	cs = append(cs, chart{"techniques", "Top ATT&CK techniques", hbars(topCounts(r.Techniques), "#b15928")})
	cs = append(cs, chart{"malware", "Top malware families", hbars(topCounts(r.Malware), "#e31a1c")})
	cs = append(cs, chart{"indicator-types", "Indicator types", hbars(r.IndicatorTypes, "#33a02c")})
	var hist []Count
	for _, b := range r.TimeToShare.Histogram {
		hist = append(hist, Count{Key: b.Label, Count: b.Objects})
	}
	cs = append(cs, chart{"time-to-share", "Time to share (object created to hub receipt)", vbars(hist, "#1f78b4")})
	var refs []Count
	for _, f := range r.Refusals {
		refs = append(refs, Count{Key: f.Code, Count: f.Rejected + f.Partial})
	}
	cs = append(cs, chart{"refusals", "Refusals by reason code", hbars(refs, "#e31a1c")})
	return cs
}

func topCounts(t Top) []Count {
	out := make([]Count, len(t.Items))
	for i, it := range t.Items {
		out[i] = Count{Key: it.Key, Count: it.Count}
	}
	return out
}

const chartWidth = 640

// hbars draws one horizontal bar per count.
func hbars(cs []Count, colour string) template.HTML {
	if len(cs) == 0 {
		return emptyChart()
	}
	var top int64
	for _, c := range cs {
		top = max(top, c.Count)
	}
	const row, label = 22, 200
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`, chartWidth, row*len(cs)+4)
	for i, c := range cs {
		y := i*row + 2
		wid := 0
		if top > 0 {
			wid = int(float64(chartWidth-label-70) * float64(c.Count) / float64(top))
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, label-6, y+15, html.EscapeString(c.Key))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s: %d</title></rect>`,
			label, y+2, max(wid, 1), row-6, colour, html.EscapeString(c.Key), c.Count)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%d</text>`, label+max(wid, 1)+4, y+15, c.Count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// vbars draws one vertical bar per count, labels below.
func vbars(cs []Count, colour string) template.HTML {
	var top int64
	for _, c := range cs {
		top = max(top, c.Count)
	}
	if top == 0 {
		return emptyChart()
	}
	const height, base = 220, 180
	slot := chartWidth / len(cs)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`, chartWidth, height)
	for i, c := range cs {
		h := int(float64(base-20) * float64(c.Count) / float64(top))
		x := i*slot + 4
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s: %d</title></rect>`,
			x, base-h, slot-8, max(h, 1), colour, html.EscapeString(c.Key), c.Count)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%d</text>`, x+(slot-8)/2, base-h-4, c.Count)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="10">%s</text>`, x+(slot-8)/2, base+16, html.EscapeString(c.Key))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// stackedBars draws object shares per period, stacked by TLP.
func stackedBars(r *Report) template.HTML {
	per := map[string]map[string]int64{}
	var periods []string
	for _, v := range r.Volumes {
		if v.Dimension != "tlp" {
			continue
		}
		if per[v.Period] == nil {
			per[v.Period] = map[string]int64{}
			periods = append(periods, v.Period)
		}
		per[v.Period][v.Key] += v.Objects
	}
	if len(periods) == 0 {
		return emptyChart()
	}
	sort.Strings(periods)
	var top int64
	for _, p := range periods {
		var s int64
		for _, n := range per[p] {
			s += n
		}
		top = max(top, s)
	}
	const height, base = 270, 200
	slot := max(chartWidth/len(periods), 3)
	width := max(chartWidth, 40+slot*len(periods))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`, width, height)
	levels := []string{"clear", "green", "amber", "amber+strict"}
	for i, p := range periods {
		y := base
		x := 40 + i*slot // room for the first rotated label
		for _, l := range append(levels, otherLevels(per[p], levels)...) {
			n := per[p][l]
			if n == 0 {
				continue
			}
			h := max(int(float64(base-20)*float64(n)/float64(top)), 1)
			y -= h
			colour, ok := tlpColours[l]
			if !ok {
				colour = "#555"
			}
			fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s TLP:%s: %d</title></rect>`,
				x+1, y, max(slot-2, 1), h, colour, html.EscapeString(p), html.EscapeString(strings.ToUpper(l)), n)
		}
		if len(periods) <= 16 || i%(len(periods)/8+1) == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" text-anchor="end" transform="rotate(-35 %d %d)">%s</text>`,
				x+slot/2, base+12, x+slot/2, base+12, html.EscapeString(p))
		}
	}
	for i, l := range levels {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"></rect><text x="%d" y="%d" font-size="11">TLP:%s</text>`,
			i*120, base+46, tlpColours[l], i*120+16, base+56, strings.ToUpper(l))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func otherLevels(m map[string]int64, known []string) []string {
	var out []string
	for k := range m {
		isKnown := false
		for _, l := range known {
			isKnown = isKnown || k == l
		}
		if !isKnown {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func emptyChart() template.HTML {
	return template.HTML(`<svg class="chart empty" xmlns="http://www.w3.org/2000/svg" width="640" height="30" role="img"><text x="4" y="20">nothing in this range</text></svg>`)
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{"secs": seconds, "upper": strings.ToUpper}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Geneva archive report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}
.warn{background:#fdd;padding:.5em;border:1px solid #c00}
.cards{display:flex;flex-wrap:wrap;gap:1em}.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:8em}
.card b{display:block;font-size:1.6em}
section{margin-top:1.5em}svg text{font-size:12px;fill:#222}
table{border-collapse:collapse;font-size:13px}td:last-child{text-align:left}td,th{border-bottom:1px solid #eee;padding:.2em .6em;text-align:right}td:first-child,th:first-child{text-align:left}
</style></head><body>
<h1>Geneva archive report</h1>
<p class="sub">Source {{.R.Source}}, {{.Range}}, volumes per {{.R.Period}}. Counts only: no shared content appears here.</p>
{{if not .R.Complete}}<p class="warn">INCOMPLETE: the scan was interrupted; figures are partial.</p>{{end}}
<div class="cards">
<div class="card"><b>{{.R.Partnership.Objects}}</b>object shares</div>
<div class="card"><b>{{.R.Partnership.Submissions}}</b>submissions</div>
<div class="card"><b>{{.R.Partnership.Accepted}}</b>accepted</div>
<div class="card"><b>{{.R.Partnership.Partial}}</b>partial</div>
<div class="card"><b>{{.R.Partnership.Rejected}}</b>rejected</div>
<div class="card"><b>{{.R.Partnership.ActiveSenders}}</b>active senders</div>
<div class="card"><b>{{secs .R.Partnership.MedianTimeToShare}}</b>median time to share</div>
</div>
{{range .Charts}}<section id="{{.ID}}"><h2>{{.Title}}</h2>{{.SVG}}</section>
{{end}}
<section id="tts-table"><h2>Time to share</h2><table><tr><th>objects</th><th>min</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th></tr>
{{with .R.TimeToShare}}<tr><td>{{.Objects}}</td><td>{{secs .MinSeconds}}</td><td>{{secs .P50Seconds}}</td><td>{{secs .P90Seconds}}</td><td>{{secs .P95Seconds}}</td><td>{{secs .P99Seconds}}</td><td>{{secs .MaxSeconds}}</td></tr>{{end}}</table></section>
<section id="members"><h2>Members by year</h2><table>
<tr><th>year</th><th>member</th><th>type</th><th>jurisdiction</th><th>contributed</th><th>received</th><th>submissions</th><th>accepted</th><th>partial</th><th>rejected</th><th>review</th><th>refused for</th></tr>
{{range .R.Members}}<tr><td>{{.Year}}</td><td>{{.Member}}</td><td>{{.Type}}</td><td>{{.Jurisdiction}}</td><td>{{.Contributed}}</td><td>{{.Received}}</td><td>{{.Submissions}}</td><td>{{.Accepted}}</td><td>{{.Partial}}</td><td>{{.Rejected}}</td><td>{{.Review}}</td><td>{{range $i, $c := .Reasons}}{{if $i}}, {{end}}{{$c.Key}} {{$c.Count}}{{end}}</td></tr>
{{end}}</table></section>
<section id="requests"><h2>Requests by member pair</h2><table>
<tr><th>requester</th><th>recipient</th><th>requests</th><th>acknowledged</th><th>answered</th><th>overdue</th><th>escalated</th><th>mean to acknowledge</th><th>mean to answer</th></tr>
{{range .R.Requests}}<tr><td>{{.Requester}}</td><td>{{.Recipient}}</td><td>{{.Requests}}</td><td>{{.Acknowledged}}</td><td>{{.Answered}}</td><td>{{.Overdue}}</td><td>{{.Escalated}}</td><td>{{secs .MeanAckSeconds}}</td><td>{{secs .MeanAnswerSeconds}}</td></tr>
{{end}}</table></section>
</body></html>
`))
