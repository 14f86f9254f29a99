package report

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/genevahub/geneva/hub/audit"
)

// Source is where the archive is read from.
type Source interface {
	// Name is "kafka" or "jetstream".
	Name() string
	// Scan reads every record present when it starts (later ones are left
	// for the next report) into aggregators made by newAgg, returned merged.
	// It counts its way through p. On error, including ctx's, the
	// aggregator holds what was read so far.
	Scan(ctx context.Context, newAgg func() *Aggregator, p *Progress) (*Aggregator, error)
}

// Progress is updated by a Source while it scans; read it from another
// goroutine.
type Progress struct {
	Total   atomic.Int64 // records to read, known once the scan has begun
	Records atomic.Int64 // records read
	Bytes   atomic.Int64 // their value bytes
}

// Run scans src into a report. When the scan ends early (ctx cancelled or
// a read error), it returns the partial report, marked incomplete, together
// with the error; callers must not present it as complete.
func Run(ctx context.Context, src Source, opt Options, p *Progress) (*Report, error) {
	if p == nil {
		p = &Progress{}
	}
	agg, err := src.Scan(ctx, func() *Aggregator { return NewAggregator(opt) }, p)
	if agg == nil {
		agg = NewAggregator(opt)
	}
	if err == nil {
		err = ctx.Err()
	}
	return agg.Report(src.Name(), err == nil), err
}

// auditOf decodes one audit record; only the fields a report reads.
func auditOf(raw []byte, r *audit.Record) error {
	*r = audit.Record{}
	return json.Unmarshal(raw, r)
}

// parseReceived reads the geneva-received header (RFC 3339).
func parseReceived(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}
