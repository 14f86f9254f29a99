package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
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
	// nc records final statuses without waiting for their PubAck, which
	// one subscription on acks reads (ackPrefix + status id).
	nc        *nats.Conn
	ackPrefix string
	log       *slog.Logger
}

// statusRecord is a status as stored, under its id.
type statusRecord struct {
	Member    string         `json:"member"`
	Requested time.Time      `json:"requested"`
	Objects   []postedObject `json:"objects"`
}

func (ss *statusStore) save(ctx context.Context, st *status) error {
	b, err := appendRecord(make([]byte, 0, 128+96*len(st.objects)), st)
	if err != nil {
		return err
	}
	_, err = ss.kv.Put(ctx, st.id, b)
	return err
}

// record stores st without waiting: its PubAck comes to the acks
// subscription, which logs a failure. For a final status, already given
// whole: a sync Put per POST cost a goroutine, a request and a decoded
// PubAck, a tenth of the TAXII layer's CPU.
func (ss *statusStore) record(st *status) {
	b, err := appendRecord(make([]byte, 0, 128+96*len(st.objects)), st)
	if err == nil {
		err = ss.nc.PublishMsg(&nats.Msg{Subject: "$KV." + ss.kv.Bucket() + "." + st.id, Reply: ss.ackPrefix + st.id, Data: b})
	}
	if err != nil {
		ss.log.Warn("taxii: storing a status", "member", st.member, "status", st.id, "err", err)
	}
}

// followAcks logs the failures record's PubAcks report, until ctx is done.
func (ss *statusStore) followAcks(ctx context.Context) error {
	ss.ackPrefix = ss.nc.NewRespInbox() + "."
	sub, err := ss.nc.Subscribe(ss.ackPrefix+"*", func(m *nats.Msg) {
		if len(m.Data) == 0 || bytes.Contains(m.Data, []byte(`"error"`)) { // no stream, or its refusal
			ss.log.Warn("taxii: storing a status", "status", strings.TrimPrefix(m.Subject, ss.ackPrefix), "answer", string(m.Data))
		}
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
