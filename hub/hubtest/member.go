package hubtest

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
)

// Member is a client connected with one member's own credentials.
type Member struct {
	ID string
	NC *nats.Conn
	JS jetstream.JetStream

	mu   sync.Mutex
	errs []error // async errors, permission violations explained
}

// Member connects as member id with its creds file.
func (h *Hub) Member(t testing.TB, id string) *Member {
	t.Helper()
	m, err := h.Connect(id)
	must(t, err, "connect as %s", id)
	t.Cleanup(m.NC.Close)
	return m
}

// Connect connects as member id (or wire.OperatorName) with its creds file
// (its JWT creds with jwt_accounts).
func (h *Hub) Connect(id string, extra ...nats.Option) (*Member, error) {
	return h.ConnectCreds(id, h.CredsPath(id), extra...)
}

// ConnectCreds connects as member id (or wire.OperatorName) with the creds
// file credsFile.
func (h *Hub) ConnectCreds(id, credsFile string, extra ...nats.Option) (*Member, error) {
	m := &Member{ID: id}
	_, opts, err := wire.MemberOptions(credsFile, func(err error) {
		m.mu.Lock()
		m.errs = append(m.errs, err)
		m.mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	opts = append(opts, nats.MaxReconnects(0))
	m.NC, err = nats.Connect(h.ClientURL(), append(opts, extra...)...)
	if err != nil {
		return nil, err
	}
	m.JS, err = jetstream.New(m.NC, jetstream.WithDefaultTimeout(2*time.Second))
	if err != nil {
		m.NC.Close()
		return nil, err
	}
	return m, nil
}

// Errors returns the asynchronous errors seen so far.
func (m *Member) Errors() []error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]error(nil), m.errs...)
}

// Submit publishes bundle as this member and waits for the PubAck.
func (m *Member) Submit(t testing.TB, bundle []byte, o wire.SubmitOptions) *jetstream.PubAck {
	t.Helper()
	ack, err := m.JS.PublishMsg(ctxFor(t, 5*time.Second), wire.SubmitMsg(m.ID, bundle, o))
	must(t, err, "%s: submit", m.ID)
	return ack
}

// Next fetches at most one message from this member's consumer on stream,
// waiting up to wait; ok is false when nothing came. The message is acked.
func (m *Member) Next(t testing.TB, stream, consumer string, wait time.Duration) (jetstream.Msg, bool) {
	t.Helper()
	c, err := m.JS.Consumer(ctxFor(t, 5*time.Second), stream, consumer)
	must(t, err, "%s: consumer %s", m.ID, consumer)
	batch, err := c.Fetch(1, jetstream.FetchMaxWait(wait))
	must(t, err, "%s: fetch from %s", m.ID, consumer)
	for msg := range batch.Messages() {
		must(t, msg.Ack(), "%s: ack", m.ID)
		return msg, true
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, nats.ErrTimeout) {
		t.Fatalf("hubtest: %s: fetch from %s: %v", m.ID, consumer, err)
	}
	return nil, false
}

// NextShare is the next message policy routed to this member.
func (m *Member) NextShare(t testing.TB, wait time.Duration) (jetstream.Msg, bool) {
	t.Helper()
	return m.Next(t, wire.StreamShare, wire.InboxConsumer(m.ID), wait)
}

// NextReceipt waits up to wait for this member's next receipt.
func (m *Member) NextReceipt(t testing.TB, wait time.Duration) wire.Receipt {
	t.Helper()
	msg, ok := m.Next(t, wire.StreamReceipt, wire.ReceiptConsumer(m.ID), wait)
	if !ok {
		t.Fatalf("hubtest: %s: %v within %v (no receipt)", m.ID, errNothing, wait)
	}
	var r wire.Receipt
	must(t, json.Unmarshal(msg.Data(), &r), "%s: decode receipt", m.ID)
	return r
}

// Available takes (and acks) every message this member's consumer holds
// right now. Call it after the sender's receipt arrived: the hub publishes
// the receipt only after every share has its PubAck, so anything routed to
// this member is stored by then.
//
// A no-wait fetch alone is not enough: the server counts a newly stored
// message for each consumer on a goroutine of its own, and a no-wait fetch
// the consumer still counts nothing for is refused at once (about one in
// twenty right after the PubAck on an idle machine). So when it finds
// nothing, a fetch that waits up to settleWait, which reads the stream
// itself, makes sure.
func (m *Member) Available(t testing.TB, stream, consumer string) []jetstream.Msg {
	t.Helper()
	c, err := m.JS.Consumer(ctxFor(t, 5*time.Second), stream, consumer)
	must(t, err, "%s: consumer %s", m.ID, consumer)
	var out []jetstream.Msg
	for {
		batch, err := c.FetchNoWait(100)
		must(t, err, "%s: fetch from %s", m.ID, consumer)
		got := m.Collect(t, batch)
		out = append(out, got...)
		switch {
		case len(got) == 100: // maybe more
			continue
		case len(got) > 0: // served from the stream up to its end
			return out
		}
		batch, err = c.Fetch(100, jetstream.FetchMaxWait(settleWait))
		must(t, err, "%s: fetch from %s", m.ID, consumer)
		got = m.Collect(t, batch)
		if len(got) == 0 {
			return out
		}
		out = append(out, got...)
	}
}

// settleWait bounds how long the server may take to hand a waiting fetch
// what its stream already holds, on a loaded machine.
const settleWait = 2 * time.Second

// Shares takes every share this member's inbox holds right now.
func (m *Member) Shares(t testing.TB) []jetstream.Msg {
	t.Helper()
	return m.Available(t, wire.StreamShare, wire.InboxConsumer(m.ID))
}

// StartFetch asks this member's consumer for up to n messages, waiting at
// most wait; it returns at once, so several members can wait together.
// Read the result with Collect.
func (m *Member) StartFetch(t testing.TB, stream, consumer string, n int, wait time.Duration) jetstream.MessageBatch {
	t.Helper()
	c, err := m.JS.Consumer(ctxFor(t, 5*time.Second), stream, consumer)
	must(t, err, "%s: consumer %s", m.ID, consumer)
	batch, err := c.Fetch(n, jetstream.FetchMaxWait(wait))
	must(t, err, "%s: fetch from %s", m.ID, consumer)
	return batch
}

// Collect reads (and acks) every message of a batch.
func (m *Member) Collect(t testing.TB, batch jetstream.MessageBatch) []jetstream.Msg {
	t.Helper()
	var out []jetstream.Msg
	for msg := range batch.Messages() {
		must(t, msg.Ack(), "%s: ack", m.ID)
		out = append(out, msg)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, nats.ErrTimeout) {
		t.Fatalf("hubtest: %s: fetch: %v", m.ID, err)
	}
	return out
}

// arriveWait bounds how long ExpectShares waits for the shares it expects
// (it returns as soon as they are there): generous, for a loaded machine.
const arriveWait = 30 * time.Second

// ExpectShares checks, with each member's own credentials, that member id
// receives exactly want[id] shares (0 for members not in want) and nothing
// more within quiet. It returns the shares by member.
func ExpectShares(t testing.TB, members map[string]*Member, want map[string]int, quiet time.Duration) map[string][]jetstream.Msg {
	t.Helper()
	got := map[string][]jetstream.Msg{}
	for id, n := range want {
		m, ok := members[id]
		if !ok {
			t.Fatalf("hubtest: expected shares for unknown member %q", id)
		}
		if n > 0 {
			got[id] = m.Collect(t, m.StartFetch(t, wire.StreamShare, wire.InboxConsumer(id), n, arriveWait))
			if len(got[id]) != n {
				t.Fatalf("hubtest: %s got %d shares, want %d", id, len(got[id]), n)
			}
		}
	}
	extra := map[string]jetstream.MessageBatch{}
	for id, m := range members {
		extra[id] = m.StartFetch(t, wire.StreamShare, wire.InboxConsumer(id), 1, quiet)
	}
	for id, b := range extra {
		if more := members[id].Collect(t, b); len(more) > 0 {
			t.Fatalf("hubtest: %s got %d more share(s) than the %d expected (subject %s)", id, len(more), want[id], more[0].Subject())
		}
	}
	return got
}
