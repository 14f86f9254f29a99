package taxii_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
)

// TestSinkPostsObjectsAsReceived: the objects of a share reach the TAXII
// server byte for byte (escapes, &<>, U+2028, whitespace inside them),
// in a body that is valid JSON.
func TestSinkPostsObjectsAsReceived(t *testing.T) {
	var mu sync.Mutex
	var posted []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		posted = body
		mu.Unlock()
		w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
		_, _ = w.Write([]byte(`{"id":"s1","status":"complete","total_count":2,"success_count":2,"failure_count":0,"pending_count":0}`))
	}))
	defer srv.Close()
	spec, _ := connectors.Default.Lookup("taxii")
	sink, err := spec.NewSink(options(srv.URL+"/api/", ``), connectors.Deps{})
	require.NoError(t, err)
	defer sink.Close(t.Context())

	objects := []string{
		"{ \"type\": \"indicator\", \"id\": \"indicator--1\",\n  \"name\": \"bell \\u0007 &<> \u2028 \\u0026 \\/ \U000e0067\" }",
		`{"type":"note","id":"note--2","content":"é \u00e9"}`,
	}
	body := []byte("{\"type\":\"bundle\",\"id\":\"bundle--3\",\"objects\":[" + objects[0] + ",\n" + objects[1] + "]}")
	require.True(t, json.Valid(body))
	require.NoError(t, sink.Write(t.Context(), connectors.Envelope{ID: "b", Body: body}))

	mu.Lock()
	defer mu.Unlock()
	require.True(t, json.Valid(posted), "%q", posted)
	var got struct{ Objects []json.RawMessage }
	require.NoError(t, json.Unmarshal(posted, &got))
	require.Len(t, got.Objects, 2)
	for i, o := range objects {
		require.Equal(t, o, string(got.Objects[i]))
	}
}
