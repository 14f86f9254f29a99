package hub_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/policy"
)

// TestMetricsOffLoopbackNeedAToken: /metrics shows per-member data, so an
// HTTP listener other hosts can reach is refused without a token, and with
// one /metrics answers only to its bearer (health stays open).
func TestMetricsOffLoopbackNeedAToken(t *testing.T) {
	_, err := hub.New(hub.Config{DataDir: t.TempDir(), HTTPListen: "0.0.0.0:0", MoU: policy.DemoMoU()})
	require.ErrorContains(t, err, "http_listen: 0.0.0.0:0 is reachable from other hosts and /metrics shows per-member data: "+
		"listen on 127.0.0.1 or set metrics_token_file")

	file := filepath.Join(t.TempDir(), "metrics.token")
	require.NoError(t, os.WriteFile(file, []byte("short\n"), 0o600))
	_, err = hub.New(hub.Config{DataDir: t.TempDir(), HTTPListen: "0.0.0.0:0", MetricsTokenFile: file, MoU: policy.DemoMoU()})
	require.ErrorContains(t, err, "metrics_token_file: "+file+": want one line of at least 16 characters")

	const token = "s3cret-metrics-token"
	require.NoError(t, os.WriteFile(file, []byte(token+"\n"), 0o600))
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.HTTPListen, c.MetricsTokenFile, c.HTTPAllowPlaintext = "0.0.0.0:0", file, true }))
	get := func(path, auth string) int {
		req, err := http.NewRequest("GET", "http://"+h.HTTPAddr()+path, nil)
		require.NoError(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusUnauthorized, get("/metrics", ""))
	require.Equal(t, http.StatusUnauthorized, get("/metrics", "Bearer wrong-token-wrong-token"))
	require.Equal(t, http.StatusOK, get("/metrics", "Bearer "+token))
	require.Equal(t, http.StatusOK, get("/healthz", ""))
	require.Equal(t, http.StatusOK, get("/readyz", ""))
}
