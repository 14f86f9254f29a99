package report_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/report"
)

// TestRequestPairs: request transitions in the audit become volumes,
// acknowledgement and answer times and overdue counts per member pair,
// whatever the order the records come in and however they are split
// between aggregators.
func TestRequestPairs(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	rec := func(sub, requester, recipient, event string, after time.Duration) *audit.Record {
		return &audit.Record{Time: t0.Add(after), Member: requester, Submission: sub, Action: "request." + event, Actor: requester,
			Routes: []audit.Route{{TLP: "amber+strict", Scope: "m." + recipient, Audience: []string{recipient}}}}
	}
	records := []*audit.Record{
		rec("sub-1", "le-alpha", "isp-two", "acknowledged", 30*time.Minute), // before its opening: order does not matter
		rec("sub-1", "le-alpha", "isp-two", "opened", 0),
		rec("sub-1", "le-alpha", "isp-two", "fulfilled", 2*time.Hour),
		rec("sub-2", "le-alpha", "isp-two", "opened", time.Hour),
		rec("sub-2", "le-alpha", "isp-two", "escalated", 2*time.Hour),
		rec("sub-2", "le-alpha", "isp-two", "declined", 5*time.Hour),
		rec("sub-3", "le-alpha", "bank-one", "opened", 0),
		{Time: t0, Member: "bank-one", Submission: "sub-9", Verdict: "accept", Action: "decide"},
	}
	one := report.NewAggregator(report.Options{})
	a, b := report.NewAggregator(report.Options{}), report.NewAggregator(report.Options{})
	for i, r := range records {
		one.AddAudit(r, 100)
		if i%2 == 0 {
			a.AddAudit(r, 100)
		} else {
			b.AddAudit(r, 100)
		}
	}
	a.Merge(b)
	want := []report.RequestPair{
		{Requester: "le-alpha", Recipient: "bank-one", Requests: 1},
		{Requester: "le-alpha", Recipient: "isp-two", Requests: 2, Acknowledged: 2, Answered: 2, Overdue: 1, Escalated: 1,
			MeanAckSeconds: (30*time.Minute + 4*time.Hour).Seconds() / 2, MeanAnswerSeconds: (2*time.Hour + 4*time.Hour).Seconds() / 2},
	}
	require.Equal(t, want, one.Report("test", true).Requests)
	require.Equal(t, want, a.Report("test", true).Requests, "merged")
	require.Equal(t, int64(1), one.Report("test", true).Partnership.Submissions, "request transitions are not submissions")

	var rows []report.Row
	for _, row := range one.Report("test", true).Rows() {
		if row.Section == "request" && row.Dimension == "le-alpha" && row.Key == "isp-two" {
			rows = append(rows, row)
		}
	}
	require.Contains(t, rows, report.Row{Section: "request", Dimension: "le-alpha", Key: "isp-two", Metric: "escalated", Value: 1})
	require.Len(t, rows, 7)

	var text bytes.Buffer
	require.NoError(t, report.WriteText(&text, one.Report("test", true)))
	require.Regexp(t, `REQUESTS BY MEMBER PAIR\n.*requester.*recipient.*requests.*acknowledged.*answered.*overdue.*escalated`, text.String())
	require.Regexp(t, `le-alpha\s+isp-two\s+2\s+2\s+2\s+1\s+1\s+2h15m0s\s+3h0m0s`, text.String())
	var page bytes.Buffer
	require.NoError(t, report.WriteHTML(&page, one.Report("test", true)))
	require.Contains(t, page.String(), "<tr><td>le-alpha</td><td>isp-two</td><td>2</td><td>2</td><td>2</td><td>1</td><td>1</td><td>2h15m0s</td><td>3h0m0s</td></tr>")
}
