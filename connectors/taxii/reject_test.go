package taxii_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/connectortest"
)

// What the TAXII server refuses for its content (here: larger than its
// max_content_length) is a rejection, which the runtime dead-letters after
// a bounded number of attempts; a server that is not there is not.
func TestSinkTellsARefusalFromAnOutage(t *testing.T) {
	api := startMedallion(t)
	spec, _ := connectors.Default.Lookup("taxii")
	ctx := t.Context()
	sink, err := spec.NewSink(options(api, ``), connectors.Deps{})
	require.NoError(t, err)
	defer sink.Close(ctx)
	big := strings.Replace(string(connectortest.Bundle("too-big")), `"name":"`, `"description":"`+strings.Repeat("x", 10<<20)+`","name":"`, 1)
	err = sink.Write(ctx, connectors.Envelope{ID: "big", Body: []byte(big)})
	var rejected *connectors.RejectedError
	require.True(t, errors.As(err, &rejected), "a refusal of this envelope: %v", err)

	err = sink.Write(ctx, connectors.Envelope{ID: "bad", Body: []byte(`{"type":"bundle","objects":[{"name":"\a"}]}`)})
	require.True(t, errors.As(err, &rejected), "not JSON: %v", err)

	gone, err := spec.NewSink(options("http://127.0.0.1:1/api1/", ``), connectors.Deps{})
	require.NoError(t, err)
	defer gone.Close(ctx)
	err = gone.Write(ctx, connectors.Envelope{ID: "ok", Body: connectortest.Bundle("fine")})
	require.Error(t, err)
	require.False(t, errors.As(err, &rejected), "an outage is not a refusal: %v", err)
}
