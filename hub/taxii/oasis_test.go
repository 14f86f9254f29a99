package taxii_test

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// TestOASISClients drives the server with clients no one here wrote: the
// OASIS taxii2-client (discovery, collections, posting with status
// polling, paging with as_pages, manifest, versions) and stix2's
// TAXIICollectionSink and TAXIICollectionSource; over plain HTTP, and
// over TLS with verify= the test CA and a client certificate (mTLS).
func TestOASISClients(t *testing.T) {
	python := stixtest.Peer(t, "GENEVA_PYTHON")
	t.Run("http", func(t *testing.T) { oasisClients(t, python, startHub(t), nil) })
	t.Run("https", func(t *testing.T) {
		pki := hubtest.NewPKI(t, t.TempDir(), "cert-three")
		cert, key := pki.Client("cert-three")
		oasisClients(t, python, startTLSHub(t, pki, false), []string{"TAXII_CA=" + pki.CA,
			"TAXII_CLIENT_CERT=" + cert, "TAXII_CLIENT_KEY=" + key})
	})
}

func oasisClients(t *testing.T, python string, h *taxiiHub, env []string) {
	cmd := exec.Command(python, "testdata/clients.py")
	// requests lets these override a session's verify= (psf/requests#3829).
	environ := slices.DeleteFunc(cmd.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "REQUESTS_CA_BUNDLE=") || strings.HasPrefix(kv, "CURL_CA_BUNDLE=")
	})
	cmd.Env = append(environ, "TAXII_BASE="+h.base,
		"TAXII_SENDER=bank-one", "TAXII_SENDER_TOKEN="+h.token(t, "bank-one"),
		"TAXII_READER=le-alpha", "TAXII_READER_TOKEN="+h.token(t, "le-alpha"))
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.Output()
	var stderr []byte
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	require.NoError(t, err, "clients.py:\n%s", stderr)
	var out struct {
		Title       string
		APIRoots    []string `json:"api_roots"`
		Versions    []string
		Collections map[string][2]bool
		Status      struct {
			Status                  string
			Total, Success, Failure int
			Successes               []string
		}
		StatusRefreshed string `json:"status_refreshed"`
		Posted          []string
		InboxIDs        []string `json:"inbox_ids"`
		InboxPages      int      `json:"inbox_pages"`
		ManifestIDs     []string `json:"manifest_ids"`
		ManifestTypes   []string `json:"manifest_media_types"`
		GetObject       []string `json:"get_object"`
		ObjVersions     []string `json:"versions"`
		SourceGet       string   `json:"source_get"`
		SourceQuery     []string `json:"source_query"`
		ReadSubmit      string   `json:"read_submit"`
		CertAPIRoots    []string `json:"cert_api_roots"`
	}
	require.NoError(t, json.Unmarshal(stdout, &out), "%s", stdout)
	require.Equal(t, []string{h.base + "/taxii2/bank-one/"}, out.APIRoots)
	require.Equal(t, [2]bool{true, false}, out.Collections["inbox"])
	require.Equal(t, [2]bool{true, false}, out.Collections["community-finance"])
	require.Equal(t, [2]bool{false, true}, out.Collections["submit"])
	require.Equal(t, [2]bool{false, true}, out.Collections["submit-to-le-alpha"])
	require.Equal(t, "complete", out.Status.Status)
	require.Equal(t, 5, out.Status.Total)
	require.Equal(t, 5, out.Status.Success)
	require.Equal(t, "complete", out.StatusRefreshed)
	require.Len(t, out.Posted, 7)
	require.Subset(t, out.InboxIDs, out.Posted, "le-alpha's inbox has what bank-one posted to all")
	require.Len(t, out.InboxIDs, len(out.Posted), "each object once")
	require.GreaterOrEqual(t, out.InboxPages, 4, "as_pages followed next")
	require.ElementsMatch(t, out.InboxIDs, out.ManifestIDs)
	require.Equal(t, []string{"application/stix+json;version=2.1"}, out.ManifestTypes)
	require.Len(t, out.GetObject, 1)
	require.Len(t, out.ObjVersions, 1)
	require.True(t, slices.Contains(out.Posted, out.SourceGet))
	require.Equal(t, out.Posted, out.SourceQuery)
	require.Contains(t, out.ReadSubmit, "AccessError")
	if env != nil {
		require.Equal(t, []string{h.base + "/taxii2/cert-three/"}, out.CertAPIRoots, "the client certificate's member")
	}
}
