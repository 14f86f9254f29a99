package hub_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// archivedPositions counts, per part body and position, how often the
// share stream asks the archive to keep an object.
func archivedCounts(t *testing.T, op *hubtest.Member) (parts int, archived map[string]int) {
	t.Helper()
	cons, err := op.JS.OrderedConsumer(ctx(t), wire.StreamShare, jetstream.OrderedConsumerConfig{})
	require.NoError(t, err)
	archived = map[string]int{}
	for {
		m, err := cons.Next(jetstream.FetchMaxWait(300 * time.Millisecond))
		if err != nil {
			break
		}
		parts++
		if m.Headers().Get(wire.HeaderArchive) != "true" {
			continue
		}
		key := m.Headers().Get(wire.HeaderSubmission)
		positions := m.Headers().Get(wire.HeaderArchiveObjects)
		if positions == "" {
			archived[key+"/all"]++
			continue
		}
		for _, p := range strings.Split(positions, ",") {
			_, err := strconv.Atoi(p)
			require.NoError(t, err, "position %q", p)
			archived[key+"/"+p]++
		}
	}
	return parts, archived
}

func TestSplitAudienceIsArchivedOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		opts wire.SubmitOptions
	}{
		{"named recipients split per member", "amber-strict-named.json", wire.SubmitOptions{To: []string{"le-alpha", "cert-three"}}},
		{"anonymous copies per receiver", "green-tlp2-to-all.json", wire.SubmitOptions{Anonymous: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := hubtest.StartHub(t)
			bank := h.Member(t, "bank-one")
			bank.Submit(t, caseBundle(t, tc.file), tc.opts)
			require.Equal(t, policy.Accept, bank.NextReceipt(t, 10*time.Second).Verdict)

			parts, archived := archivedCounts(t, h.Member(t, wire.OperatorName))
			require.Greater(t, parts, 1, "the audience is split into several messages")
			require.NotEmpty(t, archived, "something is archived")
			for key, n := range archived {
				require.Equal(t, 1, n, "%s is archived by %d messages", key, n)
			}
		})
	}
}
