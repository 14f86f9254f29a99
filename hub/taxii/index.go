package taxii

import (
	"context"
	"github.com/valyala/fastjson"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/internal/jspull"
)

// The index holds what TAXII needs to answer queries about the objects of
// GENEVA_SHARE (never their content, which stays in the stream): one
// entry per object of each share message, in stream order. date_added is
// the time the share was stored, made strictly increasing per object, so
// that added_after with the X-TAXII-Date-Added-Last of a page is a cursor
// that never skips nor repeats an object. Each member's collections are
// views built from the index by the member's own inbox definition
// (Backend.Inbox); a view catches up lazily on each request.

type entry struct {
	seq     uint64    // GENEVA_SHARE sequence of the share message
	idx     int       // position in the message's "objects"
	stored  time.Time // when GENEVA_SHARE stored the message
	added   time.Time
	id, typ string
	spec    string    // spec_version ("2.1" when absent)
	version string    // modified, else created, else date_added (as STIX writes it)
	vtime   time.Time // version, parsed
	subject string
}

// Index follows GENEVA_SHARE.
type Index struct {
	mu   sync.RWMutex
	base int // absolute number of objs[0]
	objs []entry
	last time.Time
	gen  int // bumped on trim: views rebuild

	views   sync.Map            // member → *view
	scopeOf func(string) string // share subject → "all", "c.<community>" or "m.<member>"
	names   map[string]string   // subjects, types and spec versions, interned (see intern)
}

// NewIndex is an empty index; Follow fills it. scopeOf reads the scope of
// a share subject (hub.ScopeOf).
func NewIndex(scopeOf func(subject string) string) *Index { return &Index{scopeOf: scopeOf} }

// add indexes one share message.
func (x *Index) add(seq uint64, stored time.Time, subject string, data []byte) {
	p := envelopeParsers.Get()
	defer envelopeParsers.Put(p)
	list, err := p.ParseBytes(objectsSpan(data)) // the objects as envelope() finds them
	if err != nil || list.Type() != fastjson.TypeArray {
		return // the hub only stores bundles it built; nothing to serve otherwise
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, v := range list.GetArray() {
		o := wireObject{ID: stringField(v, "id"), Type: stringField(v, "type"), SpecVersion: stringField(v, "spec_version"),
			Modified: stringField(v, "modified"), Created: stringField(v, "created")}
		if o.ID == "" {
			continue
		}
		added := stored.UTC().Truncate(time.Microsecond)
		if !added.After(x.last) {
			added = x.last.Add(time.Microsecond)
		}
		x.last = added
		e := entry{seq: seq, idx: i, stored: stored, added: added, id: o.ID, typ: x.intern(o.Type), spec: x.intern(o.SpecVersion), subject: x.intern(subject)}
		if e.spec == "" {
			e.spec = "2.1"
		}
		switch {
		case o.Modified != "":
			e.version = o.Modified
		case o.Created != "":
			e.version = o.Created
		default:
			e.version = formatTime(added)
		}
		if t, err := time.Parse(time.RFC3339Nano, e.version); err == nil {
			e.vtime = t
		} else {
			e.vtime = added
		}
		x.objs = append(x.objs, e)
	}
}

// wireObject is what the index reads of a STIX object.
type wireObject struct{ ID, Type, SpecVersion, Modified, Created string }

// stringField is v's string member name, or "" (absent, or not a string).
func stringField(v *fastjson.Value, name string) string { return string(v.GetStringBytes(name)) }

// maxInterned bounds the interned strings: a partnership has a few share
// subjects and STIX types, but a member chooses its custom types.
const maxInterned = 4096

// intern returns the index's copy of s, which repeats in most entries:
// one string per message or object would cost about 70 bytes an object
// (BenchmarkIndexBytesPerObject). Called with x.mu held.
func (x *Index) intern(s string) string {
	if v, ok := x.names[s]; ok {
		return v
	}
	if x.names == nil {
		x.names = map[string]string{}
	}
	if len(x.names) < maxInterned {
		s = strings.Clone(s)
		x.names[s] = s
	}
	return s
}

// trim drops the entries of messages below firstSeq (aged out of the
// stream); the views rebuild on their next use.
func (x *Index) trim(firstSeq uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	n, _ := slices.BinarySearchFunc(x.objs, firstSeq, func(e entry, s uint64) int { return cmpUint(e.seq, s) })
	if n == 0 {
		return
	}
	x.objs = slices.Delete(x.objs, 0, n)
	x.base += n
	x.gen++
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Follow indexes share from its first message on, then every new one,
// until ctx is done; every minute it drops what aged out of the stream.
func (x *Index) Follow(ctx context.Context, share jetstream.Stream) error {
	c, err := share.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return err
	}
	cc, err := c.Consume(func(m jetstream.Msg) {
		md, err := m.Metadata()
		if err != nil {
			return
		}
		x.add(md.Sequence.Stream, md.Timestamp, m.Subject(), m.Data())
	}, jspull.Consume()...)
	if err != nil {
		return err
	}
	go func() {
		defer cc.Stop()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if info, err := share.Info(ctx); err == nil {
					x.trim(info.State.FirstSeq)
				}
			}
		}
	}()
	return nil
}

// Inbox is a member's view of GENEVA_SHARE as policy routes it: the
// filter subjects of its inbox consumer, and when that consumer was
// created. Not the floor of real-time subscriptions, which moves to the
// present at every change of the filters: the collections keep what they
// held. The filters name only the scope generations that hold the member
// (hub/scopes.go), so a member that joins a scope matches nothing decided
// there before it joined.
type Inbox struct {
	Filters []string
	Since   time.Time
}

// view is one member's collections.
type view struct {
	mu      sync.Mutex
	key     string // the inbox it was built for
	gen     int
	filters [][]string
	since   time.Time
	scanned int             // absolute number of the next entry to look at
	match   map[string]bool // subject → in the inbox
	colls   map[string]*coll
}

// coll is one readable collection of a member: refs are absolute entry
// numbers in stream order, each (id, version) once.
type coll struct {
	refs []int
	seen map[string]struct{}
	byID map[string][]int
}

func (c *coll) add(e *entry, ref int) {
	k := e.id + "|" + e.version
	if _, dup := c.seen[k]; dup {
		return // the same object version reached the member twice (two audiences)
	}
	c.seen[k] = struct{}{}
	c.refs = append(c.refs, ref)
	c.byID[e.id] = append(c.byID[e.id], ref)
}

func newColl() *coll { return &coll{seen: map[string]struct{}{}, byID: map[string][]int{}} }

// snapshot is a consistent read of one collection: call release when done.
type snapshot struct {
	x    *Index
	v    *view
	c    *coll
	base int
	objs []entry
}

func (s *snapshot) entry(ref int) *entry { return &s.objs[ref-s.base] }

func (s *snapshot) release() {
	s.v.mu.Unlock()
	s.x.mu.RUnlock()
}

// collection brings member's view up to date under inbox and returns the
// collection named by scope ("" for the whole inbox, "c.<community>" for
// a community), locked until release.
func (x *Index) collection(member string, inbox Inbox, scope string) *snapshot {
	vi, _ := x.views.LoadOrStore(member, &view{})
	v := vi.(*view)
	x.mu.RLock()
	v.mu.Lock()
	key := strings.Join(inbox.Filters, " ") + "@" + inbox.Since.String()
	if v.key != key || v.gen != x.gen || v.colls == nil {
		// Rebuilt from scratch: the filters changed (an MoU change) or
		// entries were trimmed.
		v.key, v.gen, v.since, v.scanned = key, x.gen, inbox.Since, x.base
		v.match, v.colls, v.filters = map[string]bool{}, map[string]*coll{"": newColl()}, nil
		for _, f := range inbox.Filters {
			v.filters = append(v.filters, strings.Split(f, "."))
		}
	}
	end := x.base + len(x.objs)
	for ref := max(v.scanned, x.base); ref < end; ref++ {
		e := &x.objs[ref-x.base]
		if e.stored.Before(v.since) || !v.routed(e.subject) {
			continue
		}
		v.colls[""].add(e, ref)
		if sc := x.scopeOf(e.subject); strings.HasPrefix(sc, "c.") {
			c := v.colls[sc]
			if c == nil {
				c = newColl()
				v.colls[sc] = c
			}
			c.add(e, ref)
		}
	}
	v.scanned = end
	c := v.colls[scope]
	if c == nil {
		c = newColl()
	}
	return &snapshot{x: x, v: v, c: c, base: x.base, objs: x.objs}
}

// routed says whether subject matches one of the view's filters.
func (v *view) routed(subject string) bool {
	if ok, seen := v.match[subject]; seen {
		return ok
	}
	tokens := strings.Split(subject, ".")
	ok := false
	for _, f := range v.filters {
		if subjectMatch(f, tokens) {
			ok = true
			break
		}
	}
	v.match[subject] = ok
	return ok
}

// subjectMatch is NATS subject matching for filters with * and >.
func subjectMatch(filter, subject []string) bool {
	for i, f := range filter {
		if f == ">" {
			return len(subject) > i
		}
		if i >= len(subject) || (f != "*" && f != subject[i]) {
			return false
		}
	}
	return len(filter) == len(subject)
}
