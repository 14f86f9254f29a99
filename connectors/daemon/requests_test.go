package daemon_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/hub/requests/requeststest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// TestConnectorReceivesARequestAndSendsTheResponse: isp-two's connector
// delivers a preservation request to its sink like any share, and the
// response its system drops (addressed to the requester by the
// connector's defaults) reaches the hub's tracker.
func TestConnectorReceivesARequestAndSendsTheResponse(t *testing.T) {
	h := hubtest.StartHub(t)
	isp := startConnector(t, h, "isp-two", "defaults:\n  to: [le-alpha]", `
  - {name: drop, kind: dir, path: DIR/drop, interval: 20ms}`, `
  - {name: soc, kind: dir, reach: organization, path: DIR/soc}`, nil)
	alpha := h.Member(t, "le-alpha")
	req := requeststest.Preservation(t, "preservation", requeststest.LEAlpha, time.Now().UTC().Truncate(time.Millisecond))
	alpha.Submit(t, requeststest.RequestBundle(t, req, tlp.AmberStrict, nil), wire.SubmitOptions{To: []string{"isp-two"}})
	require.Equal(t, policy.Accept, alpha.NextReceipt(t, 10*time.Second).Verdict)

	eventually(t, "the request in isp-two's sink", func() bool { return len(isp.files("soc")) == 1 })
	got, err := os.ReadFile(filepath.Join(isp.dir, "soc", isp.files("soc")[0]))
	require.NoError(t, err)
	require.Contains(t, string(got), req.ID)

	isp.drop(t, "ack.json", requeststest.ResponseBundle(t, req.ID, requeststest.ISPTwo, requests.StatusAcknowledged, time.Now(), nil))
	hubtest.Eventually(t, 20*time.Second, func() error {
		body, _ := json.Marshal(wire.RequestsQuery{Action: "show", Request: req.ID})
		msg, err := alpha.NC.Request(wire.RequestsService("le-alpha"), body, 5*time.Second)
		if err != nil {
			return err
		}
		var r wire.RequestsReply
		if err := json.Unmarshal(msg.Data, &r); err != nil || len(r.Requests) != 1 {
			return fmt.Errorf("show: %s %v", msg.Data, err)
		}
		if r.Requests[0].Phase != requests.Acknowledged {
			return fmt.Errorf("still %s", r.Requests[0].Phase)
		}
		return nil
	})
}
