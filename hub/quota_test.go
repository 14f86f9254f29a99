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

// TestQuotasThrottleAFlood: a member flooding the hub gets every
// submission beyond its burst and rate refused in its PubAck with
// quota.rate, before anything is stored, counted in /metrics; only a
// bounded number of refusals get receipts (and audit records), so the
// flood cannot grow the hub's streams with its size. Bytes per day, message size, connections and live
// views are enforced too. (TestFloodsKeepOthersOnTime measures the other
// members' latency during each kind of flood.)
func TestQuotasThrottleAFlood(t *testing.T) {
	h := hubtest.StartHub(t, hubtest.WithMoU(quotaMoU(t)))
	members := connectAll(t, h)
	bank, isp := members["bank-one"], members["isp-two"]
	op := h.Member(t, wire.OperatorName)
	count := func(stream string) uint64 {
		s, err := op.JS.Stream(ctx(t), stream)
		require.NoError(t, err)
		return s.CachedInfo().State.Msgs
	}
	receipts0, audit0 := count(wire.StreamReceipt), count(wire.StreamAudit)

	const flood = 2000
	var futures []jetstream.PubAckFuture
	start := time.Now()
	for i := range flood {
		f, err := bank.JS.PublishMsgAsync(wire.SubmitMsg("bank-one", []byte(`{}`), wire.SubmitOptions{MsgID: fmt.Sprint("f", i)}))
		require.NoError(t, err)
		futures = append(futures, f)
	}
	accepted, refused := 0, 0
	for _, f := range futures {
		select {
		case <-f.Ok():
			accepted++
		case err := <-f.Err():
			var api *jetstream.APIError
			require.ErrorAs(t, err, &api)
			require.Equal(t, 429, api.Code)
			require.True(t, strings.HasPrefix(api.Description, string(hub.CodeQuotaRate)+": "), api.Description)
			refused++
		}
	}
	took := time.Since(start)
	allowed := 20 + int(5*took.Seconds()) + 5 // the burst, then at most the rate
	t.Logf("flood of %d in %v: %d accepted, %d refused for quota.rate", flood, took, accepted, refused)
	require.GreaterOrEqual(t, accepted, 20, "the burst is stored")
	require.LessOrEqual(t, accepted, allowed, "beyond the burst, at most the rate")
	in, err := op.JS.Stream(ctx(t), wire.IntakeStream("bank-one"))
	require.NoError(t, err)
	require.Equal(t, uint64(accepted), in.CachedInfo().State.Msgs, "refused submissions never reach the intake")

	// Every accepted submission gets its receipt; refusals get receipts as
	// fast as the rate quota allows, the rest only their PubAck error.
	// Every refusal's receipt was published before its answer: what
	// arrives now is all there will be.
	var receipts []wire.Receipt
	recorded := 0
	hubtest.Eventually(t, 10*time.Second, func() error {
		for _, msg := range bank.Available(t, wire.StreamReceipt, wire.ReceiptConsumer("bank-one")) {
			var r wire.Receipt
			require.NoError(t, json.Unmarshal(msg.Data(), &r))
			receipts = append(receipts, r)
			if slices.Contains(reasonCodes(r), hub.CodeQuotaRate) {
				require.Equal(t, policy.Reject, r.Verdict)
				recorded++
			}
		}
		grown := count(wire.StreamAudit) - audit0
		if len(receipts)-recorded != accepted || grown != uint64(len(receipts)) || count(wire.StreamReceipt)-receipts0 != grown {
			return fmt.Errorf("%d receipts (%d for refusals) of %d accepted; the audit log grew by %d", len(receipts), recorded, accepted, grown)
		}
		return nil
	})
	// The hub records a burst of 100 refusals a member, then one a second.
	require.Equal(t, min(refused, 100), min(recorded, 100), "the first refusals have receipts")
	require.LessOrEqual(t, recorded, 100+int(took.Seconds())+1, "then one a second")
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
		for range 2 {
			isp.Submit(t, body, wire.SubmitOptions{})
			codes = append(codes, reasonCodes(isp.NextReceipt(t, 10*time.Second)))
		}
		require.NotContains(t, codes[0], hub.CodeQuotaBytes)
		require.NotContains(t, codes[1], hub.CodeQuotaBytes)
		_, err := isp.JS.PublishMsg(ctx(t), wire.SubmitMsg("isp-two", body, wire.SubmitOptions{}))
		require.ErrorContains(t, err, string(hub.CodeQuotaBytes)+": ", "2,000 of 2,500 bytes used")
		codes = append(codes, reasonCodes(isp.NextReceipt(t, 10*time.Second)))
		require.Equal(t, []policy.Code{hub.CodeQuotaBytes}, codes[2], "the refusal's receipt")
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
