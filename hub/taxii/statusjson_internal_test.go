package taxii

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
)

// hubReceipts are receipts as the hub's worker writes them: accepted in
// part with reasons, held for review, classified (no objects), and one
// with the characters encoding/json escapes.
func hubReceipts(t *testing.T) [][]byte {
	why := []policy.Reason{{Code: policy.CodeNoPolicy, Pointer: "/objects/1", Message: `a "quoted" <b>&</b> é`}}
	rs := []wire.Receipt{
		{Submission: "sub-1", Member: "bank-one", MsgID: "taxii-0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061", Received: time.Now().UTC(),
			Verdict: policy.Partial, Reasons: why, Objects: []wire.ObjectReceipt{
				{ID: "indicator--1", Type: "indicator", Shared: true, TLP: tlp.Green, Audience: []string{"isp-two"}},
				{ID: "indicator--2", Type: "indicator", Reasons: why}}},
		{Submission: "sub-2", Member: "bank-one", MsgID: "taxii-1", Verdict: policy.Review, Review: "review", Reasons: why},
		{Submission: "sub-3", Member: "le-alpha", MsgID: "taxii-2", Verdict: policy.Reject, Classified: true, Refused: 2, Reasons: why},
		{Submission: "sub-4", Member: "bank-one", MsgID: "taxii-3", Verdict: policy.Accept},
	}
	out := make([][]byte, len(rs))
	for i := range rs {
		b, err := rs[i].AppendJSON(nil)
		require.NoError(t, err)
		out[i] = b
	}
	return out
}

// parseReceipt reads what encoding/json read of a receipt.
func TestParseReceiptAsEncodingJSON(t *testing.T) {
	for _, data := range hubReceipts(t) {
		var want receipt
		require.NoError(t, json.Unmarshal(data, &want))
		got, ok := parseReceipt(data)
		require.True(t, ok, "%s", data)
		require.Equal(t, &want, got, "%s", data)
	}
	for _, bad := range []string{`{"msg_id":"taxii-1","verdict":1}`, `{"msg_id":"taxii-1","objects":{}}`,
		`{"msg_id":"taxii-1","objects":[{"id":"x","shared":"yes"}]}`, `{"msg_id":"taxii-1","reasons":[1]}`,
		`["taxii-1"]`, `{"msg_id":"taxii-1"`, `{"msg_id":"nats-1","note":"taxii-"}`} {
		_, ok := parseReceipt([]byte(bad))
		require.False(t, ok, bad)
	}
}

// A status resource is the JSON encoding/json writes for it as a map.
func TestStatusResourceIsCanonicalJSON(t *testing.T) {
	objects := []postedObject{{ID: "indicator--1", Version: "2026-01-01T00:00:00.000Z"}, {ID: "indicator--2", Version: "<v>"}}
	statuses := []*status{{id: "s0", requested: time.Now(), objects: objects}} // no receipt yet
	for _, data := range hubReceipts(t) {
		r, ok := parseReceipt(data)
		require.True(t, ok)
		statuses = append(statuses, &status{id: "s", requested: time.Now(), objects: objects, receipt: r})
	}
	for _, st := range statuses {
		got := st.resource()
		var m map[string]any
		require.NoError(t, json.Unmarshal(got, &m), "%s", got)
		want, err := json.Marshal(m)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
		require.EqualValues(t, 2, m["total_count"])
		require.EqualValues(t, 2, m["success_count"].(float64)+m["failure_count"].(float64)+m["pending_count"].(float64), "%s", got)
	}
}

// A stored status record is what json.Marshal wrote before.
func TestStatusRecordAsEncodingJSON(t *testing.T) {
	st := &status{member: "bank-one", requested: time.Now().UTC(), objects: []postedObject{{ID: "indicator--1", Version: `"<&>"`}, {ID: "x"}}}
	for _, objects := range [][]postedObject{st.objects, nil} {
		st.objects = objects
		got, err := appendRecord(nil, st)
		require.NoError(t, err)
		want, err := json.Marshal(statusRecord{Member: st.member, Requested: st.requested, Objects: st.objects})
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "got %s\nwant %s", got, want)
	}
}
