package hub_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// TestQuotaIsSharedByTheHubProcessesOfACluster runs three hub processes
// on one server of a 3-node cluster, so the server hands bank-one's
// submissions to any of the three gates, and floods with bank-one's own
// credentials: the three together admit its burst and rate once, not
// three times (each counting on its own admitted about three bursts),
// and never refuse within it.
func TestQuotaIsSharedByTheHubProcessesOfACluster(t *testing.T) {
	const processes, burst, perSecond, flood = 3, 20, 1, 90
	mou := policy.DemoMoU()
	mou.Members[memberIndex(t, mou, "bank-one")].Quota = policy.Quota{SubmissionsPerSecond: perSecond, SubmissionBurst: burst}
	require.NoError(t, mou.Validate())

	dir := t.TempDir()
	cl := startNATSCluster(t, dir)
	oneNode := strings.Split(cl.URL(), ",")[0] // every gate subscribes there: the server picks one of them at random
	var hubs []*hubtest.Hub
	for i := range processes {
		opts := []hubtest.Option{hubtest.WithMoU(mou), hubtest.WithConfig(func(c *hub.Config) {
			c.HubConnection = hub.HubConnection{NATSURL: oneNode, Creds: wire.CredsPath(dir, wire.OperatorName)}
		})}
		if i == 0 {
			opts = append(opts, hubtest.WithDir(dir))
		}
		hubs = append(hubs, hubtest.StartHub(t, opts...))
	}
	bank := reconnecting(t, hubs[0], "bank-one")

	start := time.Now()
	accepted := 0
	for i := range flood {
		_, err := bank.JS.PublishMsg(ctx(t), wire.SubmitMsg("bank-one", []byte(`{}`), wire.SubmitOptions{MsgID: fmt.Sprint("shared-", i)}))
		if err == nil {
			accepted++
			continue
		}
		var api *jetstream.APIError
		require.ErrorAs(t, err, &api, "submission %d", i)
		require.Equal(t, 429, api.Code, "submission %d: %s", i, api.Description)
		require.True(t, strings.HasPrefix(api.Description, string(hub.CodeQuotaRate)+": "), api.Description)
	}
	took := time.Since(start)
	// At most the burst, the rate over the flood, and one lease (one
	// submission at this quota) still held by each other process.
	allowed := burst + int(math.Ceil(took.Seconds()*perSecond)) + processes - 1
	t.Logf("%d submissions through %d hub processes in %v: %d accepted (at most %d allowed)", flood, processes, took, accepted, allowed)
	require.LessOrEqual(t, accepted, allowed, "the hub processes admitted more than one quota together")
	require.GreaterOrEqual(t, accepted, burst-(processes-1), "the burst is admitted (less the leases other processes hold)")

	op := reconnecting(t, hubs[0], wire.OperatorName)
	in, err := op.JS.Stream(ctx(t), wire.IntakeStream("bank-one"))
	require.NoError(t, err)
	require.Equal(t, uint64(accepted), in.CachedInfo().State.Msgs, "refused submissions never reach the intake")
}
