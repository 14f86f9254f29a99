package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
)

// copies numbers the copy streams: each test gets a fresh name, because a
// stream deleted and re-created under the same name can briefly serve the
// old stream's messages to a new ordered consumer (seen with nats-server
// 2.15.2 in this test's first version).
var copies atomic.Int64

// copyChain copies the audit stream's n records into a fresh stream that
// allows deletes, passing each body through edit (raw publishes, no chain
// logic), so tampering can be simulated without touching the real log.
func copyChain(t *testing.T, js jetstream.JetStream, n int, edit func(seq uint64, r *audit.Record) []byte) (jetstream.Stream, string) {
	t.Helper()
	ctx := testCtx(t)
	k := copies.Add(1)
	copyStream, copySubject := fmt.Sprintf("AUDIT_COPY_%d", k), fmt.Sprintf("copy.%d", k)
	src, err := js.Stream(ctx, testStream)
	require.NoError(t, err)
	dst, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: copyStream, Subjects: []string{copySubject}})
	require.NoError(t, err)
	t.Cleanup(func() { // t.Context() is already cancelled here
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = js.DeleteStream(ctx, copyStream)
	})
	for seq := uint64(1); seq <= uint64(n); seq++ {
		m, err := src.GetMsg(ctx, seq)
		require.NoError(t, err)
		body := m.Data
		if edit != nil {
			var r audit.Record
			require.NoError(t, json.Unmarshal(m.Data, &r))
			if b := edit(seq, &r); b != nil {
				body = b
			}
		}
		_, err = js.Publish(ctx, copySubject, body)
		require.NoError(t, err)
	}
	return dst, copyStream
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func requireBrokenAt(t *testing.T, js jetstream.JetStream, stream string, seq uint64, reason string) audit.VerifyResult {
	t.Helper()
	res, err := audit.Verify(testCtx(t), js, stream)
	var broken *audit.BrokenLinkError
	require.ErrorAs(t, err, &broken)
	require.Equal(t, seq, broken.Seq, "reason: %s", broken.Reason)
	require.Contains(t, broken.Reason, reason)
	return res
}

func TestVerifyFindsTheFirstBrokenLink(t *testing.T) {
	const n = 20
	js := startJS(t)
	appendN(t, openLog(t, js), n)

	t.Run("untouched copy verifies", func(t *testing.T) {
		_, name := copyChain(t, js, n, nil)
		res, err := audit.Verify(testCtx(t), js, name)
		require.NoError(t, err)
		require.Equal(t, uint64(n), res.Records)
	})

	cases := map[string]struct {
		edit   func(seq uint64, r *audit.Record) []byte
		delete []uint64
		seq    uint64
		reason string
		before uint64 // records verified before the break
	}{
		"changed verdict": {
			edit: func(seq uint64, r *audit.Record) []byte {
				if seq != 7 {
					return nil
				}
				r.Verdict = "reject"
				return mustJSON(t, r)
			},
			seq: 7, reason: "does not match the record's content", before: 6,
		},
		"changed record with its hash recomputed": {
			edit: func(seq uint64, r *audit.Record) []byte {
				if seq != 7 {
					return nil
				}
				r.Routes[0].Audience = append(r.Routes[0].Audience, "le-alpha")
				r.Hash = r.ComputeHash()
				return mustJSON(t, r)
			},
			seq: 8, reason: "the hash of record 7", before: 7,
		},
		"smuggled field": {
			edit: func(seq uint64, r *audit.Record) []byte {
				if seq != 12 {
					return nil
				}
				var m map[string]any
				require.NoError(t, json.Unmarshal(mustJSON(t, r), &m))
				m["content"] = "the bundle"
				return mustJSON(t, m)
			},
			seq: 12, reason: `unknown field "content"`, before: 11,
		},
		"not a record": {
			edit: func(seq uint64, _ *audit.Record) []byte {
				if seq != 3 {
					return nil
				}
				return []byte("hello")
			},
			seq: 3, reason: "decode record", before: 2,
		},
		"first record's prev set": {
			edit: func(seq uint64, r *audit.Record) []byte {
				if seq != 1 {
					return nil
				}
				r.Prev = "00"
				r.Hash = r.ComputeHash()
				return mustJSON(t, r)
			},
			seq: 1, reason: "want empty, as the first record", before: 0,
		},
		"record deleted in the middle": {delete: []uint64{7}, seq: 7, reason: "record 7 is missing", before: 6},
		"two records deleted":          {delete: []uint64{9, 10}, seq: 9, reason: "records 9 to 10 are missing", before: 8},
		"first record deleted":         {delete: []uint64{1}, seq: 1, reason: "record 1 is missing", before: 0},
		"last record deleted":          {delete: []uint64{n}, seq: n, reason: "record 20 is missing", before: n - 1},
		"every record deleted":         {delete: []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, seq: 1, reason: "records 1 to 20 are missing"},
		"earliest break wins":          {delete: []uint64{15}, edit: changeAt(t, 4), seq: 4, reason: "does not match", before: 3},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dst, name := copyChain(t, js, n, c.edit)
			for _, seq := range c.delete {
				require.NoError(t, dst.DeleteMsg(testCtx(t), seq))
			}
			res := requireBrokenAt(t, js, name, c.seq, c.reason)
			require.Equal(t, c.before, res.Records)
		})
	}
}

func changeAt(t *testing.T, at uint64) func(uint64, *audit.Record) []byte {
	return func(seq uint64, r *audit.Record) []byte {
		if seq != at {
			return nil
		}
		r.Actor = "someone else"
		return mustJSON(t, r)
	}
}

func TestVerifyUnknownStream(t *testing.T) {
	js := startJS(t)
	_, err := audit.Verify(testCtx(t), js, "NOPE")
	require.ErrorIs(t, err, jetstream.ErrStreamNotFound)
}
