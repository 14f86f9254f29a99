package member_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/member/membertest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// submit sends bundles as c and checks each is accepted.
func submit(t *testing.T, c *member.Client, bundles ...[]byte) {
	t.Helper()
	for _, b := range bundles {
		res, err := c.Submit(ctxFor(t, 10*time.Second), b, member.SubmitOptions{})
		require.NoError(t, err)
		require.Equal(t, policy.Accept, res.Receipt.Verdict, "%+v", res.Receipt)
	}
}

// names reads n objects of type indicator from s and returns their names.
func names(t *testing.T, s *member.Subscription, n int, wait time.Duration) []string {
	t.Helper()
	ctx := ctxFor(t, wait)
	var out []string
	for len(out) < n {
		o, err := s.Next(ctx)
		require.NoError(t, err, "after %v", out)
		if o.Type == "indicator" {
			out = append(out, o.Name)
		}
	}
	return out
}

// nothingMore checks that s delivers no indicator within d.
func nothingMore(t *testing.T, s *member.Subscription, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		o, err := s.Next(ctx)
		if err != nil {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			return
		}
		require.NotEqual(t, "indicator", o.Type, "unexpected %s from %s", o.Name, o.Sender)
	}
}

func TestSubscribeStartsAndFilters(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := membertest.Dial(t, h, "bank-one")
	cert := membertest.Dial(t, h, "cert-three")
	alpha := membertest.Dial(t, h, "le-alpha")
	submit(t, bank, membertest.Indicator(t, "green", "old green"))

	live, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{})
	require.NoError(t, err)
	defer live.Close()
	fromStart, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{All: true})
	require.NoError(t, err)
	defer fromStart.Close()
	amber, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{TLP: []string{"AMBER"}})
	require.NoError(t, err)
	defer amber.Close()
	fromCert, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{From: []string{"cert-three"}, Types: []string{"indicator"}})
	require.NoError(t, err)
	defer fromCert.Close()

	submit(t, bank, membertest.Indicator(t, "green", "new green"), membertest.Indicator(t, "amber", "new amber"))
	submit(t, cert, membertest.Indicator(t, "clear", "cert clear"))

	require.Equal(t, []string{"new green", "new amber", "cert clear"}, names(t, live, 3, 5*time.Second))
	require.Equal(t, []string{"old green", "new green", "new amber", "cert clear"}, names(t, fromStart, 4, 5*time.Second))
	require.Equal(t, []string{"new amber"}, names(t, amber, 1, 5*time.Second))
	o, err := fromCert.Next(ctxFor(t, 5*time.Second))
	require.NoError(t, err)
	require.Equal(t, "cert clear", o.Name)
	require.Equal(t, "cert-three", o.Sender)
	require.Equal(t, "clear", o.TLP)
	require.Equal(t, "all", o.Scope)
	require.NotEmpty(t, o.Submission)
	require.WithinDuration(t, time.Now(), o.Received, time.Minute)
	require.Contains(t, o.Description, "Seen in a phishing wave")
	var obj map[string]any
	require.NoError(t, json.Unmarshal(o.Object, &obj))
	require.Equal(t, o.ID, obj["id"])
	nothingMore(t, amber, 300*time.Millisecond)
	nothingMore(t, fromCert, 300*time.Millisecond)

	t.Run("since a time", func(t *testing.T) {
		s, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{Since: time.Now().Add(-time.Hour)})
		require.NoError(t, err)
		defer s.Close()
		require.Len(t, names(t, s, 4, 5*time.Second), 4)
		s2, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{Since: time.Now().Add(time.Hour)})
		require.NoError(t, err)
		defer s2.Close()
		nothingMore(t, s2, 300*time.Millisecond)
	})
	t.Run("a bad TLP is refused before asking the hub", func(t *testing.T) {
		_, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{TLP: []string{"purple"}})
		require.ErrorContains(t, err, `subscribe: tlp "purple"`)
	})
}

// The subscription reads its own viewer consumer: the member's inbox (what
// its connector reads) still holds everything afterwards.
func TestSubscribeDoesNotConsumeTheInbox(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := membertest.Dial(t, h, "bank-one")
	alpha := membertest.Dial(t, h, "le-alpha")
	s, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{})
	require.NoError(t, err)
	defer s.Close()
	submit(t, bank, membertest.Indicator(t, "green", "one"), membertest.Indicator(t, "green", "two"))
	require.Equal(t, []string{"one", "two"}, names(t, s, 2, 5*time.Second))

	connector := h.Member(t, "le-alpha")
	require.Len(t, connector.Shares(t), 2, "the inbox still holds both shares")
}

// TestSubscribeSurvivesHubRestart subscribes, restarts the hub on the same
// data and port, submits more, and checks every object arrives once and in
// order.
func TestSubscribeSurvivesHubRestart(t *testing.T) {
	dir := t.TempDir()
	h := hubtest.StartHub(t, hubtest.WithDir(dir))
	u, err := url.Parse(h.ClientURL())
	require.NoError(t, err)
	samePort := hubtest.WithConfig(func(c *hub.Config) { c.NATSListen = u.Host })

	alpha := membertest.Dial(t, h, "le-alpha")
	var resumedFrom []uint64 // called from Next, on this goroutine
	s, err := alpha.Subscribe(ctxFor(t, 5*time.Second), member.SubscribeOptions{OnResume: func(seq uint64) { resumedFrom = append(resumedFrom, seq) }})
	require.NoError(t, err)
	defer s.Close()

	var want []string
	send := func(h *hubtest.Hub, from, to int) {
		bank := membertest.Dial(t, h, "bank-one")
		for i := from; i < to; i++ {
			name := fmt.Sprintf("object %02d", i)
			want = append(want, name)
			submit(t, bank, membertest.Indicator(t, "green", name))
		}
		bank.Close()
	}
	send(h, 0, 3)
	require.Equal(t, want[:2], names(t, s, 2, 5*time.Second), "before the restart")

	require.NoError(t, h.Stop())
	h = hubtest.StartHub(t, hubtest.WithDir(dir), samePort)
	send(h, 3, 6)
	require.NoError(t, h.Stop())
	h = hubtest.StartHub(t, hubtest.WithDir(dir), samePort)
	send(h, 6, 8)

	require.Equal(t, want[2:], names(t, s, len(want)-2, 20*time.Second), "after two restarts")
	nothingMore(t, s, 500*time.Millisecond)
	require.GreaterOrEqual(t, s.Resumes(), 1)
	require.Len(t, resumedFrom, s.Resumes())
	require.NotZero(t, resumedFrom[0], "resumed after a known share, not from a time")
}

// A reader too slow for its delivery buffer loses deliveries in the client;
// the consumer's delivery count shows the gap and the subscription resumes
// after the last share it handled, so nothing is missing.
func TestSubscribeRecoversFromDroppedDeliveries(t *testing.T) {
	h := hubtest.StartHub(t)
	alpha := membertest.Dial(t, h, "le-alpha")
	s, err := alpha.SubscribeWithBuffer(ctxFor(t, 5*time.Second), member.SubscribeOptions{Types: []string{"indicator"}}, 4)
	require.NoError(t, err)
	defer s.Close()

	const n = 40
	bank := h.Member(t, "bank-one")
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("burst %02d", i))
		bank.Submit(t, membertest.Indicator(t, "green", want[i]), wire.SubmitOptions{})
	}
	for range n {
		bank.NextReceipt(t, 10*time.Second) // every share is stored and pushed by now
	}
	// Four policy workers decide concurrently, so the stream's order (the
	// order that counts) need not be the submission order.
	ctx := ctxFor(t, 20*time.Second)
	var got []string
	var last uint64
	for len(got) < n {
		o, err := s.Next(ctx)
		require.NoError(t, err, "after %v", got)
		require.Greater(t, o.Seq, last, "in stream order, once")
		last = o.Seq
		got = append(got, o.Name)
	}
	require.ElementsMatch(t, want, got)
	nothingMore(t, s, 300*time.Millisecond)
	require.GreaterOrEqual(t, s.Resumes(), 1, "the buffer of 4 overflowed")
}
