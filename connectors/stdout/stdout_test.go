package stdout_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/connectortest"
	"github.com/genevahub/geneva/connectors/stdout"
)

// lockedBuffer is an io.Writer tests can read while the sink writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	return out
}

func TestConformance(t *testing.T) {
	spec, err := connectors.Default.Lookup("stdout")
	require.NoError(t, err)
	out := &lockedBuffer{}
	connectortest.Run(t, connectortest.Case{Spec: spec, Sink: []byte(`{}`), Deps: connectors.Deps{Stdout: out},
		Written: out.lines})
	// Every line is one JSON envelope with the sender and TLP.
	for _, l := range out.lines() {
		var line stdout.Line
		require.NoError(t, json.Unmarshal(l, &line))
		require.Equal(t, "bank-one", line.Sender)
		require.Equal(t, "green", line.TLP)
	}
}

func TestNDJSONPrintsOneObjectPerLine(t *testing.T) {
	spec, err := connectors.Default.Lookup("stdout")
	require.NoError(t, err)
	out := &lockedBuffer{}
	k, err := spec.NewSink([]byte(`{"format":"ndjson"}`), connectors.Deps{Stdout: out})
	require.NoError(t, err)
	require.NoError(t, k.Write(t.Context(), connectors.Envelope{ID: "x", Body: connectortest.Bundle("nd")}))
	lines := out.lines()
	require.Len(t, lines, 1)
	require.Contains(t, string(lines[0]), `"type":"indicator"`)
}

func TestBadOptions(t *testing.T) {
	spec, err := connectors.Default.Lookup("stdout")
	require.NoError(t, err)
	_, err = spec.NewSink([]byte(`{"format":"xml","colour":true}`), connectors.Deps{})
	require.EqualError(t, err, "colour: unknown option")
	_, err = spec.NewSink([]byte(`{"format":"xml"}`), connectors.Deps{})
	require.EqualError(t, err, `format: "xml" is not envelope or ndjson`)
}
