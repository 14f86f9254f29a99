package taxii_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/connectortest"
)

// readPage reads one page as the runtime does: an error is retried (at most
// ten times); nil when nothing new comes for 1.5s.
func readPage(t *testing.T, src connectors.Source) (ids []string, ack connectors.AckFunc) {
	t.Helper()
	for range 10 {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		env, ack, err := src.Read(ctx)
		cancel()
		switch {
		case err == nil:
			return connectortest.ObjectIDs(t, env.Body), ack
		case errors.Is(err, context.DeadlineExceeded):
			return nil, nil
		}
		t.Logf("read: %v (retrying, as the runtime does)", err)
	}
	t.Fatal("the source failed ten times in a row")
	return nil, nil
}

// Objects added in one request share one date_added. Paged with a limit
// smaller than their number, after an earlier poll set added_after, and
// with a restart in the middle (a page read and not acked), every object
// arrives exactly once (TAXII 2.1 §3.4: next with the original query).
func TestSourcePagesOneDateAddedExactlyOnceAcrossRestarts(t *testing.T) {
	api := startMedallion(t)
	spec, _ := connectors.Default.Lookup("taxii")
	ctx := t.Context()
	sink, err := spec.NewSink(options(api, ``), connectors.Deps{})
	require.NoError(t, err)
	defer sink.Close(ctx)
	state := t.TempDir()
	open := func() connectors.Source {
		src, err := spec.NewSource(options(api, `,"interval":"100ms","limit":3`), connectors.Deps{StateDir: state})
		require.NoError(t, err)
		return src
	}

	first, firstIDs := bundleOf("earlier", 2)
	require.NoError(t, sink.Write(ctx, connectors.Envelope{ID: "b0", Body: first}))
	src := open()
	got, ack := readPage(t, src)
	require.ElementsMatch(t, firstIDs, got)
	require.NoError(t, ack(ctx, nil)) // added_after is now set
	require.NoError(t, src.Close(ctx))

	many, manyIDs := bundleOf("one-date-added", 8) // one POST: one date_added
	require.NoError(t, sink.Write(ctx, connectors.Envelope{ID: "b1", Body: many}))
	var taken []string
	src = open()
	page, ack := readPage(t, src)
	require.Len(t, page, 3)
	require.NoError(t, ack(ctx, nil))
	taken = append(taken, page...)
	page, _ = readPage(t, src) // read, never acked: the connector dies here
	require.Len(t, page, 3)
	require.NoError(t, src.Close(ctx))

	src = open()
	defer src.Close(ctx)
	for {
		page, ack := readPage(t, src)
		if page == nil {
			break
		}
		taken = append(taken, page...)
		require.NoError(t, ack(ctx, nil))
	}
	slices.Sort(taken)
	require.Equal(t, len(taken), len(slices.Compact(slices.Clone(taken))), "no object twice: %v", taken)
	require.ElementsMatch(t, manyIDs, taken, "every object of the one date_added, none lost")
}
