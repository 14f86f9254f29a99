package taxii_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/taxii"
)

// TestProtocolErrors: every refusal is the spec's error resource with the
// right status.
func TestProtocolErrors(t *testing.T) {
	h := startHub(t, func(c *hub.Config) { c.MaxPayload = 16 << 10 }) // small, but above the MoU the hub keeps in its KV
	tok := h.token(t, "bank-one")
	root := "/taxii2/bank-one/collections/"
	raw := func(method, path, accept, contentType string, body []byte) response {
		req, err := http.NewRequest(method, h.base+path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", accept)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		return readResponse(t, resp)
	}
	requireError(t, raw("GET", root, "application/json", "", nil), 406)
	requireError(t, raw("GET", root, "application/taxii+json;version=2.0", "", nil), 406)
	require.Equal(t, 200, raw("GET", root, "application/taxii+json", "", nil).status)
	requireError(t, raw("POST", root+"submit/objects/", taxii.MediaTAXII, "application/json", envelope(indicator(1))), 415)
	requireError(t, h.call(t, "POST", root+"submit/objects/", tok, []byte(`{"objects":`)), 400)
	requireError(t, h.call(t, "POST", root+"submit/objects/", tok, []byte(`{"objects":[]}`)), 400)
	requireError(t, h.call(t, "POST", root+"submit/objects/", tok, []byte(`{"objects":[`+strings.Repeat(`{"type":"x"},`, 2000)+`{}]}`)), 413)
	requireError(t, h.call(t, "POST", root+"inbox/objects/", tok, envelope(indicator(2))), 403)
	requireError(t, h.call(t, "GET", root+"submit/objects/", tok, nil), 403)
	requireError(t, h.call(t, "GET", root+"community-le/objects/", tok, nil), 404)
	requireError(t, h.call(t, "GET", root+"nope/", tok, nil), 404)
	requireError(t, h.call(t, "GET", root+"inbox/objects/?next=abc", tok, nil), 400)
	requireError(t, h.call(t, "GET", root+"inbox/objects/?added_after=yesterday", tok, nil), 400)
	requireError(t, h.call(t, "GET", root+"inbox/objects/?limit=0", tok, nil), 400)
	requireError(t, h.call(t, "GET", root+"inbox/objects/indicator--00000000-0000-4000-8000-000000000000/", tok, nil), 404)
	requireError(t, h.call(t, "DELETE", root+"inbox/objects/indicator--00000000-0000-4000-8000-000000000000/", tok, nil), 403)
	requireError(t, h.call(t, "GET", "/taxii2/bank-one/nothing/", tok, nil), 404)
	// Addressing in a collection id cannot smuggle header lines or lists.
	for _, coll := range []string{"submit-to-le-alpha%0D%0AGeneva-Anonymous:%20true", "submit-to-le-alpha,le-bravo", "submit-community-le%0A", "submit-to-"} {
		requireError(t, h.call(t, "POST", root+coll+"/objects/", tok, envelope(indicator(3))), 404)
	}
	// An empty collection answers an empty envelope.
	r := h.call(t, "GET", root+"community-finance/objects/", tok, nil)
	require.Equal(t, 200, r.status)
	require.JSONEq(t, `{}`, string(r.body))
}

// TestLimitsAndMetrics: a member over its request rate is refused (429)
// while another is not, and /metrics counts requests per member and
// endpoint.
func TestLimitsAndMetrics(t *testing.T) {
	h := startHub(t, func(c *hub.Config) { c.TAXII.RequestsPerSecond = 0.5 })
	one, two := h.token(t, "bank-one"), h.token(t, "isp-two")
	refused := 0
	for range 5 { // a burst of 1 (twice the rate, rounded down), then refusals
		if r := h.call(t, "GET", "/taxii2/bank-one/collections/inbox/objects/", one, nil); r.status == 429 {
			requireError(t, r, 429)
			refused++
		}
	}
	require.GreaterOrEqual(t, refused, 3)
	require.Equal(t, 200, h.call(t, "GET", "/taxii2/isp-two/collections/", two, nil).status, "another member's budget is its own")
	resp, err := http.Get(h.base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(body), `geneva_taxii_requests_total{code="429",endpoint="objects",member="bank-one"}`)
	require.Contains(t, string(body), `geneva_taxii_requests_total{code="200",endpoint="collections",member="isp-two"}`)
}
