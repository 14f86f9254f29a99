package report

import "time"

// Report is the result of one scan. Every count is of archived object
// shares (see Object) or audit records; no field ever holds content.
type Report struct {
	Source      string      `json:"source"`         // "kafka" or "jetstream"
	From        *time.Time  `json:"from,omitempty"` // inclusive bound on receipt/decision time
	To          *time.Time  `json:"to,omitempty"`   // exclusive bound
	Period      Period      `json:"period"`         // bucket of Volumes
	Complete    bool        `json:"complete"`       // false when the scan was interrupted
	Scanned     Scanned     `json:"scanned"`        // what the scan read
	Partnership Partnership `json:"partnership"`    // partnership-wide summary

	Volumes        []Volume      `json:"volumes"`         // per period, per dimension value
	Techniques     Top           `json:"techniques"`      // ATT&CK techniques of shared attack-patterns
	Malware        Top           `json:"malware"`         // malware families (names) shared
	IndicatorTypes []Count       `json:"indicator_types"` // observable types tested by shared indicators
	TimeToShare    TimeToShare   `json:"time_to_share"`   // object "created" to hub receipt
	Refusals       []Refusal     `json:"refusals"`        // audit reason codes of refused submissions and objects
	Members        []MemberYear  `json:"members"`         // per member per year
	Requests       []RequestPair `json:"requests"`        // law-enforcement requests per member pair
}

// Scanned counts what the sources delivered.
type Scanned struct {
	ObjectRecords int64 `json:"object_records"` // read from the objects topic / share parts
	AuditRecords  int64 `json:"audit_records"`
	Bytes         int64 `json:"bytes"`        // record values read
	OutOfRange    int64 `json:"out_of_range"` // records outside --from/--to
	Unreadable    int64 `json:"unreadable"`   // records that were not STIX/audit JSON (skipped, counted)
	Duplicates    int64 `json:"duplicates"`   // late second copies in the archive (skipped, counted; see docs/archive.md)
}

// Partnership is the partnership-wide summary over the range.
type Partnership struct {
	Objects           int64   `json:"objects"`           // object shares
	Submissions       int64   `json:"submissions"`       // decisions in the audit
	Accepted          int64   `json:"accepted"`          // verdict accept
	Partial           int64   `json:"partial"`           // verdict partial (some objects refused)
	Rejected          int64   `json:"rejected"`          // verdict reject
	Review            int64   `json:"review"`            // held for a person
	ActiveSenders     int     `json:"active_senders"`    // members with at least one submission
	AnonymousObjects  int64   `json:"anonymous_objects"` // shares sent anonymously
	ByTLP             []Count `json:"by_tlp"`            // object shares per TLP level
	MedianTimeToShare float64 `json:"median_time_to_share_seconds"`
}

// Volume is the number of object shares in one period for one value of one
// dimension (type, tlp, sender, sender_type, sector, jurisdiction).
type Volume struct {
	Period    string `json:"period"` // 2026-11-22, 2026-W47 or 2026-11
	Dimension string `json:"dimension"`
	Key       string `json:"key"`
	Objects   int64  `json:"objects"`
}

// Count is one key and how often it occurred.
type Count struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// Top is a bounded top-N. When Exact is false, more distinct keys were
// seen than the summary holds and each Count may overstate by up to its
// MaxError.
type Top struct {
	Exact    bool      `json:"exact"`
	Distinct int       `json:"distinct"` // distinct keys held (all of them when Exact)
	Items    []TopItem `json:"items"`
}

// TopItem is one entry of a Top.
type TopItem struct {
	Key      string `json:"key"`
	Count    int64  `json:"count"`
	MaxError int64  `json:"max_error,omitempty"`
}

// TimeToShare is the distribution of (hub receipt − object created) over
// objects that have a "created". Percentiles are within 1% of the exact
// nearest-rank values; Min, Max and Mean are exact.
type TimeToShare struct {
	Objects     int64   `json:"objects"`    // objects measured
	NoCreated   int64   `json:"no_created"` // objects without a readable "created"
	Negative    int64   `json:"negative"`   // created after receipt (clock skew), not measured
	MinSeconds  float64 `json:"min_seconds"`
	MeanSeconds float64 `json:"mean_seconds"`
	P50Seconds  float64 `json:"p50_seconds"`
	P90Seconds  float64 `json:"p90_seconds"`
	P95Seconds  float64 `json:"p95_seconds"`
	P99Seconds  float64 `json:"p99_seconds"`
	MaxSeconds  float64 `json:"max_seconds"`
	Histogram   []Bin   `json:"histogram"`
}

// Bin is one histogram bar: objects with Lower <= delay < Upper seconds
// (Upper 0: no upper bound).
type Bin struct {
	Label   string  `json:"label"`
	Lower   float64 `json:"lower_seconds"`
	Upper   float64 `json:"upper_seconds"`
	Objects int64   `json:"objects"`
}

// Refusal counts audit records carrying one refusing reason code.
type Refusal struct {
	Code     string `json:"code"`
	Rejected int64  `json:"rejected"` // in submissions refused whole
	Partial  int64  `json:"partial"`  // in submissions refused in part
}

// MemberYear is one member's account for one year.
type MemberYear struct {
	Year         int     `json:"year"`
	Member       string  `json:"member"` // or "anonymous" for anonymous shares
	Type         string  `json:"type"`
	Jurisdiction string  `json:"jurisdiction"`
	Contributed  int64   `json:"contributed"` // object shares it sent (not anonymously)
	Received     int64   `json:"received"`    // object shares addressed to it
	Submissions  int64   `json:"submissions"`
	Accepted     int64   `json:"accepted"`
	Partial      int64   `json:"partial"`
	Rejected     int64   `json:"rejected"`
	Review       int64   `json:"review"`
	Reasons      []Count `json:"refusal_reasons"` // refusing codes of its rejected and partial submissions
}
