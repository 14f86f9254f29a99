package report

import (
	"fmt"
	"time"
)

// Period is the bucket of the volume tables.
type Period string

// The periods: a UTC day (2026-11-22), ISO week (2026-W47), month (2026-11).
const (
	Day   Period = "day"
	Week  Period = "week"
	Month Period = "month"
)

// ParsePeriod reads "day", "week" or "month".
func ParsePeriod(s string) (Period, error) {
	switch p := Period(s); p {
	case Day, Week, Month:
		return p, nil
	}
	return "", fmt.Errorf("period %q: want day, week or month", s)
}

// periodLabels caches the label of the last day seen: records come in
// runs of the same day, and formatting is the costly part.
type periodLabels struct {
	period Period
	day    int64
	label  string
}

func (pl *periodLabels) of(t time.Time) string {
	t = t.UTC()
	day := t.Unix() / 86400
	if t.Unix() < 0 && t.Unix()%86400 != 0 {
		day--
	}
	if pl.label != "" && day == pl.day {
		return pl.label
	}
	pl.day = day
	switch pl.period {
	case Week:
		y, w := t.ISOWeek()
		pl.label = fmt.Sprintf("%04d-W%02d", y, w)
	case Month:
		pl.label = t.Format("2006-01")
	default:
		pl.label = t.Format("2006-01-02")
	}
	return pl.label
}
