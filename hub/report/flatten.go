package report

import "strconv"

// Row is one figure of a report in long form: the CSV and Parquet outputs
// are these rows, so pandas, DuckDB or Spark can pivot them as they like.
type Row struct {
	Section   string  `parquet:"section" json:"section"`     // partnership, volume, technique, malware, indicator_type, time_to_share, refusal, member, request
	Period    string  `parquet:"period" json:"period"`       // volume: the period; member: the year; else ""
	Dimension string  `parquet:"dimension" json:"dimension"` // volume: the dimension; member: the member id; request: the requester; time_to_share: "histogram" or ""
	Key       string  `parquet:"key" json:"key"`             // the value counted
	Metric    string  `parquet:"metric" json:"metric"`       // what Value measures
	Value     float64 `parquet:"value" json:"value"`
}

// Rows flattens r in a fixed order.
func (r *Report) Rows() []Row {
	var out []Row
	add := func(section, period, dim, key, metric string, v float64) {
		out = append(out, Row{section, period, dim, key, metric, v})
	}
	p := r.Partnership
	for _, kv := range []struct {
		k string
		v int64
	}{{"objects", p.Objects}, {"submissions", p.Submissions}, {"accepted", p.Accepted}, {"partial", p.Partial},
		{"rejected", p.Rejected}, {"review", p.Review}, {"active_senders", int64(p.ActiveSenders)},
		{"anonymous_objects", p.AnonymousObjects}} {
		add("partnership", "", "", "", kv.k, float64(kv.v))
	}
	add("partnership", "", "", "", "median_time_to_share_seconds", p.MedianTimeToShare)
	for _, c := range p.ByTLP {
		add("partnership", "", "tlp", c.Key, "objects", float64(c.Count))
	}
	for _, v := range r.Volumes {
		add("volume", v.Period, v.Dimension, v.Key, "objects", float64(v.Objects))
	}
	for _, t := range r.Techniques.Items {
		add("technique", "", "", t.Key, "objects", float64(t.Count))
	}
	for _, t := range r.Malware.Items {
		add("malware", "", "", t.Key, "objects", float64(t.Count))
	}
	for _, c := range r.IndicatorTypes {
		add("indicator_type", "", "", c.Key, "indicators", float64(c.Count))
	}
	t := r.TimeToShare
	for _, kv := range []struct {
		k string
		v float64
	}{{"objects", float64(t.Objects)}, {"no_created", float64(t.NoCreated)}, {"negative", float64(t.Negative)},
		{"min_seconds", t.MinSeconds}, {"mean_seconds", t.MeanSeconds}, {"p50_seconds", t.P50Seconds},
		{"p90_seconds", t.P90Seconds}, {"p95_seconds", t.P95Seconds}, {"p99_seconds", t.P99Seconds},
		{"max_seconds", t.MaxSeconds}} {
		add("time_to_share", "", "", "", kv.k, kv.v)
	}
	for _, b := range t.Histogram {
		add("time_to_share", "", "histogram", b.Label, "objects", float64(b.Objects))
	}
	for _, f := range r.Refusals {
		add("refusal", "", "", f.Code, "rejected", float64(f.Rejected))
		add("refusal", "", "", f.Code, "partial", float64(f.Partial))
	}
	for _, m := range r.Members {
		y := strconv.Itoa(m.Year)
		for _, kv := range []struct {
			k string
			v int64
		}{{"contributed", m.Contributed}, {"received", m.Received}, {"submissions", m.Submissions},
			{"accepted", m.Accepted}, {"partial", m.Partial}, {"rejected", m.Rejected}, {"review", m.Review}} {
			add("member", y, m.Member, "", kv.k, float64(kv.v))
		}
		for _, c := range m.Reasons {
			add("member", y, m.Member, c.Key, "refused", float64(c.Count))
		}
	}
	for _, q := range r.Requests {
		for _, kv := range []struct {
			k string
			v float64
		}{{"requests", float64(q.Requests)}, {"acknowledged", float64(q.Acknowledged)}, {"answered", float64(q.Answered)},
			{"overdue", float64(q.Overdue)}, {"escalated", float64(q.Escalated)},
			{"mean_time_to_acknowledge_seconds", q.MeanAckSeconds}, {"mean_time_to_answer_seconds", q.MeanAnswerSeconds}} {
			add("request", "", q.Requester, q.Recipient, kv.k, kv.v)
		}
	}
	return out
}
