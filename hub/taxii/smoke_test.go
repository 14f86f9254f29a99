package taxii_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	h := startHub(t)
	tok := h.token(t, "bank-one")
	r := h.call(t, "GET", "/taxii2/", tok, nil)
	t.Logf("%d %s", r.status, r.body)
	r = h.call(t, "GET", "/taxii2/bank-one/collections/", tok, nil)
	t.Logf("%d %s", r.status, r.body)
	r = h.call(t, "POST", "/taxii2/bank-one/collections/submit/objects/", tok, envelope(indicator(1)))
	t.Logf("%d %s", r.status, r.body)
	require.Equal(t, 202, r.status)
}
