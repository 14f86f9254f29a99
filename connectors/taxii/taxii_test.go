package taxii_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/connectortest"
	_ "github.com/genevahub/geneva/connectors/taxii"
)

func options(api string, extra string) []byte {
	return []byte(`{"url":"` + api + `","collection":"` + collection + `","username":"geneva","password":"s3cret"` + extra + `}`)
}

func TestConformanceAgainstMedallion(t *testing.T) {
	api := startMedallion(t)
	spec, err := connectors.Default.Lookup("taxii")
	require.NoError(t, err)
	connectortest.Run(t, connectortest.Case{Spec: spec,
		Source: options(api, `,"interval":"50ms","limit":5`), Sink: options(api, ``),
		Deps: connectors.Deps{StateDir: t.TempDir()}})
}

// bundleOf makes a bundle of n indicators named after seed.
func bundleOf(seed string, n int) ([]byte, []string) {
	var objs []json.RawMessage
	var ids []string
	for i := range n {
		b := connectortest.Bundle(fmt.Sprintf("%s-%d", seed, i))
		var one struct{ Objects []json.RawMessage }
		_ = json.Unmarshal(b, &one)
		objs = append(objs, one.Objects...)
		var probe struct{ ID string }
		_ = json.Unmarshal(one.Objects[0], &probe)
		ids = append(ids, probe.ID)
	}
	body, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + connectors.UUIDFrom(seed), "objects": objs})
	return body, ids
}

// drain reads pages until nothing new comes for a while, acking each; it
// returns the object ids per page.
func drain(t *testing.T, src connectors.Source) [][]string {
	t.Helper()
	var pages [][]string
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		env, ack, err := src.Read(ctx)
		cancel()
		if err != nil {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			return pages
		}
		pages = append(pages, connectortest.ObjectIDs(t, env.Body))
		require.NoError(t, ack(context.Background(), nil))
	}
}

func TestSourcePagesWithNextAndRemembersAddedAfter(t *testing.T) {
	api := startMedallion(t)
	spec, _ := connectors.Default.Lookup("taxii")
	ctx := t.Context()
	sink, err := spec.NewSink(options(api, ``), connectors.Deps{})
	require.NoError(t, err)
	defer sink.Close(ctx)
	first, firstIDs := bundleOf("first", 23)
	require.NoError(t, sink.Write(ctx, connectors.Envelope{ID: "b1", Body: first}))

	state := t.TempDir()
	src, err := spec.NewSource(options(api, `,"interval":"100ms","limit":10`), connectors.Deps{StateDir: state})
	require.NoError(t, err)
	pages := drain(t, src)
	require.NoError(t, src.Close(ctx))
	var sizes []int
	var all []string
	for _, p := range pages {
		sizes = append(sizes, len(p))
		all = append(all, p...)
	}
	require.Equal(t, []int{10, 10, 3}, sizes, "three pages of at most 10")
	require.ElementsMatch(t, firstIDs, all, "every object exactly once")

	// A restarted source starts after what it has already taken.
	second, secondIDs := bundleOf("second", 2)
	require.NoError(t, sink.Write(ctx, connectors.Envelope{ID: "b2", Body: second}))
	src, err = spec.NewSource(options(api, `,"interval":"100ms","limit":10`), connectors.Deps{StateDir: state})
	require.NoError(t, err)
	defer src.Close(ctx)
	pages = drain(t, src)
	require.Len(t, pages, 1, "only the new objects after a restart")
	require.ElementsMatch(t, secondIDs, pages[0])
}

func TestSinkFollowsStatusAndToleratesRepeats(t *testing.T) {
	api := startMedallion(t)
	spec, _ := connectors.Default.Lookup("taxii")
	sink, err := spec.NewSink(options(api, ``), connectors.Deps{})
	require.NoError(t, err)
	defer sink.Close(t.Context())
	body, _ := bundleOf("repeat", 3)
	require.NoError(t, sink.Write(t.Context(), connectors.Envelope{ID: "b", Body: body}))
	// A redelivered share: the server already has the objects; not an error to retry forever.
	require.NoError(t, sink.Write(t.Context(), connectors.Envelope{ID: "b", Body: body}))

	bad, err := spec.NewSink([]byte(`{"url":"`+api+`","collection":"`+collection+`","username":"geneva","password":"wrong"}`), connectors.Deps{})
	require.NoError(t, err)
	defer bad.Close(t.Context())
	require.ErrorContains(t, bad.Write(t.Context(), connectors.Envelope{ID: "b", Body: body}), "401")
}

func TestBadOptionsAllAtOnce(t *testing.T) {
	spec, _ := connectors.Default.Lookup("taxii")
	_, err := spec.NewSource([]byte(`{"url":"ftp://x","collection":"a b","limit":-1,"added_after":"monday","user":"x"}`), connectors.Deps{})
	require.EqualError(t, err, "user: unknown option")
	_, err = spec.NewSource([]byte(`{"url":"ftp://x","collection":"a b","limit":-1,"added_after":"monday"}`), connectors.Deps{})
	require.EqualError(t, err, "url: \"ftp://x/\" is not an http(s) URL\ncollection: \"a b\" is not a collection id\n"+
		"limit: -1 is outside 1..10000\nadded_after: \"monday\" is not an RFC 3339 time")
}
