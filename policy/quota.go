package policy

import "fmt"

// Quota bounds what one member may use of the hub. A zero field takes the
// partnership's default (MoU.Quotas), and a zero default DefaultQuota's.
// NATS enforces Connections, Subscriptions and MaxSubmissionBytes (account
// limits of the member's account); the hub enforces the rest and refuses a
// submission over quota with a reason code and a receipt.
type Quota struct {
	SubmissionsPerSecond int `yaml:"submissions_per_second"` // sustained rate
	SubmissionBurst      int `yaml:"submission_burst"`       // submissions above the rate at once
	BytesPerDay          int `yaml:"bytes_per_day"`          // submitted bytes per UTC day
	MaxSubmissionBytes   int `yaml:"max_submission_bytes"`   // largest message (capped by the hub's max_payload)
	Connections          int `yaml:"connections"`            // NATS connections at once
	Subscriptions        int `yaml:"subscriptions"`          // NATS subscriptions per connection
	Views                int `yaml:"views"`                  // live real-time subscriptions (and receipt views) per stream
}

// DefaultQuota is a member's quota when neither it nor the partnership
// sets one: a connector's backfill fits in the burst, a
// flood of 100,000 in seconds does not.
var DefaultQuota = Quota{
	SubmissionsPerSecond: 1000,
	SubmissionBurst:      10000,
	BytesPerDay:          4 << 30,
	MaxSubmissionBytes:   8 << 20,
	Connections:          32,
	Subscriptions:        1000,
	Views:                16,
}

// UnthrottledQuota lifts the rate quota (benchmarks offer more than a
// burst); the other fields take the defaults.
var UnthrottledQuota = Quota{SubmissionsPerSecond: 1 << 30, SubmissionBurst: 1 << 30}

// QuotaOf is member id's quota: its own fields, else the partnership's,
// else DefaultQuota's.
func (m *MoU) QuotaOf(id string) Quota {
	q := Quota{}
	if mb, ok := m.Member(id); ok {
		q = mb.Quota
	}
	return q.or(m.Quotas).or(DefaultQuota)
}

func (q Quota) or(d Quota) Quota {
	pick := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	return Quota{
		SubmissionsPerSecond: pick(q.SubmissionsPerSecond, d.SubmissionsPerSecond),
		SubmissionBurst:      pick(q.SubmissionBurst, d.SubmissionBurst),
		BytesPerDay:          pick(q.BytesPerDay, d.BytesPerDay),
		MaxSubmissionBytes:   pick(q.MaxSubmissionBytes, d.MaxSubmissionBytes),
		Connections:          pick(q.Connections, d.Connections),
		Subscriptions:        pick(q.Subscriptions, d.Subscriptions),
		Views:                pick(q.Views, d.Views),
	}
}

// quotas checks the partnership's and every member's quota: no field may
// be negative (zero means "the default").
func (v *validation) quotas() {
	check := func(path string, q Quota) {
		for name, n := range map[string]int{
			"submissions_per_second": q.SubmissionsPerSecond, "submission_burst": q.SubmissionBurst,
			"bytes_per_day": q.BytesPerDay, "max_submission_bytes": q.MaxSubmissionBytes,
			"connections": q.Connections, "subscriptions": q.Subscriptions, "views": q.Views,
		} {
			if n < 0 || n > 1<<40 {
				v.fail(path+"."+name, "%d is outside 0 (the default) .. 2^40", n)
			}
		}
	}
	check("quotas", v.m.Quotas)
	for i, mb := range v.m.Members {
		check(fmt.Sprintf("members[%d].quota", i), mb.Quota)
	}
}
