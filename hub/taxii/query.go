package taxii

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxPage is the most objects one response carries (and the page size
// when the client gives no limit).
const MaxPage = 1000

// query is a request's filters (TAXII 2.1 section 3.4).
type query struct {
	addedAfter time.Time // zero: none
	limit      int
	next       string
	ids        map[string]bool // nil: any
	types      map[string]bool
	specs      map[string]bool
	version    string             // "last", "first", "all", or "" with versions set
	versions   map[time.Time]bool // match[version]=<timestamp>,...
}

// parseQuery reads the URL parameters; version is the default of
// match[version] for the endpoint ("last" for objects and manifest, "all"
// for versions).
func parseQuery(v url.Values, version string) (query, error) {
	q := query{limit: MaxPage, version: version, next: v.Get("next")}
	if s := v.Get("added_after"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return q, fmt.Errorf("added_after: %q is not an RFC 3339 timestamp", s)
		}
		q.addedAfter = t
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, fmt.Errorf("limit: %q is not a positive integer", s)
		}
		q.limit = min(n, MaxPage)
	}
	q.ids = matchSet(v, "match[id]")
	q.types = matchSet(v, "match[type]")
	q.specs = matchSet(v, "match[spec_version]")
	if vs := matchSet(v, "match[version]"); vs != nil {
		q.version = ""
		for s := range vs {
			switch s {
			case "last", "first", "all":
				if q.version != "" && q.version != s {
					return q, fmt.Errorf("match[version]: give one of last, first, all")
				}
				q.version = s
			default:
				t, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					return q, fmt.Errorf("match[version]: %q is not last, first, all or a timestamp", s)
				}
				if q.versions == nil {
					q.versions = map[time.Time]bool{}
				}
				q.versions[t] = true
			}
		}
		if q.version != "" && q.versions != nil {
			q.version = "all" // both a keyword and timestamps: keep the union simple
		}
	}
	if q.next != "" {
		if _, _, err := parseCursor(q.next); err != nil {
			return q, err
		}
	}
	return q, nil
}

// matchSet is a comma-separated (or repeated) match parameter; nil if
// absent.
func matchSet(v url.Values, name string) map[string]bool {
	vals, ok := v[name]
	if !ok {
		return nil
	}
	set := map[string]bool{}
	for _, val := range vals {
		for p := range strings.SplitSeq(val, ",") {
			if p = strings.TrimSpace(p); p != "" {
				set[p] = true
			}
		}
	}
	return set
}

// A cursor names the last object a page returned by its place in
// GENEVA_SHARE (sequence and position in the message): objects added
// later have higher places, so paging on while objects arrive returns each
// once, and the cursor stays valid across hub restarts.
func cursor(e *entry) string { return strconv.FormatUint(e.seq, 10) + "-" + strconv.Itoa(e.idx) }

func parseCursor(s string) (seq uint64, idx int, err error) {
	a, b, ok := strings.Cut(s, "-")
	seq, err1 := strconv.ParseUint(a, 10, 64)
	idx, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || idx < 0 {
		return 0, 0, fmt.Errorf("next: %q is not a cursor this server gave", s)
	}
	return seq, idx, nil
}

// page is one answer: entries in order, and whether more match.
type page struct {
	refs []int
	more bool
	next string
}

// selectPage applies q to candidates (absolute refs in stream order).
func (s *snapshot) selectPage(q query, candidates []int) page {
	start := 0
	if q.next != "" {
		seq, idx, _ := parseCursor(q.next)
		start, _ = slices.BinarySearchFunc(candidates, [2]uint64{seq, uint64(idx)}, func(ref int, c [2]uint64) int {
			e := s.entry(ref)
			if r := cmpUint(e.seq, c[0]); r != 0 {
				return r
			}
			return cmpUint(uint64(e.idx), c[1])
		})
		if start < len(candidates) && s.entry(candidates[start]).seq == seq && s.entry(candidates[start]).idx == idx {
			start++
		}
	}
	if !q.addedAfter.IsZero() {
		// Refs are in date_added order: date_added grows with the stream.
		after, _ := slices.BinarySearchFunc(candidates, q.addedAfter, func(ref int, t time.Time) int {
			if s.entry(ref).added.After(t) {
				return 1
			}
			return -1
		})
		start = max(start, after)
	}
	return s.collect(q, candidates[start:])
}

// collect takes up to q.limit matching refs from candidates.
func (s *snapshot) collect(q query, candidates []int) page {
	var p page
	for _, ref := range candidates {
		if !s.matches(q, ref) {
			continue
		}
		if len(p.refs) == q.limit {
			p.more = true
			p.next = cursor(s.entry(p.refs[len(p.refs)-1]))
			break
		}
		p.refs = append(p.refs, ref)
	}
	return p
}

func (s *snapshot) matches(q query, ref int) bool {
	e := s.entry(ref)
	switch {
	case q.ids != nil && !q.ids[e.id],
		q.types != nil && !q.types[e.typ],
		q.specs != nil && !q.specs[e.spec]:
		return false
	}
	if q.versions != nil && q.versions[e.vtime] {
		return true
	}
	switch q.version {
	case "all":
		return true
	case "last":
		return s.extreme(e.id, +1) == ref
	case "first":
		return s.extreme(e.id, -1) == ref
	}
	return false
}

// extreme is the ref of id's latest (sign +1) or earliest (-1) version in
// the collection; of equal versions, the one added first.
func (s *snapshot) extreme(id string, sign int) int {
	best := -1
	for _, ref := range s.c.byID[id] {
		if ref < s.base {
			continue
		}
		if best < 0 || sign*s.entry(ref).vtime.Compare(s.entry(best).vtime) > 0 {
			best = ref
		}
	}
	return best
}

// versionsOf is id's refs ordered by version (modified), then by when
// they were added.
func (s *snapshot) versionsOf(id string) []int {
	refs := s.byID(id)
	slices.SortStableFunc(refs, func(a, b int) int { return s.entry(a).vtime.Compare(s.entry(b).vtime) })
	return refs
}

// byID is id's refs in stream order.
func (s *snapshot) byID(id string) []int {
	var refs []int
	for _, ref := range s.c.byID[id] {
		if ref >= s.base {
			refs = append(refs, ref)
		}
	}
	return refs
}

// formatTime writes a TAXII timestamp (microseconds, UTC).
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// selectVersions pages through candidates in version order: next is the
// cursor of the last version returned.
func (s *snapshot) selectVersions(q query, candidates []int) page {
	start := 0
	if q.next != "" {
		for i, ref := range candidates {
			if cursor(s.entry(ref)) == q.next {
				start = i + 1
			}
		}
	}
	var kept []int
	for _, ref := range candidates[start:] {
		if q.addedAfter.IsZero() || s.entry(ref).added.After(q.addedAfter) {
			kept = append(kept, ref)
		}
	}
	return s.collect(q, kept)
}
