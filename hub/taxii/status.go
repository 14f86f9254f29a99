package taxii

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/internal/jsonappend"
	"github.com/genevahub/geneva/internal/jspull"
)

// StatusTTL is how long a POST's status is kept. A status resource
// carries the submission's receipt; the hub keeps statuses in memory and
// in a KV bucket, and after a hub restart reads a status back from the
// bucket and its receipts from GENEVA_RECEIPT (statusstore.go).
const StatusTTL = 24 * time.Hour

// receipt is what a status reads of a hub receipt (the JSON on
// geneva.receipt.<member>, wire.Receipt).
type receipt struct {
	Submission string          `json:"submission_id"`
	Member     string          `json:"member"`
	MsgID      string          `json:"msg_id"`
	Verdict    string          `json:"verdict"`
	Classified bool            `json:"classified"`
	Review     string          `json:"review"`
	Reasons    []reason        `json:"reasons"`
	Objects    []receiptObject `json:"objects"`
}

type receiptObject struct {
	ID      string   `json:"id"`
	Shared  bool     `json:"shared"`
	Reasons []reason `json:"reasons"`
}

type reason struct {
	Code    string `json:"code"`
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

// status is one POST.
type status struct {
	id        string
	member    string
	requested time.Time
	objects   []postedObject

	mu      sync.Mutex
	receipt *receipt
	decided chan struct{} // closed with the first receipt (final, or held for review)
}

type postedObject struct{ ID, Version string }

// statuses are the POSTs of the last StatusTTL, by status id; the receipt
// follower completes them by (member, msg id). Each member's statuses
// hold at most maxStatusObjects object entries: a member posting without
// pause loses its oldest statuses, not the hub its memory.
type statuses struct {
	mu       sync.Mutex
	byID     map[string]*status
	byMsg    map[string]*status   // member + " " + msg id
	byMember map[string][]*status // oldest first
	held     map[string]int       // member → object entries held
	swept    time.Time
}

// maxStatusObjects bounds one member's status entries (about 100 bytes
// each).
const maxStatusObjects = 200_000

func newStatuses() *statuses {
	return &statuses{byID: map[string]*status{}, byMsg: map[string]*status{},
		byMember: map[string][]*status{}, held: map[string]int{}, swept: time.Now()}
}

// drop forgets st; mu held.
func (ss *statuses) drop(st *status) {
	delete(ss.byID, st.id)
	delete(ss.byMsg, msgKey(st.member, MsgID(st.id)))
	ss.held[st.member] -= len(st.objects)
}

func msgKey(member, msgID string) string { return member + " " + msgID }

// MsgID is the Nats-Msg-Id of the submission a status id stands for.
func MsgID(statusID string) string { return "taxii-" + statusID }

// add keeps st, unless a status with its id is kept already: add returns
// the one kept.
func (ss *statuses) add(st *status) *status {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if have := ss.byID[st.id]; have != nil {
		return have
	}
	if now := time.Now(); now.Sub(ss.swept) > time.Minute {
		for m, list := range ss.byMember {
			n := 0
			for n < len(list) && now.Sub(list[n].requested) > StatusTTL {
				ss.drop(list[n])
				n++
			}
			ss.byMember[m] = list[n:]
		}
		ss.swept = now
	}
	list := append(ss.byMember[st.member], st)
	ss.held[st.member] += len(st.objects)
	for len(list) > 1 && ss.held[st.member] > maxStatusObjects {
		ss.drop(list[0])
		list = list[1:]
	}
	ss.byMember[st.member] = list
	ss.byID[st.id] = st
	ss.byMsg[msgKey(st.member, MsgID(st.id))] = st
	return st
}

func (ss *statuses) get(id string) *status {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.byID[id]
}

// deliver hands a receipt to its status, if it is a TAXII POST's.
func (ss *statuses) deliver(data []byte) {
	r, ok := parseReceipt(data)
	if !ok {
		return
	}
	ss.mu.Lock()
	st := ss.byMsg[msgKey(r.Member, r.MsgID)]
	ss.mu.Unlock()
	if st != nil {
		st.apply(r)
	}
}

// apply takes r as st's receipt unless st has its final one already (a
// held submission has two: "review", then the reviewer's verdict).
func (st *status) apply(r *receipt) {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.receipt == nil:
		close(st.decided)
	case st.receipt.Verdict != "review":
		return // final already
	}
	st.receipt = r
}

// follow feeds every new receipt to deliver until ctx is done.
func (ss *statuses) follow(ctx context.Context, receipts jetstream.Stream) error {
	c, err := receipts.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		return err
	}
	cc, err := c.Consume(func(m jetstream.Msg) { ss.deliver(m.Data()) }, jspull.Consume()...)
	if err != nil {
		return err
	}
	context.AfterFunc(ctx, cc.Stop)
	return nil
}

// final is whether st has its final receipt (a verdict other than held
// for review): its status will not change.
func (st *status) final() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.receipt != nil && st.receipt.Verdict != "review"
}

// statusDetails is a TAXII status-details entry.
type statusDetails struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// resource is the TAXII status resource (section 4.3.1) as JSON, keys in
// sorted order (as encoding/json writes a map; written by hand, as it is
// once per POST). Successes are the objects the hub
// shared; failures those it did not, with the reason codes; pendings wait
// for the decision or for a person's review.
func (st *status) resource() []byte {
	st.mu.Lock()
	r := st.receipt
	st.mu.Unlock()
	var successes, failures, pendings []statusDetails
	state := "complete"
	switch {
	case r == nil || r.Verdict == "review":
		state = "pending"
		msg := "waiting for the hub's decision"
		if r != nil {
			msg = "held for review (submission " + r.Submission + "): " + reasonText(r.Reasons)
		}
		for _, o := range st.objects {
			pendings = append(pendings, statusDetails{ID: o.ID, Version: o.Version, Message: msg})
		}
	default:
		used := map[int]bool{}
		for i, o := range st.objects {
			d := statusDetails{ID: o.ID, Version: o.Version}
			k := findObject(r, i, o.ID, used)
			switch {
			case k >= 0 && r.Objects[k].Shared:
				d.Message = "shared (submission " + r.Submission + ", verdict " + r.Verdict + ")" + withReasons(r.Objects[k].Reasons)
				successes = append(successes, d)
			case k >= 0:
				d.Message = "not shared (submission " + r.Submission + ", verdict " + r.Verdict + "): " + reasonText(append(r.Objects[k].Reasons, r.Reasons...))
				failures = append(failures, d)
			default: // classified or refused whole: the receipt lists no objects
				d.Message = "not shared (submission " + r.Submission + ", verdict " + r.Verdict + "): " + reasonText(r.Reasons)
				failures = append(failures, d)
			}
		}
	}
	b := make([]byte, 0, 256+160*len(st.objects))
	b = appendCount(b, `{"failure_count":`, len(failures))
	b = appendDetails(b, "failures", failures)
	b = append(b, `,"id":`...)
	b = jsonappend.String(b, st.id)
	b = appendCount(b, `,"pending_count":`, len(pendings))
	b = appendDetails(b, "pendings", pendings)
	b = append(b, `,"request_timestamp":`...)
	b = jsonappend.String(b, formatTime(st.requested))
	b = append(b, `,"status":`...)
	b = jsonappend.String(b, state)
	b = appendCount(b, `,"success_count":`, len(successes))
	b = appendDetails(b, "successes", successes)
	b = appendCount(b, `,"total_count":`, len(st.objects))
	if r != nil {
		b = append(b, `,"x_geneva_submission_id":`...)
		b = jsonappend.String(b, r.Submission)
		b = append(b, `,"x_geneva_verdict":`...)
		b = jsonappend.String(b, r.Verdict)
	}
	return append(b, '}')
}

func appendCount(b []byte, key string, n int) []byte {
	return strconv.AppendInt(append(b, key...), int64(n), 10)
}

// appendDetails writes ,"name":[…] unless ds is empty.
func appendDetails(b []byte, name string, ds []statusDetails) []byte {
	if len(ds) == 0 {
		return b
	}
	b = append(append(append(b, `,"`...), name...), `":`...)
	return jsonappend.Array(b, ds, func(b []byte, d statusDetails) []byte {
		b = jsonappend.String(append(b, `{"id":`...), d.ID)
		if d.Message != "" {
			b = jsonappend.String(append(b, `,"message":`...), d.Message)
		}
		return append(jsonappend.String(append(b, `,"version":`...), d.Version), '}')
	})
}

// findObject is the receipt's entry for the posted object at position i
// with id: the receipt's entry at i when it is that object's and not
// matched yet (the worker lists objects in the bundle's order), else the
// first entry with id not matched yet.
func findObject(r *receipt, i int, id string, used map[int]bool) int {
	if i < len(r.Objects) && r.Objects[i].ID == id && !used[i] {
		used[i] = true
		return i
	}
	for k, o := range r.Objects {
		if o.ID == id && !used[k] {
			used[k] = true
			return k
		}
	}
	return -1
}

func withReasons(rs []reason) string {
	if len(rs) == 0 {
		return ""
	}
	return ": " + reasonText(rs)
}

// reasonText lists reason codes with their pointers and messages.
func reasonText(rs []reason) string {
	if len(rs) == 0 {
		return "no reason given"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Code
		if r.Pointer != "" {
			parts[i] += " at " + r.Pointer
		}
		if r.Message != "" {
			parts[i] += " (" + r.Message + ")"
		}
	}
	return strings.Join(parts, "; ")
}
