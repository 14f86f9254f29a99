package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
)

func TestChainOfManyRecordsVerifies(t *testing.T) {
	js := startJS(t)
	got := appendN(t, openLog(t, js), 500)

	for i, r := range got {
		require.Equal(t, r.ComputeHash(), r.Hash, "record %d", i+1)
		if i == 0 {
			require.Empty(t, r.Prev)
		} else {
			require.Equal(t, got[i-1].Hash, r.Prev, "record %d", i+1)
		}
	}
	res, err := audit.Verify(testCtx(t), js, testStream)
	require.NoError(t, err)
	require.Equal(t, audit.VerifyResult{Records: 500, FirstSeq: 1, LastSeq: 500, Head: got[499].Hash}, res)
}

func TestReopenedLogContinuesTheChain(t *testing.T) {
	js := startJS(t)
	first := appendN(t, openLog(t, js), 3)

	r, err := openLog(t, js).Append(testCtx(t), decision(4), "audit.sub-4.decide")
	require.NoError(t, err)
	require.Equal(t, first[2].Hash, r.Prev)

	res, err := audit.Verify(testCtx(t), js, testStream)
	require.NoError(t, err)
	require.Equal(t, uint64(4), res.Records)
	require.Equal(t, r.Hash, res.Head)
}

func TestEmptyLogVerifies(t *testing.T) {
	js := startJS(t)
	openLog(t, js)
	res, err := audit.Verify(testCtx(t), js, testStream)
	require.NoError(t, err)
	require.Equal(t, audit.VerifyResult{}, res)
}

// Several workers, each with its own Log (its own tail cache), plus two
// goroutines sharing one Log: every record lands once, in one chain.
func TestConcurrentAppendersFormOneChain(t *testing.T) {
	js := startJS(t)
	const workers, perWorker = 6, 40
	logs := make([]*audit.Log, workers)
	for w := range workers - 1 {
		logs[w] = openLog(t, js)
	}
	logs[workers-1] = logs[0] // shared by two goroutines

	errs := make(chan error, workers*perWorker)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				n := w*perWorker + i
				if _, err := logs[w].Append(testCtx(t), decision(n), fmt.Sprintf("audit.sub-%d.decide", n)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	res, err := audit.Verify(testCtx(t), js, testStream)
	require.NoError(t, err)
	require.Equal(t, uint64(workers*perWorker), res.Records)

	seen := map[string]bool{}
	s, err := js.Stream(testCtx(t), testStream)
	require.NoError(t, err)
	for seq := uint64(1); seq <= res.LastSeq; seq++ {
		m, err := s.GetMsg(testCtx(t), seq)
		require.NoError(t, err)
		id := m.Header.Get("Nats-Msg-Id")
		require.False(t, seen[id], "msg id %s stored twice", id)
		seen[id] = true
	}
	require.Len(t, seen, workers*perWorker)
}

func TestDuplicateMsgIDReturnsTheStoredRecord(t *testing.T) {
	js := startJS(t)
	l := openLog(t, js)
	first := appendN(t, l, 3)

	t.Run("same log", func(t *testing.T) {
		again := decision(2)
		again.Time = time.Now() // a redelivered decision is re-made later
		got, err := l.Append(testCtx(t), again, "audit.sub-2.decide")
		require.NoError(t, err)
		require.Equal(t, first[1].Hash, got.Hash)
		require.True(t, first[1].Time.Equal(got.Time))
	})
	t.Run("another worker with a stale tail", func(t *testing.T) {
		other := openLog(t, js)
		_, err := l.Append(testCtx(t), decision(4), "audit.sub-4.decide") // other's tail is now stale
		require.NoError(t, err)
		got, err := other.Append(testCtx(t), decision(1), "audit.sub-1.decide")
		require.NoError(t, err)
		require.Equal(t, first[0].Hash, got.Hash)
	})

	res, err := audit.Verify(testCtx(t), js, testStream)
	require.NoError(t, err)
	require.Equal(t, uint64(4), res.Records)

	next, err := l.Append(testCtx(t), decision(5), "audit.sub-5.decide")
	require.NoError(t, err)
	require.Equal(t, res.Head, next.Prev, "the chain continues from the real tail after duplicates")
}

func TestAppendRefusesInvalidRecords(t *testing.T) {
	js := startJS(t)
	l := openLog(t, js)
	noAction := decision(1)
	noAction.Action = ""
	badDigest := decision(1)
	badDigest.Digest = "ABC"
	cases := map[string]struct {
		r     audit.Record
		msgID string
		want  string
	}{
		"no msg id":  {decision(1), "", "msgID is required"},
		"no action":  {noAction, "m1", "action is required"},
		"bad digest": {badDigest, "m1", "digest: want 64 lower-case hex digits, got 3 characters"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := l.Append(testCtx(t), c.r, c.msgID)
			require.ErrorIs(t, err, audit.ErrInvalidRecord)
			require.ErrorContains(t, err, c.want)
		})
	}
}

// A redelivered decision overtaking a slow worker: two workers (two Logs,
// many goroutines each) append the same msg ids at the same time. With
// records that are a pure function of the decision (Time set by the
// caller), every msg id is stored once and the chain holds.
func TestSameMsgIDsFromTwoWorkersAtOnce(t *testing.T) {
	js := startJS(t)
	const n, goroutines = 300, 8
	workers := []*audit.Log{openLog(t, js), openLog(t, js)}

	errs := make(chan error, 2*n)
	var wg sync.WaitGroup
	for _, l := range workers {
		for g := range goroutines {
			wg.Go(func() {
				for i := g; i < n; i += goroutines {
					if _, err := l.Append(testCtx(t), decision(i), fmt.Sprintf("audit.sub-%d.decide", i)); err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	res, err := audit.Verify(testCtx(t), js, testStream)
	require.NoError(t, err)
	require.Equal(t, uint64(n), res.Records)
}

func TestCancelledAppendLeavesTheLogUsable(t *testing.T) {
	js := startJS(t)
	l := openLog(t, js)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := l.Append(ctx, decision(1), "audit.sub-1.decide")
	require.ErrorIs(t, err, context.Canceled)

	got := appendN(t, l, 3)
	res, err := audit.Verify(testCtx(t), js, testStream)
	require.NoError(t, err)
	require.Equal(t, got[2].Hash, res.Head)
	require.Equal(t, uint64(3), res.Records, "the cancelled record (same msg id as the first) is stored at most once")
}
