package member_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/member/membertest"
	"github.com/genevahub/geneva/policy"
)

// TestSuspendedSubscriberIsToldWhy: a subscription whose member the hub
// suspends ends with an error that says the credentials were refused and
// why that happens, not a bare "connection closed".
func TestSuspendedSubscriberIsToldWhy(t *testing.T) {
	h := hubtest.StartHub(t)
	bravo := membertest.Dial(t, h, "le-bravo")
	s, err := bravo.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{})
	require.NoError(t, err)
	defer s.Close()

	mou := *h.MoU()
	mou.Members = append([]policy.Member(nil), mou.Members...)
	for i := range mou.Members {
		mou.Members[i].Suspended = mou.Members[i].ID == "le-bravo"
	}
	require.NoError(t, h.ApplyMoU(context.Background(), &mou))

	// nats.go gives up after the hub refuses the reconnect twice; 30 s
	// bounds that on a loaded machine.
	ctx := ctxFor(t, 30*time.Second)
	var last error
	for ctx.Err() == nil {
		if _, last = s.Next(ctx); last != nil {
			break
		}
	}
	require.ErrorIs(t, last, member.ErrRefused, "%v", last)
	require.ErrorContains(t, last, `"le-bravo"`)
	require.ErrorContains(t, last, "suspended")
	require.False(t, errors.Is(last, context.DeadlineExceeded), "%v", last)
}
