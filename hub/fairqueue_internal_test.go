package hub

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
)

// TestFairQueueTakesAskersInTurn: one asker's requests are handled in
// order and never two at once, no more than workers at once overall, a
// full waiting line refuses, and an asker arriving behind a long line of
// another's is handled next.
func TestFairQueueTakesAskersInTurn(t *testing.T) {
	const workers, perAsker = 2, 5
	started, release := make(chan string), make(chan struct{})
	var mu sync.Mutex
	running, most := map[string]int{}, 0
	q := newFairQueue(workers, perAsker, func(msg *nats.Msg) {
		asker := msg.Header.Get("asker")
		mu.Lock()
		running[asker]++
		if running[asker] > 1 {
			t.Errorf("two of %s's requests at once", asker)
		}
		total := 0
		for _, n := range running {
			total += n
		}
		most = max(most, total)
		mu.Unlock()
		started <- asker + string(msg.Data)
		<-release
		mu.Lock()
		running[asker]--
		mu.Unlock()
	})
	ask := func(asker string, i int) bool {
		return q.add(asker, &nats.Msg{Header: nats.Header{"asker": {asker}}, Data: []byte(strconv.Itoa(i))})
	}
	next := func() string {
		select {
		case s := <-started:
			return s
		case <-time.After(10 * time.Second):
			t.Fatal("no request taken within 10s")
			return ""
		}
	}

	require.True(t, ask("flood", 0))
	require.Equal(t, "flood0", next())
	for i := 1; i <= perAsker; i++ {
		require.True(t, ask("flood", i), "flood%d", i)
	}
	require.False(t, ask("flood", perAsker+1), "a full line refuses")
	require.True(t, ask("other", 0))
	require.Equal(t, "other0", next(), "another asker does not wait behind the flood")
	release <- struct{}{} // flood0 and other0, in either order
	release <- struct{}{}
	for i := 1; i <= perAsker; i++ {
		require.Equal(t, "flood"+strconv.Itoa(i), next(), "one asker's requests in order")
		release <- struct{}{}
	}
	mu.Lock()
	defer mu.Unlock()
	require.LessOrEqual(t, most, workers)
}
