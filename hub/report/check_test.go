package report_test

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/report"
	"github.com/genevahub/geneva/policy"
)

// refusingCodes are the codes of the data set that refuse something,
// written out by hand from docs/policy.md (tlp.defaulted and
// supporting.included are informational).
var refusingCodes = map[string]bool{"classified.banner": true, "personal_data.no_le_recipient": true,
	"stix.invalid": true, "audience.unknown_member": true}

// expected holds the figures computed straight from the data set.
type expected struct {
	volumes                               map[[3]string]int64
	techniques, malware, indicators       map[string]int64
	byTLP                                 map[string]int64
	delays                                []int64 // ms
	noCreated, negative                   int64
	refusals                              map[string][2]int64
	members                               map[string]*expectMember
	objects, submissions, anonymous       int64
	verdicts                              map[string]int64
	scannedObjects, scannedAudit, outside int64
}

type expectMember struct {
	typ, jurisdiction                                                       string
	contributed, received, submissions, accepted, partial, rejected, review int64
	reasons                                                                 map[string]int64
}

func periodOf(t time.Time, p report.Period) string {
	switch p {
	case report.Week:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case report.Month:
		return fmt.Sprintf("%d-%02d", t.Year(), int(t.Month()))
	}
	return fmt.Sprintf("%d-%02d-%02d", t.Year(), int(t.Month()), t.Day())
}

func compute(objs []testObject, auds []testAudit, from, to time.Time, period report.Period) *expected {
	mou := policy.DemoMoU()
	e := &expected{volumes: map[[3]string]int64{}, techniques: map[string]int64{}, malware: map[string]int64{},
		indicators: map[string]int64{}, byTLP: map[string]int64{}, refusals: map[string][2]int64{},
		members: map[string]*expectMember{}, verdicts: map[string]int64{}}
	in := func(t time.Time) bool { return !t.Before(from) && (to.IsZero() || t.Before(to)) }
	member := func(year int, id string) *expectMember {
		k := strconv.Itoa(year) + "/" + id
		if e.members[k] == nil {
			m := &expectMember{typ: "unknown", jurisdiction: "unknown", reasons: map[string]int64{}}
			if mm, ok := mou.Member(id); ok {
				m.typ, m.jurisdiction = string(mm.Type), mm.Jurisdiction
			}
			if id == "anonymous" {
				m.typ, m.jurisdiction = "anonymous", "anonymous"
			}
			e.members[k] = m
		}
		return e.members[k]
	}
	for _, o := range objs {
		e.scannedObjects++
		if !in(o.received) {
			e.outside++
			continue
		}
		p := periodOf(o.received, period)
		e.volumes[[3]string{p, "type", o.typ}]++
		e.volumes[[3]string{p, "tlp", o.tlp}]++
		e.volumes[[3]string{p, "sender", o.sender}]++
		typ, sectors, jur := "unknown", []string{"unknown"}, "unknown"
		if m, ok := mou.Member(o.sender); ok {
			typ, sectors, jur = string(m.Type), m.Sectors, m.Jurisdiction
			if len(sectors) == 0 {
				sectors = []string{"none"}
			}
		} else if o.sender == "anonymous" {
			typ, sectors, jur = "anonymous", []string{"anonymous"}, "anonymous"
			e.anonymous++
		}
		e.volumes[[3]string{p, "sender_type", typ}]++
		for _, s := range sectors {
			e.volumes[[3]string{p, "sector", s}]++
		}
		e.volumes[[3]string{p, "jurisdiction", jur}]++
		for _, t := range o.technique {
			e.techniques[t]++
		}
		if o.malware != "" {
			e.malware[o.malware]++
		}
		for _, it := range o.indicators {
			e.indicators[it]++
		}
		switch {
		case o.created.IsZero():
			e.noCreated++
		case o.created.After(o.received):
			e.negative++
		default:
			e.delays = append(e.delays, o.received.Sub(o.created).Milliseconds())
		}
		e.objects++
		e.byTLP[o.tlp]++
		member(o.received.Year(), o.sender).contributed++
		for _, a := range o.audience {
			member(o.received.Year(), a).received++
		}
	}
	for _, a := range auds {
		e.scannedAudit++
		r := a.rec
		if !in(r.Time) {
			e.outside++
			continue
		}
		if r.Action != "decide" {
			continue
		}
		e.submissions++
		e.verdicts[r.Verdict]++
		m := member(r.Time.Year(), r.Member)
		m.submissions++
		switch r.Verdict {
		case "accept":
			m.accepted++
		case "partial":
			m.partial++
		case "reject":
			m.rejected++
		case "review":
			m.review++
		}
		if r.Verdict != "reject" && r.Verdict != "partial" {
			continue
		}
		for _, c := range r.Reasons {
			if !refusingCodes[c] {
				continue
			}
			v := e.refusals[c]
			if r.Verdict == "reject" {
				v[0]++
			} else {
				v[1]++
			}
			e.refusals[c] = v
			m.reasons[c]++
		}
	}
	sort.Slice(e.delays, func(i, j int) bool { return e.delays[i] < e.delays[j] })
	return e
}

// requireFigures checks every figure of r against e.
func requireFigures(t *testing.T, e *expected, r *report.Report) {
	t.Helper()
	require.True(t, r.Complete)
	require.Equal(t, e.scannedObjects, r.Scanned.ObjectRecords, "object records")
	require.Equal(t, e.scannedAudit, r.Scanned.AuditRecords, "audit records")
	require.Equal(t, e.outside, r.Scanned.OutOfRange, "out of range")
	require.Zero(t, r.Scanned.Unreadable)

	got := map[[3]string]int64{}
	for _, v := range r.Volumes {
		got[[3]string{v.Period, v.Dimension, v.Key}] = v.Objects
	}
	require.Len(t, r.Volumes, len(got), "volume rows repeat a key")
	require.Equal(t, e.volumes, got, "volumes")

	requireTop(t, "techniques", e.techniques, r.Techniques)
	requireTop(t, "malware", e.malware, r.Malware)
	gotInd := map[string]int64{}
	for _, c := range r.IndicatorTypes {
		gotInd[c.Key] = c.Count
	}
	require.Equal(t, e.indicators, gotInd, "indicator types")

	tts := r.TimeToShare
	require.EqualValues(t, len(e.delays), tts.Objects, "time to share: objects")
	require.Equal(t, e.noCreated, tts.NoCreated, "time to share: no created")
	require.Equal(t, e.negative, tts.Negative, "time to share: negative")
	if n := len(e.delays); n > 0 {
		require.InDelta(t, float64(e.delays[0])/1000, tts.MinSeconds, 1e-9, "min")
		require.InDelta(t, float64(e.delays[n-1])/1000, tts.MaxSeconds, 1e-9, "max")
		var sum int64
		for _, d := range e.delays {
			sum += d
		}
		require.InDelta(t, float64(sum)/float64(n)/1000, tts.MeanSeconds, 1e-6, "mean")
		for _, pc := range []struct {
			p   float64
			got float64
		}{{0.5, tts.P50Seconds}, {0.9, tts.P90Seconds}, {0.95, tts.P95Seconds}, {0.99, tts.P99Seconds}} {
			rank := int(math.Ceil(pc.p * float64(n)))
			exact := float64(e.delays[rank-1]) / 1000
			require.InDelta(t, exact, pc.got, exact*0.01+0.001, "p%v", pc.p*100)
		}
		require.InDelta(t, tts.P50Seconds, r.Partnership.MedianTimeToShare, 1e-9)
	}
	bounds := []time.Duration{0, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}
	require.Len(t, tts.Histogram, len(bounds))
	for i, lo := range bounds {
		var want int64
		for _, d := range e.delays {
			dd := time.Duration(d) * time.Millisecond
			if dd >= lo && (i == len(bounds)-1 || dd < bounds[i+1]) {
				want++
			}
		}
		require.Equal(t, want, tts.Histogram[i].Objects, "histogram bin %s", tts.Histogram[i].Label)
	}

	gotRef := map[string][2]int64{}
	for _, f := range r.Refusals {
		gotRef[f.Code] = [2]int64{f.Rejected, f.Partial}
	}
	require.Equal(t, e.refusals, gotRef, "refusals")

	require.Len(t, r.Members, len(e.members), "member rows")
	for _, m := range r.Members {
		k := strconv.Itoa(m.Year) + "/" + m.Member
		w := e.members[k]
		require.NotNil(t, w, "unexpected member row %s", k)
		require.Equal(t, [9]any{w.typ, w.jurisdiction, w.contributed, w.received, w.submissions, w.accepted, w.partial, w.rejected, w.review},
			[9]any{m.Type, m.Jurisdiction, m.Contributed, m.Received, m.Submissions, m.Accepted, m.Partial, m.Rejected, m.Review}, "member %s", k)
		reasons := map[string]int64{}
		for _, c := range m.Reasons {
			reasons[c.Key] = c.Count
		}
		require.Equal(t, w.reasons, reasons, "member %s reasons", k)
	}

	p := r.Partnership
	require.Equal(t, e.objects, p.Objects)
	require.Equal(t, e.submissions, p.Submissions)
	require.Equal(t, [4]int64{e.verdicts["accept"], e.verdicts["partial"], e.verdicts["reject"], e.verdicts["review"]},
		[4]int64{p.Accepted, p.Partial, p.Rejected, p.Review})
	require.Equal(t, e.anonymous, p.AnonymousObjects)
	senders := map[string]bool{}
	for k, m := range e.members {
		if m.submissions > 0 {
			senders[k[5:]] = true
		}
	}
	require.Equal(t, len(senders), p.ActiveSenders)
	gotTLP := map[string]int64{}
	for _, c := range p.ByTLP {
		gotTLP[c.Key] = c.Count
	}
	require.Equal(t, e.byTLP, gotTLP)
}

// requireTop checks a top-10: exact, every key's count, order by count then key.
func requireTop(t *testing.T, what string, want map[string]int64, got report.Top) {
	t.Helper()
	require.True(t, got.Exact, what)
	require.Equal(t, len(want), got.Distinct, what)
	type kv struct {
		k string
		n int64
	}
	var all []kv
	for k, n := range want {
		all = append(all, kv{k, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n || all[i].n == all[j].n && all[i].k < all[j].k })
	if len(all) > 10 {
		all = all[:10]
	}
	require.Len(t, got.Items, len(all), what)
	for i, w := range all {
		require.Equal(t, w.k, got.Items[i].Key, "%s #%d", what, i+1)
		require.Equal(t, w.n, got.Items[i].Count, "%s %s", what, w.k)
	}
}
