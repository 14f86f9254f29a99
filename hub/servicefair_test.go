package hub_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
)

// Bounds of TestServiceFloodDelaysOnlyTheFlooder.
const (
	// fairFlood is how many subscribe requests the flooder sends at once:
	// each costs the hub a consumer listing and a consumer created, a few
	// milliseconds, so answering all of them in turn takes seconds.
	fairFlood = 300
	// fairAhead is how many of the flooder's requests may be answered
	// (not refused) before the other member's: a handful in flight on the
	// hub's service goroutines. Served in arrival order, all fairFlood are.
	fairAhead = 30
	// fairWithin bounds the other member's wait in time: a few handlings
	// of one request on a loaded machine.
	fairWithin = 5 * time.Second
)

// TestServiceFloodDelaysOnlyTheFlooder has bank-one, with its own
// credentials, send fairFlood subscribe requests at once, then le-alpha
// one: le-alpha's must be answered within fairWithin and after at most
// fairAhead of bank-one's (the flooder's surplus is refused as busy).
func TestServiceFloodDelaysOnlyTheFlooder(t *testing.T) {
	h := hubtest.StartHub(t)
	flooder, other := h.Member(t, "bank-one"), h.Member(t, "le-alpha")

	var mu sync.Mutex
	var answered, busy int
	inbox := wire.InboxPrefix("bank-one") + ".flood"
	sub, err := flooder.NC.Subscribe(inbox, func(msg *nats.Msg) {
		var r wire.SubscribeReply
		if err := json.Unmarshal(msg.Data, &r); err != nil {
			t.Errorf("a subscribe reply %s: %v", msg.Data, err) // not FailNow: this is the subscription's goroutine
		}
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(r.Error, "busy:") {
			busy++
		} else {
			answered++
		}
	})
	require.NoError(t, err)
	defer func() { _ = sub.Unsubscribe() }()
	require.NoError(t, flooder.NC.Flush())

	req, _ := json.Marshal(wire.SubscribeRequest{Session: "flood"})
	for range fairFlood {
		require.NoError(t, flooder.NC.PublishRequest(wire.SubscribeService("bank-one"), inbox, req))
	}
	require.NoError(t, flooder.NC.Flush()) // all of them reached the server before le-alpha asks

	start := time.Now()
	body, _ := json.Marshal(wire.SubscribeRequest{Session: "probe"})
	msg, err := other.NC.Request(wire.SubscribeService("le-alpha"), body, fairWithin)
	waited := time.Since(start)
	mu.Lock()
	answeredBefore := answered // the flooder's requests answered before the other's
	mu.Unlock()
	require.NoError(t, err, "le-alpha's subscribe request behind bank-one's flood of %d: no answer within %v", fairFlood, fairWithin)
	var r wire.SubscribeReply
	require.NoError(t, json.Unmarshal(msg.Data, &r))
	require.Empty(t, r.Error, "le-alpha's subscribe request")
	t.Logf("le-alpha answered after %v, behind %d of bank-one's %d requests", waited, answeredBefore, fairFlood)
	require.LessOrEqual(t, answeredBefore, fairAhead,
		"le-alpha's request waited behind %d of bank-one's requests (at most %d may be ahead)", answeredBefore, fairAhead)

	// The flooder gets an answer to each request: handled, or refused as busy.
	hubtest.Eventually(t, 2*time.Minute, func() error {
		mu.Lock()
		defer mu.Unlock()
		if answered+busy < fairFlood {
			return fmt.Errorf("bank-one has %d answers and %d busy refusals of %d requests", answered, busy, fairFlood)
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	require.Positive(t, busy, "the flood's surplus is refused as busy")
}
