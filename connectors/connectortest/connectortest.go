// Package connectortest is the conformance suite every connector kind
// passes: open and close, a write-then-read round trip, nack redelivery,
// Close honouring its deadline, and no goroutine left behind.
package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
)

// Case is one kind under test. A kind that is both source and sink is
// tested end to end (its sink writes, its source reads back); a sink-only
// kind gives Written to read back what it wrote.
type Case struct {
	Spec    connectors.Spec
	Source  json.RawMessage // options for NewSource (nil if not a source)
	Sink    json.RawMessage // options for NewSink (nil if not a sink)
	Deps    connectors.Deps
	Written func() [][]byte // sink-only kinds: every body written so far
}

// Run runs the suite as subtests of t.
func Run(t *testing.T, c Case) {
	t.Helper()
	if c.Source == nil && c.Sink == nil {
		t.Fatal("connectortest: Case has neither Source nor Sink options")
	}
	if c.Source != nil && c.Sink == nil {
		t.Fatal("connectortest: source-only kinds need a sink to feed them; not supported yet")
	}
	before := runtime.NumGoroutine()
	t.Run("open and close", func(t *testing.T) { openClose(t, c) })
	t.Run("round trip", func(t *testing.T) { roundTrip(t, c) })
	if c.Source != nil {
		t.Run("nack redelivers, ack settles", func(t *testing.T) { redelivery(t, c) })
	}
	t.Run("close honours its deadline", func(t *testing.T) { closeDeadline(t, c) })
	// Counted here, on the test's own goroutine (a subtest adds one).
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling: goroutines end asynchronously after Close
	}
	after := runtime.NumGoroutine()
	stacks := make([]byte, 1<<20)
	stacks = stacks[:runtime.Stack(stacks, true)]
	t.Run("no goroutine leak", func(t *testing.T) {
		if after > before {
			t.Fatalf("%d goroutines before the suite, %d after:\n%s", before, after, stacks)
		}
	})
}

// Bundle is a small valid STIX bundle whose objects' ids derive from seed.
func Bundle(seed string) []byte {
	id := connectors.UUIDFrom("connectortest", seed)
	return []byte(fmt.Sprintf(`{"type":"bundle","id":"bundle--%s","objects":[{"type":"indicator","spec_version":"2.1",`+
		`"id":"indicator--%s","created":"2026-10-15T08:30:00.000Z","modified":"2026-10-15T08:30:00.000Z",`+
		`"name":"conformance %s","pattern":"[url:value = 'https://conformance.test/%s']","pattern_type":"stix",`+
		`"valid_from":"2026-10-15T08:30:00.000Z"}]}`, id, id, seed, seed))
}

// ObjectIDs lists the ids of a bundle's objects, sorted.
func ObjectIDs(t testing.TB, body []byte) []string {
	t.Helper()
	var b struct {
		Objects []struct {
			ID string `json:"id"`
		} `json:"objects"`
	}
	require.NoError(t, json.Unmarshal(body, &b), "body: %s", body)
	ids := make([]string, 0, len(b.Objects))
	for _, o := range b.Objects {
		ids = append(ids, o.ID)
	}
	slices.Sort(ids)
	return ids
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func newSource(t testing.TB, c Case) connectors.Source {
	t.Helper()
	s, err := c.Spec.NewSource(c.Source, c.Deps)
	require.NoError(t, err, "NewSource")
	return s
}

func newSink(t testing.TB, c Case) connectors.Sink {
	t.Helper()
	s, err := c.Spec.NewSink(c.Sink, c.Deps)
	require.NoError(t, err, "NewSink")
	return s
}

func openClose(t *testing.T, c Case) {
	if c.Source != nil {
		s := newSource(t, c)
		require.NoError(t, s.Close(ctxFor(t, time.Second)), "source Close")
		_, _, err := s.Read(ctxFor(t, time.Second))
		require.ErrorIs(t, err, connectors.ErrClosed, "Read after Close")
	}
	k := newSink(t, c)
	require.NoError(t, k.Close(ctxFor(t, time.Second)), "sink Close")
	require.Error(t, k.Write(ctxFor(t, time.Second), connectors.Envelope{ID: "x", Body: Bundle("closed")}), "Write after Close")
}

// write runs Write on its own goroutine, as the runtime does: some sinks
// (webhook) return only once the reading side acked, and a failed Write is
// retried (the reading side may not be listening yet).
func write(k connectors.Sink, e connectors.Envelope) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for {
			err := k.Write(ctx, e)
			if err == nil || ctx.Err() != nil {
				done <- err
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return done
}

func roundTrip(t *testing.T, c Case) {
	k := newSink(t, c)
	defer func() { require.NoError(t, k.Close(ctxFor(t, 5*time.Second))) }()
	body := Bundle("round-trip-" + t.Name())
	env := connectors.Envelope{ID: "bundle--" + connectors.UUIDFrom("rt", t.Name()), Member: "bank-one", TLP: "green", Body: body}
	if c.Source == nil {
		require.NoError(t, <-write(k, env), "Write")
		got := append([][]byte(nil), c.Written()...)
		require.NotEmpty(t, got, "the sink wrote nothing")
		require.Contains(t, string(got[len(got)-1]), ObjectIDs(t, body)[0], "the sink did not write the object")
		return
	}
	s := newSource(t, c)
	defer func() { require.NoError(t, s.Close(ctxFor(t, 5*time.Second))) }()
	done := write(k, env)
	got, ack, err := s.Read(ctxFor(t, 20*time.Second))
	require.NoError(t, err, "Read")
	require.Equal(t, ObjectIDs(t, body), ObjectIDs(t, got.Body), "objects read back")
	require.NoError(t, ack(ctxFor(t, 5*time.Second), nil), "ack")
	require.NoError(t, <-done, "Write")
}

func redelivery(t *testing.T, c Case) {
	k := newSink(t, c)
	defer func() { require.NoError(t, k.Close(ctxFor(t, 5*time.Second))) }()
	s := newSource(t, c)
	defer func() { require.NoError(t, s.Close(ctxFor(t, 5*time.Second))) }()
	body := Bundle("redelivery-" + t.Name())
	done := write(k, connectors.Envelope{ID: "bundle--" + connectors.UUIDFrom("rd", t.Name()), Member: "bank-one", TLP: "green", Body: body})
	first, ack, err := s.Read(ctxFor(t, 20*time.Second))
	require.NoError(t, err, "Read")
	require.Equal(t, ObjectIDs(t, body), ObjectIDs(t, first.Body))
	require.NoError(t, ack(ctxFor(t, 5*time.Second), errors.New("spool busy, try later")), "nack")
	again, ack, err := s.Read(ctxFor(t, 20*time.Second))
	require.NoError(t, err, "Read after nack")
	require.Equal(t, ObjectIDs(t, body), ObjectIDs(t, again.Body), "a nacked envelope comes back")
	require.NoError(t, ack(ctxFor(t, 5*time.Second), nil), "ack")
	require.NoError(t, <-done, "Write")
	_, _, err = s.Read(ctxFor(t, 700*time.Millisecond))
	require.ErrorIs(t, err, context.DeadlineExceeded, "an acked envelope must not come back")
}

func closeDeadline(t *testing.T, c Case) {
	if c.Source != nil {
		s := newSource(t, c)
		readDone := make(chan error, 1)
		go func() {
			_, _, err := s.Read(context.Background()) // blocks: nothing to read
			readDone <- err
		}()
		time.Sleep(100 * time.Millisecond) // let Read block (start its listener, poll once)
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = s.Close(ctx)
		require.Less(t, time.Since(start), 2*time.Second, "source Close overran its 1s deadline")
		select {
		case err := <-readDone:
			require.Error(t, err, "Read after Close")
		case <-time.After(3 * time.Second):
			t.Fatal("Read still blocked 3s after Close")
		}
	}
	k := newSink(t, c)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = k.Close(ctx)
	require.Less(t, time.Since(start), 2*time.Second, "sink Close overran its 1s deadline")
}
