package hub_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// quotaMoU is the demo MoU with small quotas for bank-one (the flooder)
// and isp-two (bytes per day, size, connections).
func quotaMoU(t *testing.T) *policy.MoU {
	m := policy.DemoMoU()
	m.Members[memberIndex(t, m, "bank-one")].Quota = policy.Quota{SubmissionsPerSecond: 5, SubmissionBurst: 20}
	m.Members[memberIndex(t, m, "isp-two")].Quota = policy.Quota{BytesPerDay: 2500, MaxSubmissionBytes: 4096, Connections: 2, Views: 2}
	require.NoError(t, m.Validate())
	return m
}

// deliveryLatency has le-alpha share n bundles to all, one at a time, and
// returns how long each took to reach isp-two's inbox, sorted.
func deliveryLatency(t *testing.T, alpha, isp *hubtest.Member, n int) []time.Duration {
	t.Helper()
	green := caseBundle(t, "green-tlp2-to-all.json")
	var out []time.Duration
	for range n {
		batch := isp.StartFetch(t, wire.StreamShare, wire.InboxConsumer("isp-two"), 1, 10*time.Second)
		start := time.Now()
		alpha.Submit(t, green, wire.SubmitOptions{})
		require.Len(t, isp.Collect(t, batch), 1)
		out = append(out, time.Since(start))
		alpha.NextReceipt(t, 10*time.Second)
	}
	slices.Sort(out)
	return out
}

// TestQuotasThrottleAFlood: a member flooding the hub gets every
// submission beyond its burst and rate refused with quota.rate and a
// receipt (none dropped), counted in /metrics, while another member's
// shares still flow; bytes per day, message size, connections and live
// views are enforced too.
func TestQuotasThrottleAFlood(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithMoU(quotaMoU(t)))
	members := connectAll(t, h)
	bank, alpha, isp := members["bank-one"], members["le-alpha"], members["isp-two"]
	idle := deliveryLatency(t, alpha, isp, 20)
	for _, m := range members {
		m.Shares(t) // the latency probe's shares
	}

	const flood = 2000
	var futures []jetstream.PubAckFuture
	start := time.Now()
	for i := range flood {
		f, err := bank.JS.PublishMsgAsync(wire.SubmitMsg("bank-one", []byte(`{}`), wire.SubmitOptions{MsgID: fmt.Sprint("f", i)}))
		require.NoError(t, err)
		futures = append(futures, f)
	}
	busy := deliveryLatency(t, alpha, isp, 20)
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			t.Fatalf("flood submit: %v", err)
		}
	}
	took := time.Since(start)
	refused := 0
	for range flood {
		r := bank.NextReceipt(t, 30*time.Second)
		if slices.Contains(reasonCodes(r), hub.CodeQuotaRate) {
			refused++
		}
	}
	t.Logf("flood of %d in %v: %d refused for quota.rate; isp-two's delivery p50/p99 idle %v/%v, during the flood %v/%v",
		flood, took, refused, idle[len(idle)/2], idle[len(idle)-1], busy[len(busy)/2], busy[len(busy)-1])
	decided := flood - refused
	require.GreaterOrEqual(t, decided, 20, "the burst is decided")
	require.LessOrEqual(t, decided, 20+int(5*took.Seconds())+5, "beyond the burst, at most the rate")
	hubtest.Eventually(t, 5*time.Second, func() error {
		_, body := scrape(t, h.HTTPAddr(), "/metrics")
		want := fmt.Sprintf(`geneva_quota_refusals_total{code="quota.rate",member="bank-one"} %d`, refused)
		if !strings.Contains(body, want) {
			return fmt.Errorf("/metrics lacks %s", want)
		}
		return nil
	})

	t.Run("bytes per day", func(t *testing.T) {
		body := []byte(`{"pad":"` + strings.Repeat("x", 1000) + `"}`)
		var codes [][]policy.Code
		for range 3 {
			isp.Submit(t, body, wire.SubmitOptions{})
			codes = append(codes, reasonCodes(isp.NextReceipt(t, 10*time.Second)))
		}
		require.NotContains(t, codes[0], hub.CodeQuotaBytes)
		require.NotContains(t, codes[1], hub.CodeQuotaBytes)
		require.Equal(t, []policy.Code{hub.CodeQuotaBytes}, codes[2], "2,000 of 2,500 bytes used")
	})
	t.Run("message size", func(t *testing.T) {
		_, err := isp.JS.PublishMsg(ctx(t), wire.SubmitMsg("isp-two", make([]byte, 5000), wire.SubmitOptions{}))
		require.ErrorIs(t, err, nats.ErrMaxPayload)
	})
	t.Run("views", func(t *testing.T) {
		var errs []string
		for i := range 3 {
			session := fmt.Sprint("v", i)
			_, err := isp.NC.SubscribeSync(wire.DeliverSubject("isp-two", session)) // keep it alive
			require.NoError(t, err)
			resp, err := isp.NC.Request(wire.SubscribeService("isp-two"), []byte(`{"session":"`+session+`"}`), 5*time.Second)
			require.NoError(t, err)
			var r wire.SubscribeReply
			require.NoError(t, json.Unmarshal(resp.Data, &r))
			errs = append(errs, r.Error)
		}
		require.Equal(t, []string{"", "", "at most 2 real-time subscriptions per member; close one first"}, errs)
	})
	t.Run("connections", func(t *testing.T) {
		second, err := h.Connect("isp-two")
		require.NoError(t, err)
		defer second.NC.Close()
		_, err = h.Connect("isp-two")
		require.ErrorContains(t, err, "maximum account active connections exceeded")
	})
}

func reasonCodes(r wire.Receipt) []policy.Code {
	var out []policy.Code
	for _, reason := range r.Reasons {
		out = append(out, reason.Code)
	}
	return out
}
