package daemon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors/connectortest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/deadletter"
	"github.com/genevahub/geneva/policy/tlp"
)

// siem is a webhook receiver that refuses what contains a marker.
type siem struct {
	mu       sync.Mutex
	got      []string // the indicator names it took, in order
	refuse   atomic.Pointer[string]
	status   int // what it answers a refused body
	listener string
}

func startSIEM(t *testing.T, status int) *siem {
	s := &siem{status: status}
	ln, err := listen()
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if m := s.refuse.Load(); m != nil && bytes.Contains(body, []byte(*m)) {
			http.Error(w, "cannot take this one", s.status)
			return
		}
		var b struct{ Objects []struct{ ID string } }
		_ = json.Unmarshal(body, &b) // a lenient SIEM: takes what is not JSON too
		s.mu.Lock()
		for _, o := range b.Objects {
			s.got = append(s.got, o.ID)
		}
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.listener = ln.Addr().String()
	return s
}

func (s *siem) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.got, id)
}

func indicatorID(t *testing.T, bundle []byte) string {
	for _, id := range connectortest.ObjectIDs(t, bundle) {
		if strings.HasPrefix(id, "indicator--") {
			return id
		}
	}
	t.Fatalf("no indicator in %s", bundle)
	return ""
}

// A share the sink cannot take (not JSON; a body the SIEM refuses with a
// 4xx; one it fails on with a 5xx while taking the others) is set aside as
// a dead letter after a bounded number of attempts: the shares behind it
// are delivered, the hub gets its ack, and a replay delivers it once the
// SIEM takes it.
func TestPoisonShareIsDeadLetteredAndReplayable(t *testing.T) {
	for name, status := range map[string]int{"refused": http.StatusUnprocessableEntity, "failing": http.StatusInternalServerError} {
		t.Run(name, func(t *testing.T) {
			h := hubtest.StartHub(t)
			s := startSIEM(t, status)
			marker := "poison-" + name
			s.refuse.Store(&marker)
			receiver := startConnector(t, h, "isp-two", "", "", `
  - {name: siem, kind: webhook, reach: organization, url: "http://`+s.listener+`/"}
  - {name: archive, kind: dir, reach: organization, path: DIR/archive}`, nil)
			bank := h.Member(t, "bank-one")
			good1, refused, good2 := marked("good-1", tlp.Green), marked(marker, tlp.Green), marked("good-2", tlp.Green)
			bank.Submit(t, good1, wire.SubmitOptions{MsgID: "g1"})
			eventually(t, "the first good share is written", func() bool { return s.has(indicatorID(t, good1)) })
			notJSON := h.InjectShare(t, "bank-one", "isp-two", []byte(`{"type":"bundle","objects":[{"name":"\a"}]}`))
			h.InjectShare(t, "bank-one", "isp-two", refused) // in the stream before good2 is submitted
			bank.Submit(t, good2, wire.SubmitOptions{MsgID: "g2"})
			eventually(t, "the good share behind the poison ones is written", func() bool { return s.has(indicatorID(t, good2)) })
			spool := filepath.Join(receiver.dir, "spool")
			var letters []deadletter.Letter
			eventually(t, "three dead letters with their reasons: siem (not JSON, refused), archive (not JSON)", func() bool {
				letters, _ = deadletter.List(spool)
				// A letter's reason is written just after its message
				// (deadletter.Put): listed in between, it has none yet.
				return len(letters) == 3 && !slices.ContainsFunc(letters, func(l deadletter.Letter) bool { return l.Reason == "" })
			})
			byQueue := map[string][]deadletter.Letter{}
			for _, l := range letters {
				byQueue[l.Queue] = append(byQueue[l.Queue], l)
				require.NotEmpty(t, l.Reason, "a reason in %s/%s.why", l.Queue, l.Name)
				require.False(t, l.Time.IsZero())
			}
			require.Len(t, byQueue["sink-archive"], 1)
			require.Equal(t, fmt.Sprintf("share-%d", notJSON), byQueue["sink-archive"][0].Name)
			require.Len(t, byQueue["sink-siem"], 2)
			require.Contains(t, byQueue["sink-siem"][0].Reason+byQueue["sink-siem"][1].Reason, "not valid JSON")
			var refusedLetter deadletter.Letter
			for _, l := range byQueue["sink-siem"] {
				if l.Name != fmt.Sprintf("share-%d", notJSON) {
					refusedLetter = l
				}
			}
			require.Equal(t, 5, refusedLetter.Attempts, "bounded attempts before the dead letter")
			kept, err := os.ReadFile(refusedLetter.Path(spool))
			require.NoError(t, err)
			require.Contains(t, string(kept), marker, "the dead letter holds the share")
			// The count follows the letter's files (deadLetter): wait for it.
			eventually(t, "the dead letters counted: 2 for siem, 1 for archive", func() bool {
				return receiver.metric(t, `geneva_connector_deliveries_total{outcome="dead_letter",sink="siem"}`) == "2" &&
					receiver.metric(t, `geneva_connector_deliveries_total{outcome="dead_letter",sink="archive"}`) == "1"
			})
			require.Len(t, receiver.files("archive"), 3, "the dir sink wrote the three good shares, not the one that is not JSON")
			eventually(t, "every share acked to the hub", func() bool { return inboxPending(t, h, "isp-two") == 0 })

			// The SIEM is fixed: a replay delivers the refused share and
			// clears the letter; the share that is not JSON fails again and
			// comes back as a dead letter.
			s.refuse.Store(nil)
			require.NoError(t, deadletter.Replay(spool, "sink-siem", refusedLetter.Name))
			require.NoError(t, deadletter.Replay(spool, "sink-siem", fmt.Sprintf("share-%d", notJSON)))
			eventually(t, "the replayed share is written", func() bool { return s.has(indicatorID(t, refused)) })
			eventually(t, "only the letters that still fail remain, none waiting for replay", func() bool {
				letters, _ = deadletter.List(spool)
				replays, _ := deadletter.Replays(spool, "sink-siem")
				return len(letters) == 2 && len(replays) == 0
			})
		})
	}
}

// inboxPending is how many shares member's connector has not acked yet.
func inboxPending(t *testing.T, h *hubtest.Hub, member string) int {
	op := h.Member(t, wire.OperatorName)
	c, err := op.JS.Consumer(t.Context(), wire.StreamShare, wire.InboxConsumer(member))
	if err != nil {
		return -1
	}
	info, err := c.Info(t.Context())
	if err != nil {
		return -1
	}
	return info.NumAckPending + int(info.NumPending)
}
