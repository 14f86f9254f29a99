package report

import (
	"sort"
	"strings"
	"time"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/policy"
)

// MaxKeys caps the distinct values kept per dimension (object types, senders,
// indicator types, ...); further values are counted under OtherKey, so a
// flood of invented custom types cannot grow memory.
const MaxKeys = 512

// OtherKey collects the values past MaxKeys.
const OtherKey = "(other)"

// TopCapacity is how many counters each top-N summary keeps.
const TopCapacity = 1024

// The dimensions of the volume tables, in report order.
var Dimensions = []string{"type", "tlp", "sender", "sender_type", "sector", "jurisdiction"}

const (
	dimType = iota
	dimTLP
	dimSender
	dimSenderType
	dimSector
	dimJurisdiction
)

// Options shape a report.
type Options struct {
	MoU      *policy.MoU // members' type, sectors, jurisdiction; nil: all "unknown"
	From, To time.Time   // [From, To) on receipt (objects) and decision (audit) time; zero: open
	Period   Period      // default Day
	TopN     int         // default 10
}

// Aggregator folds objects and audit records into a Report. It is not safe
// for concurrent use; give each goroutine its own and Merge them.
type Aggregator struct {
	opt     Options
	members map[string]policy.Member
	labels  periodLabels

	volumes    map[string]*bucket // by period label
	curLabel   string
	cur        *bucket
	senders    map[string]senderInfo
	audiences  map[audienceKey][]*MemberYear
	keys       [6]map[string]struct{}
	techniques *spaceSaving
	malware    *spaceSaving
	indicators map[string]int64
	tts        latency
	refusals   map[string]*Refusal
	years      map[yearMember]*MemberYear
	part       Partnership
	byTLP      map[string]int64
	scanned    Scanned
	requests   map[string]*requestTrack // by request submission and recipient (requests.go)
}

// bucket holds one period's counts per dimension value; pointers so a
// count is one map lookup.
type bucket [6]map[string]*int64

func newBucket() *bucket {
	var b bucket
	for i := range b {
		b[i] = map[string]*int64{}
	}
	return &b
}

// senderInfo is a sender's MoU attributes as volume keys.
type senderInfo struct {
	typ, jurisdiction string
	sectors           []string
}

// audienceKey caches, per year, the member rows an audience header names.
type audienceKey struct {
	year     int
	audience string
}

// maxAudiences bounds that cache; past it the cache starts over.
const maxAudiences = 4096

type yearMember struct {
	year   int
	member string
}

// NewAggregator returns an empty aggregator.
func NewAggregator(opt Options) *Aggregator {
	if opt.Period == "" {
		opt.Period = Day
	}
	if opt.TopN <= 0 {
		opt.TopN = 10
	}
	a := &Aggregator{opt: opt, members: map[string]policy.Member{}, labels: periodLabels{period: opt.Period},
		volumes: map[string]*bucket{}, senders: map[string]senderInfo{}, audiences: map[audienceKey][]*MemberYear{}, techniques: newSpaceSaving(TopCapacity), malware: newSpaceSaving(TopCapacity),
		indicators: map[string]int64{}, refusals: map[string]*Refusal{}, years: map[yearMember]*MemberYear{},
		byTLP: map[string]int64{}, requests: map[string]*requestTrack{}}
	for i := range a.keys {
		a.keys[i] = map[string]struct{}{}
	}
	if opt.MoU != nil {
		for _, m := range opt.MoU.Members {
			a.members[m.ID] = m
		}
	}
	return a
}

func (a *Aggregator) inRange(t time.Time) bool {
	return (a.opt.From.IsZero() || !t.Before(a.opt.From)) && (a.opt.To.IsZero() || t.Before(a.opt.To))
}

// Duplicate counts a record skipped as a second copy of one already read.
func (a *Aggregator) Duplicate(bytes int) {
	a.scanned.Duplicates++
	a.scanned.Bytes += int64(bytes)
}

// Unreadable counts a record that could not be parsed.
func (a *Aggregator) Unreadable(bytes int) {
	a.scanned.Unreadable++
	a.scanned.Bytes += int64(bytes)
}

// AddObject counts one object share.
func (a *Aggregator) AddObject(o *Object) {
	a.scanned.ObjectRecords++
	a.scanned.Bytes += int64(o.Bytes)
	if !a.inRange(o.Received) {
		a.scanned.OutOfRange++
		return
	}
	if label := a.labels.of(o.Received); label != a.curLabel || a.cur == nil {
		a.curLabel = label
		if a.cur = a.volumes[label]; a.cur == nil {
			a.cur = newBucket()
			a.volumes[label] = a.cur
		}
	}
	a.vol(dimType, o.Type)
	a.vol(dimTLP, o.TLP)
	a.vol(dimSender, o.Sender)
	si := a.sender(o.Sender)
	a.vol(dimSenderType, si.typ)
	for _, sec := range si.sectors {
		a.vol(dimSector, sec)
	}
	a.vol(dimJurisdiction, si.jurisdiction)
	if o.Sender == "anonymous" {
		a.part.AnonymousObjects++
	}
	for _, t := range o.Techniques {
		a.techniques.add(t, 1, 0)
	}
	if o.Malware != "" {
		a.malware.add(o.Malware, 1, 0)
	}
	for _, t := range o.IndicatorTypes {
		a.indicators[a.capped(-1, t)]++
	}
	a.tts.add(o.Created, o.Received)
	a.part.Objects++
	a.byTLP[a.capped(dimTLP, o.TLP)]++

	year := o.Received.UTC().Year()
	a.year(year, a.capped(dimSender, o.Sender)).Contributed++
	for _, my := range a.audience(year, o.Audience) {
		my.Received++
	}
}

// sender returns the volume keys of a sender's type, sectors and
// jurisdiction.
func (a *Aggregator) sender(id string) senderInfo {
	if si, ok := a.senders[id]; ok {
		return si
	}
	m, known := a.members[id]
	var si senderInfo
	switch {
	case id == "anonymous":
		si = senderInfo{"anonymous", "anonymous", []string{"anonymous"}}
	case !known:
		si = senderInfo{"unknown", "unknown", []string{"unknown"}}
	default:
		si = senderInfo{string(m.Type), m.Jurisdiction, m.Sectors}
		if len(m.Sectors) == 0 {
			si.sectors = []string{"none"}
		}
	}
	if len(a.senders) < MaxKeys {
		a.senders[id] = si
	}
	return si
}

// audience returns the rows, for year, of the MoU members an audience
// header names.
func (a *Aggregator) audience(year int, header string) []*MemberYear {
	k := audienceKey{year, header}
	if rows, ok := a.audiences[k]; ok {
		return rows
	}
	var rows []*MemberYear
	for rest := header; rest != ""; {
		id, tail, _ := strings.Cut(rest, ",")
		rest = tail
		if _, ok := a.members[id]; ok {
			rows = append(rows, a.year(year, id))
		}
	}
	if len(a.audiences) >= maxAudiences {
		clear(a.audiences)
	}
	a.audiences[k] = rows
	return rows
}

func (a *Aggregator) vol(dim int, key string) {
	m := a.cur[dim]
	if p := m[key]; p != nil {
		*p++
		return
	}
	key = a.capped(dim, key)
	if p := m[key]; p != nil {
		*p++
		return
	}
	n := int64(1)
	m[key] = &n
}

// capped returns key, or OtherKey once dim has MaxKeys other values
// (dim -1: indicator types).
func (a *Aggregator) capped(dim int, key string) string {
	if key == "" {
		key = "(none)"
	}
	if dim < 0 {
		if _, ok := a.indicators[key]; ok || len(a.indicators) < MaxKeys {
			return key
		}
		return OtherKey
	}
	set := a.keys[dim]
	if _, ok := set[key]; ok {
		return key
	}
	if len(set) >= MaxKeys {
		return OtherKey
	}
	set[key] = struct{}{}
	return key
}

func (a *Aggregator) year(y int, member string) *MemberYear {
	k := yearMember{y, member}
	my := a.years[k]
	if my == nil {
		my = &MemberYear{Year: y, Member: member, Type: "unknown", Jurisdiction: "unknown"}
		if m, ok := a.members[member]; ok {
			my.Type, my.Jurisdiction = string(m.Type), m.Jurisdiction
		} else if member == "anonymous" {
			my.Type, my.Jurisdiction = "anonymous", "anonymous"
		}
		a.years[k] = my
	}
	return my
}

// AddAudit counts one audit record. Only decisions count as submissions;
// reason codes count only when policy says they refuse something.
func (a *Aggregator) AddAudit(r *audit.Record, bytes int) {
	a.scanned.AuditRecords++
	a.scanned.Bytes += int64(bytes)
	if !a.inRange(r.Time) {
		a.scanned.OutOfRange++
		return
	}
	if strings.HasPrefix(r.Action, "request.") {
		a.addRequest(r)
		return
	}
	if r.Action != "" && r.Action != "decide" {
		return
	}
	member := r.Member
	if _, ok := a.members[member]; !ok {
		member = a.capped(dimSender, member)
	}
	my := a.year(r.Time.UTC().Year(), member)
	my.Submissions++
	a.part.Submissions++
	switch r.Verdict {
	case "accept":
		my.Accepted++
		a.part.Accepted++
	case "partial":
		my.Partial++
		a.part.Partial++
	case "reject":
		my.Rejected++
		a.part.Rejected++
	case "review":
		my.Review++
		a.part.Review++
	}
	if r.Verdict != "reject" && r.Verdict != "partial" {
		return
	}
	for _, code := range r.Reasons {
		if !Refusing(code) {
			continue
		}
		ref := a.refusals[code]
		if ref == nil {
			if len(a.refusals) >= MaxKeys {
				code = OtherKey
				if ref = a.refusals[code]; ref == nil {
					ref = &Refusal{Code: code}
					a.refusals[code] = ref
				}
			} else {
				ref = &Refusal{Code: code}
				a.refusals[code] = ref
			}
		}
		if r.Verdict == "reject" {
			ref.Rejected++
		} else {
			ref.Partial++
		}
		addCount(&my.Reasons, code)
	}
}

// Refusing reports whether a reason code refuses a submission or an object
// in the policy catalogue; codes the catalogue does not know count as
// refusing, so a newer hub's codes are not lost.
func Refusing(code string) bool {
	ci, ok := policy.Describe(policy.Code(code))
	return !ok || ci.Rejects != ""
}

func addCount(cs *[]Count, key string) { addCountN(cs, key, 1) }

func addCountN(cs *[]Count, key string, n int64) {
	for i := range *cs {
		if (*cs)[i].Key == key {
			(*cs)[i].Count += n
			return
		}
	}
	*cs = append(*cs, Count{Key: key, Count: n})
}

// Merge adds o's counts to a. Both must have the same Options.
func (a *Aggregator) Merge(o *Aggregator) {
	for label, ob := range o.volumes {
		b := a.volumes[label]
		if b == nil {
			b = newBucket()
			a.volumes[label] = b
		}
		for dim, m := range ob {
			for k, n := range m {
				k = a.capped(dim, k)
				if p := b[dim][k]; p != nil {
					*p += *n
				} else {
					v := *n
					b[dim][k] = &v
				}
			}
		}
	}
	a.techniques.merge(o.techniques)
	a.malware.merge(o.malware)
	for k, n := range o.indicators {
		a.indicators[a.capped(-1, k)] += n
	}
	a.tts.merge(&o.tts)
	a.mergeRequests(o)
	for k, r := range o.refusals {
		mine := a.refusals[k]
		if mine == nil {
			mine = &Refusal{Code: k}
			a.refusals[k] = mine
		}
		mine.Rejected += r.Rejected
		mine.Partial += r.Partial
	}
	for k, y := range o.years {
		my := a.year(k.year, k.member)
		my.Contributed += y.Contributed
		my.Received += y.Received
		my.Submissions += y.Submissions
		my.Accepted += y.Accepted
		my.Partial += y.Partial
		my.Rejected += y.Rejected
		my.Review += y.Review
		for _, c := range y.Reasons {
			addCountN(&my.Reasons, c.Key, c.Count)
		}
	}
	p := &a.part
	p.Objects += o.part.Objects
	p.Submissions += o.part.Submissions
	p.Accepted += o.part.Accepted
	p.Partial += o.part.Partial
	p.Rejected += o.part.Rejected
	p.Review += o.part.Review
	p.AnonymousObjects += o.part.AnonymousObjects
	for k, n := range o.byTLP {
		a.byTLP[k] += n
	}
	s := &a.scanned
	s.ObjectRecords += o.scanned.ObjectRecords
	s.AuditRecords += o.scanned.AuditRecords
	s.Bytes += o.scanned.Bytes
	s.OutOfRange += o.scanned.OutOfRange
	s.Unreadable += o.scanned.Unreadable
	s.Duplicates += o.scanned.Duplicates
}

// Report returns the report so far; complete says whether the scan ended.
func (a *Aggregator) Report(source string, complete bool) *Report {
	r := &Report{Source: source, Period: a.opt.Period, Complete: complete, Scanned: a.scanned, Partnership: a.part}
	if !a.opt.From.IsZero() {
		f := a.opt.From.UTC()
		r.From = &f
	}
	if !a.opt.To.IsZero() {
		t := a.opt.To.UTC()
		r.To = &t
	}
	r.Volumes = []Volume{}
	for label, b := range a.volumes {
		for dim, m := range b {
			for k, n := range m {
				r.Volumes = append(r.Volumes, Volume{Period: label, Dimension: Dimensions[dim], Key: k, Objects: *n})
			}
		}
	}
	dimIndex := map[string]int{}
	for i, d := range Dimensions {
		dimIndex[d] = i
	}
	sort.Slice(r.Volumes, func(i, j int) bool {
		x, y := r.Volumes[i], r.Volumes[j]
		if x.Period != y.Period {
			return x.Period < y.Period
		}
		if x.Dimension != y.Dimension {
			return dimIndex[x.Dimension] < dimIndex[y.Dimension]
		}
		if x.Objects != y.Objects {
			return x.Objects > y.Objects
		}
		return x.Key < y.Key
	})
	r.Techniques = a.techniques.top(a.opt.TopN)
	r.Malware = a.malware.top(a.opt.TopN)
	r.IndicatorTypes = sortedCounts(a.indicators)
	r.TimeToShare = a.tts.result()
	r.Partnership.MedianTimeToShare = r.TimeToShare.P50Seconds
	r.Partnership.ByTLP = sortedCounts(a.byTLP)
	r.Refusals = make([]Refusal, 0, len(a.refusals))
	for _, ref := range a.refusals {
		r.Refusals = append(r.Refusals, *ref)
	}
	sort.Slice(r.Refusals, func(i, j int) bool {
		x, y := r.Refusals[i], r.Refusals[j]
		if x.Rejected+x.Partial != y.Rejected+y.Partial {
			return x.Rejected+x.Partial > y.Rejected+y.Partial
		}
		return x.Code < y.Code
	})
	senders := map[string]bool{}
	r.Members = make([]MemberYear, 0, len(a.years))
	for _, y := range a.years {
		my := *y
		my.Reasons = append([]Count{}, y.Reasons...)
		sort.Slice(my.Reasons, func(i, j int) bool {
			if my.Reasons[i].Count != my.Reasons[j].Count {
				return my.Reasons[i].Count > my.Reasons[j].Count
			}
			return my.Reasons[i].Key < my.Reasons[j].Key
		})
		r.Members = append(r.Members, my)
		if my.Submissions > 0 {
			senders[my.Member] = true
		}
	}
	r.Partnership.ActiveSenders = len(senders)
	r.Requests = a.requestPairs()
	sort.Slice(r.Members, func(i, j int) bool {
		if r.Members[i].Year != r.Members[j].Year {
			return r.Members[i].Year < r.Members[j].Year
		}
		return r.Members[i].Member < r.Members[j].Member
	})
	return r
}

func sortedCounts(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}
