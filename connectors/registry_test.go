package connectors_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
)

func TestRegistry(t *testing.T) {
	r := connectors.NewRegistry()
	require.NoError(t, r.Register(connectors.Spec{Name: "x", Summary: "x", NewSink: func(json.RawMessage, connectors.Deps) (connectors.Sink, error) { return nil, nil }}))
	require.ErrorIs(t, r.Register(connectors.Spec{Name: "x", Summary: "x", NewSink: func(json.RawMessage, connectors.Deps) (connectors.Sink, error) { return nil, nil }}), connectors.ErrDuplicate)
	require.ErrorContains(t, r.Register(connectors.Spec{Name: "Bad Name", Summary: "x"}), "name must match")
	require.ErrorContains(t, r.Register(connectors.Spec{Name: "y", Summary: "y"}), "neither a source nor a sink")
	_, err := r.Lookup("taxi")
	require.EqualError(t, err, `unknown connector "taxi" (known: x)`)
	require.ErrorIs(t, err, connectors.ErrUnknownConnector)
}
