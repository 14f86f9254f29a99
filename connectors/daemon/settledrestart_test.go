package daemon_test

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors/daemon/daemontest"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy/tlp"
)

// A share the sink wrote, whose ack was lost as the link went down, the
// connector restarted before the link returned: the hub delivers it again
// and the restarted connector acks it without writing it twice (its
// memory of settled shares is on disk, connectors/daemon/settled.go).
func TestSettledShareNotWrittenTwiceAfterARestart(t *testing.T) {
	h := hubtest.StartHub(t)
	link := newLinkProxy(t, strings.TrimPrefix(h.ClientURL(), "nats://"))
	var (
		mu      sync.Mutex
		written = map[string]int{} // by Idempotency-Key: one per share
		arrived = make(chan struct{})
		release = make(chan struct{})
		first   = true
	)
	hook := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		mu.Lock()
		written[r.Header.Get("Idempotency-Key")]++
		hold := first
		first = false
		mu.Unlock()
		if hold {
			close(arrived)
			<-release
		}
	}))
	t.Cleanup(hook.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	dir, cfgText := connectorConfig(t, h, link.URL(), "isp-two", "", "", `
  - {name: soc, kind: webhook, reach: organization, url: `+hook.URL+`}`, nil)
	cfg := filepath.Join(dir, "connector.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(cfgText), 0o600))

	conn, stop := daemontest.Start(t, cfg, "isp-two")
	h.Member(t, "bank-one").Submit(t, marked("restart", tlp.Green), wire.SubmitOptions{})
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the share did not reach the web service within 30s")
	}
	// The link goes down while the web service takes the share; the
	// connector's ack of it goes nowhere, and it stops before the link
	// returns.
	link.cut()
	close(release)
	addr, err := conn.HTTPAddr(t.Context())
	require.NoError(t, err)
	r := &running{http: "http://" + addr}
	eventually(t, "the sink wrote the share", func() bool {
		return r.metric(t, `geneva_connector_deliveries_total{outcome="written",sink="soc"}`) == "1"
	})
	stop()

	daemontest.Start(t, cfg, "isp-two (restarted)")
	link.restore()
	// The hub delivers it again after its ack wait (30 s).
	op := h.Member(t, wire.OperatorName)
	hubtest.Eventually(t, 90*time.Second, func() error {
		c, err := op.JS.Consumer(t.Context(), wire.StreamShare, wire.InboxConsumer("isp-two"))
		if err != nil {
			return err
		}
		info, err := c.Info(t.Context())
		if err != nil {
			return err
		}
		if info.NumAckPending != 0 || info.NumPending != 0 || info.Delivered.Stream == 0 {
			return fmt.Errorf("isp-two's inbox: %d pending, %d unacknowledged", info.NumPending, info.NumAckPending)
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, written, 1, "one share")
	for key, n := range written {
		require.Equal(t, 1, n, "share %s written %d times", key, n)
	}
}

// The memory of settled shares is about redeliveries only: after the
// hub's streams were recreated (its data wiped), a new share may come
// with a sequence the connector remembers from before; it is written.
func TestRememberedSequenceOfANewShareIsWritten(t *testing.T) {
	h := hubtest.StartHub(t)
	dir, cfgText := connectorConfig(t, h, h.ClientURL(), "isp-two", "", "", `
  - {name: soc, kind: dir, reach: organization, path: DIR/soc}`, nil)
	// What a connector remembers from the hub's previous life: shares 1 to 10.
	state := filepath.Join(dir, "spool", "state")
	require.NoError(t, os.MkdirAll(state, 0o700))
	var log []byte
	for seq := uint64(1); seq <= 10; seq++ {
		log = binary.LittleEndian.AppendUint64(log, seq)
	}
	require.NoError(t, os.WriteFile(filepath.Join(state, "inbox.settled"), log, 0o600))
	receiver := runConfig(t, dir, "isp-two", cfgText)

	h.Member(t, "bank-one").Submit(t, marked("new life", tlp.Green), wire.SubmitOptions{})
	eventually(t, "the new share written", func() bool { return len(receiver.files("soc")) == 1 })
}
