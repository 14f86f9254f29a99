package hub_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// TestObjectsArriveAsSent: a name with characters Go quotes its own way
// (BEL, ESC, DEL, a flag's tag characters) or that re-encoders escape
// (NBSP, BOM, U+202F, &<>) reaches every recipient byte for byte as the
// sender wrote it, in a part that is valid JSON; receipt and audit record
// stay valid JSON too.
func TestObjectsArriveAsSent(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectAll(t, h)
	indicator := "{\n  \"type\": \"indicator\", \"spec_version\": \"2.1\",\n" +
		`  "id": "indicator--6c8a1f0e-3b7d-4e2a-9f5c-1d2e3f4a5b6c", "created": "2026-10-15T08:30:00.000Z", "modified": "2026-10-15T08:30:00.000Z",` +
		`  "name": "bell \u0007 esc \u001b \u001B del ` + "\x7f" + ` flag ` + "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f" +
		` nbsp ` + "\u00a0 bom \ufeff narrow \u202f" + ` html &<> \u0026 \/ é \u00e9",` +
		`  "pattern": "[url:value = 'https://login.example-bank.test/verify']", "pattern_type": "stix", "valid_from": "2026-10-15T08:30:00.000Z",` +
		`  "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]` + "\n}"
	bundle := []byte(`{"type": "bundle", "id": "bundle--0a8e7c3c-4b1e-4d6f-8a2b-9c0d1e2f3a4b", "objects": [` + indicator + `]}`)
	require.True(t, json.Valid(bundle))
	members["bank-one"].Submit(t, bundle, wire.SubmitOptions{})

	r := members["bank-one"].NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Accept, r.Verdict, "%+v", r.Reasons)
	for id, shares := range hubtest.ExpectShares(t, members, othersOfBankOne, 300*time.Millisecond) {
		data := shares[0].Data()
		require.True(t, json.Valid(data) && utf8.Valid(data), "%s received invalid JSON: %q", id, data)
		var part struct{ Objects []json.RawMessage }
		require.NoError(t, json.Unmarshal(data, &part))
		require.Len(t, part.Objects, 1)
		require.True(t, bytes.Equal([]byte(indicator), part.Objects[0]), "%s received\n%q\nsent\n%q", id, part.Objects[0], indicator)
	}
	requireValidJSONOnStream(t, h, wire.StreamReceipt)
	requireValidJSONOnStream(t, h, wire.StreamAudit)
}

// requireValidJSONOnStream checks every message stream holds is valid
// JSON text, read with the operator's credentials.
func requireValidJSONOnStream(t *testing.T, h *hubtest.Hub, stream string) {
	t.Helper()
	op := h.Member(t, wire.OperatorName)
	s, err := op.JS.Stream(ctx(t), stream)
	require.NoError(t, err)
	info, err := s.Info(ctx(t))
	require.NoError(t, err)
	require.NotZero(t, info.State.Msgs, stream)
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx(t), seq)
		require.NoError(t, err)
		require.True(t, json.Valid(m.Data) && utf8.Valid(m.Data), "%s seq %d: %q", stream, seq, m.Data)
	}
}
