package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/internal/jsonappend"
)

// statusStore keeps what a POST's status needs beyond its receipt (the
// member, the request's time, the objects posted) in a KV bucket whose
// entries expire after StatusTTL, so a status survives a hub restart; its
// outcome is read again from GENEVA_RECEIPT, which keeps every receipt.
type statusStore struct {
	kv       jetstream.KeyValue
	receipts jetstream.Stream
	subject  func(member string) string // a member's receipt subject
	// nc publishes records to the bucket's stream; their PubAcks come to
	// one subscription (ackPrefix + status id), which hands each to the
	// POST waiting for it, if any, and logs a failure. A kv.Put per POST
	// cost a goroutine, a request and a PubAck decoded with encoding/json:
	// a third of what the TAXII layer added to a POST.
	nc        *nats.Conn
	ackPrefix string
	log       *slog.Logger
	mu        sync.Mutex
	waiting   map[string]chan error // status id → its POST, waiting for the PubAck
}

// statusRecord is a status as stored, under its id.
type statusRecord struct {
	Member    string         `json:"member"`
	Requested time.Time      `json:"requested"`
	Objects   []postedObject `json:"objects"`
}

// ackWait bounds the wait for a status record's PubAck.
const ackWait = 10 * time.Second

// record stores st. With wait, the channel says whether it was stored
// (await it, or release it); without, a failure is only logged.
func (ss *statusStore) record(st *status, wait bool) <-chan error {
	var done chan error
	if wait {
		done = make(chan error, 1)
		ss.mu.Lock()
		ss.waiting[st.id] = done
		ss.mu.Unlock()
	}
	b, err := appendRecord(make([]byte, 0, 128+96*len(st.objects)), st)
	if err == nil {
		// kv.Put's subject for a bucket that is not a mirror, reached
		// without a JetStream domain (as the hub's is); were it another,
		// no stream would answer, and the waiter would hear it.
		err = ss.nc.PublishMsg(&nats.Msg{Subject: "$KV." + ss.kv.Bucket() + "." + st.id, Reply: ss.ackPrefix + st.id, Data: b})
	}
	if err != nil {
		ss.acked(st.id, err)
	}
	return done
}

// await is how the record of status id went, or an error after ackWait.
func (ss *statusStore) await(id string, done <-chan error) error {
	timer := time.NewTimer(ackWait)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		ss.mu.Lock()
		delete(ss.waiting, id)
		ss.mu.Unlock()
		return fmt.Errorf("no PubAck from the status bucket within %v", ackWait)
	}
}

// release stops waiting for the record of status id: a failure is
// logged.
func (ss *statusStore) release(id string, done <-chan error) {
	ss.mu.Lock()
	delete(ss.waiting, id)
	ss.mu.Unlock()
	select {
	case err := <-done:
		if err != nil {
			ss.log.Warn("taxii: storing a status", "status", id, "err", err)
		}
	default:
	}
}

// acked hands a record's outcome to its waiting POST, or logs a failure.
func (ss *statusStore) acked(id string, err error) {
	ss.mu.Lock()
	done := ss.waiting[id]
	delete(ss.waiting, id)
	ss.mu.Unlock()
	if done != nil {
		done <- err
	} else if err != nil {
		ss.log.Warn("taxii: storing a status", "status", id, "err", err)
	}
}

// followAcks reads the records' PubAcks until ctx is done.
func (ss *statusStore) followAcks(ctx context.Context) error {
	ss.waiting = map[string]chan error{}
	ss.ackPrefix = ss.nc.NewRespInbox() + "."
	sub, err := ss.nc.Subscribe(ss.ackPrefix+"*", func(m *nats.Msg) {
		var err error
		switch {
		case len(m.Data) == 0: // a status header instead: no stream answered
			err = fmt.Errorf("no PubAck: %s %s", m.Header.Get("Status"), m.Header.Get("Description"))
		case bytes.Contains(m.Data, []byte(`"error"`)): // the stream refused it
			err = fmt.Errorf("refused: %s", m.Data)
		}
		ss.acked(strings.TrimPrefix(m.Subject, ss.ackPrefix), err)
	})
	if err != nil {
		return err
	}
	context.AfterFunc(ctx, func() { _ = sub.Unsubscribe() })
	return nil
}

// appendRecord writes st's statusRecord as json.Marshal does, without
// reflection (one record per POST).
func appendRecord(b []byte, st *status) ([]byte, error) {
	b = jsonappend.String(append(b, `{"member":`...), st.member)
	b, err := jsonappend.Time(append(b, `,"requested":`...), st.requested)
	b = jsonappend.Array(append(b, `,"objects":`...), st.objects, func(b []byte, o postedObject) []byte {
		b = jsonappend.String(append(b, `{"ID":`...), o.ID)
		return append(jsonappend.String(append(b, `,"Version":`...), o.Version), '}')
	})
	return append(b, '}'), err
}

// load is the stored status id, without its receipt; nil if there is none
// (never posted, or older than StatusTTL).
func (ss *statusStore) load(ctx context.Context, id string) (*status, error) {
	if !validStatusID(id) {
		return nil, nil
	}
	e, err := ss.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec statusRecord
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return nil, fmt.Errorf("status %s: %w", id, err)
	}
	return &status{id: id, member: rec.Member, requested: rec.Requested, objects: rec.Objects, decided: make(chan struct{})}, nil
}

// findReceipts hands st the receipts of its submission in GENEVA_RECEIPT:
// those of its member stored since its request, up to the last one now.
func (ss *statusStore) findReceipts(ctx context.Context, st *status) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	since := st.requested.Add(-time.Second) // the stream's clock and ours may differ a little
	c, err := ss.receipts.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{ss.subject(st.member)}, DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &since})
	if err != nil {
		return err
	}
	want := MsgID(st.id)
	for {
		batch, err := c.FetchNoWait(256)
		if err != nil {
			return err
		}
		n, last := 0, false
		for m := range batch.Messages() {
			n++
			if r, ok := parseReceipt(m.Data()); ok && r.MsgID == want {
				st.apply(r)
			}
			if meta, err := m.Metadata(); err == nil && meta.NumPending == 0 {
				last = true
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return err
		}
		if n == 0 || last {
			return ctx.Err()
		}
	}
}

// validStatusID is whether id can be a status id (a UUID), so nothing
// else reaches the bucket as a key.
func validStatusID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, c := range id {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f'):
			return false
		}
	}
	return true
}
