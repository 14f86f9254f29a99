package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText renders r as tables for a terminal.
func WriteText(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	p := r.Partnership
	fmt.Fprintf(tw, "Geneva archive report (source %s, %s)\n", r.Source, rangeText(r))
	if !r.Complete {
		fmt.Fprintln(tw, "INCOMPLETE: the scan was interrupted; figures are partial")
	}
	tw.Flush()
	fmt.Fprintf(tw, "\nPARTNERSHIP\n")
	fmt.Fprintf(tw, "object shares\t%d\t\nsubmissions\t%d\t\n  accepted\t%d\t\n  partial\t%d\t\n  rejected\t%d\t\n  review\t%d\t\nactive senders\t%d\t\nanonymous shares\t%d\t\nmedian time to share\t%s\t\n",
		p.Objects, p.Submissions, p.Accepted, p.Partial, p.Rejected, p.Review, p.ActiveSenders, p.AnonymousObjects,
		seconds(p.MedianTimeToShare))
	for _, c := range p.ByTLP {
		fmt.Fprintf(tw, "  TLP:%s\t%d\t\n", strings.ToUpper(c.Key), c.Count)
	}
	for _, dim := range Dimensions {
		tw.Flush()
		fmt.Fprintf(tw, "\nVOLUME BY %s (per %s)\nperiod\t%s\tobjects\t\n", strings.ToUpper(strings.ReplaceAll(dim, "_", " ")), r.Period, dim)
		for _, v := range r.Volumes {
			if v.Dimension == dim {
				fmt.Fprintf(tw, "%s\t%s\t%d\t\n", v.Period, v.Key, v.Objects)
			}
		}
	}
	top := func(title string, t Top) {
		tw.Flush()
		fmt.Fprintf(tw, "\n%s\n", title)
		if !t.Exact {
			fmt.Fprintf(tw, "(approximate: more distinct values than the summary holds)\n")
		}
		for i, it := range t.Items {
			fmt.Fprintf(tw, "%d\t%s\t%d\t\n", i+1, it.Key, it.Count)
		}
	}
	top("TOP ATT&CK TECHNIQUES", r.Techniques)
	top("TOP MALWARE FAMILIES", r.Malware)
	tw.Flush()
	fmt.Fprintf(tw, "\nINDICATOR TYPES\n")
	for _, c := range r.IndicatorTypes {
		fmt.Fprintf(tw, "%s\t%d\t\n", c.Key, c.Count)
	}
	t := r.TimeToShare
	tw.Flush()
	fmt.Fprintf(tw, "\nTIME TO SHARE (created -> hub receipt, %d objects; %d without created, %d negative)\n", t.Objects, t.NoCreated, t.Negative)
	fmt.Fprintf(tw, "min\tp50\tp90\tp95\tp99\tmax\tmean\t\n%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
		seconds(t.MinSeconds), seconds(t.P50Seconds), seconds(t.P90Seconds), seconds(t.P95Seconds),
		seconds(t.P99Seconds), seconds(t.MaxSeconds), seconds(t.MeanSeconds))
	tw.Flush()
	for _, b := range t.Histogram {
		fmt.Fprintf(tw, "%s\t%d\t  %s\n", b.Label, b.Objects, bar(b.Objects, t.Objects))
	}
	tw.Flush()
	fmt.Fprintf(tw, "\nREFUSALS BY REASON CODE\ncode\trejected\tpartial\t\n")
	for _, f := range r.Refusals {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", f.Code, f.Rejected, f.Partial)
	}
	tw.Flush()
	fmt.Fprintf(tw, "\nMEMBERS BY YEAR\nyear\tmember\ttype\tcontributed\treceived\tsubmissions\taccepted\tpartial\trejected\treview\t  refused for\n")
	for _, m := range r.Members {
		var why []string
		for _, c := range m.Reasons {
			why = append(why, fmt.Sprintf("%s %d", c.Key, c.Count))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t  %s\n", m.Year, m.Member, m.Type, m.Contributed,
			m.Received, m.Submissions, m.Accepted, m.Partial, m.Rejected, m.Review, strings.Join(why, ", "))
	}
	tw.Flush()
	fmt.Fprintf(tw, "\nREQUESTS BY MEMBER PAIR\nrequester\trecipient\trequests\tacknowledged\tanswered\toverdue\tescalated\tmean to acknowledge\tmean to answer\t\n")
	for _, p := range r.Requests {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t\n", p.Requester, p.Recipient, p.Requests, p.Acknowledged,
			p.Answered, p.Overdue, p.Escalated, seconds(p.MeanAckSeconds), seconds(p.MeanAnswerSeconds))
	}
	return tw.Flush()
}

func rangeText(r *Report) string {
	from, to := "the beginning", "now"
	if r.From != nil {
		from = r.From.Format(time.RFC3339)
	}
	if r.To != nil {
		to = r.To.Format(time.RFC3339)
	}
	return "from " + from + " to " + to
}

// seconds prints a duration in seconds the way a person reads it.
func seconds(s float64) string {
	if s >= 2*86400 {
		return fmt.Sprintf("%.1f days", s/86400)
	}
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}

func bar(n, total int64) string {
	if total == 0 {
		return ""
	}
	return strings.Repeat("#", int(40*n/total))
}
