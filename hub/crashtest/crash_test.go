package crashtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

var (
	demoMembers = []string{"le-alpha", "le-bravo", "bank-one", "isp-two", "cert-three"}
	senders     = []string{"bank-one", "le-alpha"}
)

const (
	killsWhileSubmitting = 3
	quiet                = 2 * time.Second // nothing more arrives: no duplicate is on its way
)

// TestNothingLostOrDuplicatedAcrossSIGKILL: submitter processes (one per
// sender) submit GENEVA_CRASH_N one-indicator GREEN bundles (default
// 10,000) while geneva-hub is killed with SIGKILL three times at random
// moments, once more while it works through the backlog and once while it
// starts up again, and restarted on the same data dir each time. Then, read with each member's own
// credentials: every PubAcked submission has exactly one receipt, its share
// arrived exactly once at each of the four other members and nothing else
// arrived; the audit chain verifies with one decision per submission.
// GENEVA_CRASH_SEED repeats the kill moments of an earlier run.
func TestNothingLostOrDuplicatedAcrossSIGKILL(t *testing.T) {
	n := envInt(t, "GENEVA_CRASH_N", 10000)
	seed := int64(envInt(t, "GENEVA_CRASH_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("GENEVA_CRASH_N=%d GENEVA_CRASH_SEED=%d", n, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	began := time.Now()

	tmp := t.TempDir()
	bins, err := crashtest.Build(tmp, "github.com/genevahub/geneva/cmd/geneva-hub",
		"github.com/genevahub/geneva/hub/crashtest/internal/submitter")
	require.NoError(t, err)
	h := startHubProcess(t, bins[0], tmp)
	dataDir := tmp + "/data"
	t.Logf("built and started in %v", time.Since(began).Round(time.Millisecond))

	var total atomic.Int64
	subs := map[string]*submitterProcess{}
	for i, s := range senders {
		share := n / len(senders)
		if i == 0 {
			share += n % len(senders)
		}
		subs[s] = startSubmitter(t, bins[1], h.url(), wire.CredsPath(dataDir, s), s, share, &total)
	}

	// Kill at random PubAck counts between 10% and 90% of N.
	points := make([]int64, killsWhileSubmitting)
	for i := range points {
		points[i] = int64(n/10 + rng.IntN(max(1, 8*n/10)))
	}
	slices.Sort(points)
	after := int64(0)
	for _, p := range points {
		// Each kill hits a hub that has made progress since its restart.
		p = max(p, after+int64(n/50))
		waitFor(t, func() bool { return total.Load() >= p }, subs)
		h.kill(t)
		t.Logf("SIGKILL after %d PubAcks (%v)", total.Load(), time.Since(began).Round(time.Millisecond))
		after = total.Load()
		h.start(t)
	}
	for _, s := range subs {
		require.NoError(t, <-s.done)
		require.Len(t, s.acked, s.n, "%s: PubAcks", s.member)
	}
	submitted := time.Since(began)
	// Once more while the hub works through the backlog.
	time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
	h.kill(t)
	t.Logf("SIGKILL after all %d PubAcks, during the backlog (%v)", total.Load(), time.Since(began).Round(time.Millisecond))
	// And once while it recovers and provisions.
	h.start(t)
	time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
	h.kill(t)
	t.Logf("SIGKILL while starting (%v)", time.Since(began).Round(time.Millisecond))
	h.start(t)
	h.waitReady(t)

	var problems []string
	bySubmission := map[string]string{} // submission id → msg id, from the receipts
	for _, s := range senders {
		problems = append(problems, checkReceipts(t, h.url(), dataDir, subs[s], bySubmission)...)
	}
	t.Logf("every receipt read (%v)", time.Since(began).Round(time.Millisecond))
	delivered := 0
	for _, r := range demoMembers {
		want := map[string]bool{} // msg ids r must get once
		for _, s := range senders {
			if s != r {
				for id := range subs[s].acked {
					want[id] = true
				}
			}
		}
		p, got := checkInbox(t, h.url(), dataDir, r, want, bySubmission)
		problems = append(problems, p...)
		delivered += got
	}
	problems = append(problems, checkAudit(t, h.url(), dataDir, bySubmission)...)
	if len(problems) > 0 {
		t.Fatalf("%d problem(s); the first ones:\n%s", len(problems), strings.Join(problems[:min(20, len(problems))], "\n"))
	}
	t.Logf("hub logs over %d starts: %s", h.starts, h.logSummary())
	dups := 0
	for _, s := range subs {
		dups += s.dups
	}
	t.Logf("%d submissions (%d PubAcks marked duplicate), %d SIGKILLs: %d receipts, %d shares each exactly once, audit verified; submitted in %v, all checked in %v",
		n, dups, h.starts-1, len(bySubmission), delivered, submitted.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// checkReceipts reads the sender's receipts with its own credentials: one
// per PubAcked msg id, accepted, naming the submission's own indicator.
func checkReceipts(t *testing.T, url, dataDir string, s *submitterProcess, bySubmission map[string]string) []string {
	js := connect(t, url, dataDir, s.member)
	var problems []string
	perMsgID := map[string][]string{}
	for _, m := range readAll(t, js, s.member, wire.StreamReceipt, wire.ReceiptConsumer(s.member), len(s.acked), quiet) {
		var r wire.Receipt
		if err := json.Unmarshal(m.Data(), &r); err != nil {
			problems = append(problems, fmt.Sprintf("%s: undecodable receipt: %v", s.member, err))
			continue
		}
		perMsgID[r.MsgID] = append(perMsgID[r.MsgID], r.Submission)
		bySubmission[r.Submission] = r.MsgID
		if _, ok := s.acked[r.MsgID]; !ok {
			problems = append(problems, fmt.Sprintf("%s: receipt for msg id %q that was never acknowledged", s.member, r.MsgID))
		}
		if r.Verdict != policy.Accept || len(r.Objects) != 2 || !slices.ContainsFunc(r.Objects, func(o wire.ObjectReceipt) bool {
			return o.ID == crashtest.IndicatorID(r.MsgID) && o.Shared
		}) {
			problems = append(problems, fmt.Sprintf("%s: receipt of %s: verdict %s, objects %+v", s.member, r.MsgID, r.Verdict, r.Objects))
		}
	}
	for id, seq := range s.acked {
		switch subs := perMsgID[id]; len(subs) {
		case 1:
		case 0:
			problems = append(problems, fmt.Sprintf("%s: no receipt for %s (PubAck seq %d)", s.member, id, seq))
		default:
			problems = append(problems, fmt.Sprintf("%s: %d receipts for %s (PubAck seq %d), submissions %v: the retry was stored again",
				s.member, len(subs), id, seq, subs))
		}
	}
	return problems
}

// checkInbox reads member's inbox with its own credentials: each wanted
// submission exactly once (by submission id and by STIX id), nothing else.
func checkInbox(t *testing.T, url, dataDir, member string, want map[string]bool, bySubmission map[string]string) ([]string, int) {
	js := connect(t, url, dataDir, member)
	var problems []string
	perSubmission, perIndicator := map[string]int{}, map[string]int{}
	msgs := readAll(t, js, member, wire.StreamShare, wire.InboxConsumer(member), len(want), quiet)
	for _, m := range msgs {
		sub := m.Headers().Get(wire.HeaderSubmission)
		perSubmission[sub]++
		ind := indicatorOf(m.Data())
		perIndicator[ind]++
		msgID, ok := bySubmission[sub]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: share of %s, a submission without a receipt", member, sub))
		case !want[msgID]:
			problems = append(problems, fmt.Sprintf("%s: share of %s (%s) that is not for it", member, sub, msgID))
		case ind != crashtest.IndicatorID(msgID):
			problems = append(problems, fmt.Sprintf("%s: share of %s (%s) holds %q", member, sub, msgID, ind))
		}
	}
	for sub, c := range perSubmission {
		if c != 1 {
			problems = append(problems, fmt.Sprintf("%s: submission %s (%s) arrived %d times", member, sub, bySubmission[sub], c))
		}
	}
	for id := range want {
		if c := perIndicator[crashtest.IndicatorID(id)]; c != 1 {
			problems = append(problems, fmt.Sprintf("%s: the indicator of %s arrived %d times", member, id, c))
		}
	}
	return problems, len(msgs)
}

func indicatorOf(bundle []byte) string {
	var b struct {
		Objects []struct{ Type, ID string }
	}
	_ = json.Unmarshal(bundle, &b)
	for _, o := range b.Objects {
		if o.Type == "indicator" {
			return o.ID
		}
	}
	return ""
}

// auditWait bounds how long the audit log may lag the receipts. A worker
// stores the receipt before the audit record, so a hub killed in between
// leaves the intake message unacked and its record comes when the
// redelivery is decided: up to the worker's AckWait (30s) after the restart,
// longer on a loaded machine.
const auditWait = 3 * time.Minute

// checkAudit waits until the audit log holds a record per submission (see
// auditWait), then verifies the chain with the operator's credentials and
// finds exactly one decision per submission, and no other.
func checkAudit(t *testing.T, url, dataDir string, bySubmission map[string]string) []string {
	js := connect(t, url, dataDir, wire.OperatorName)
	ctx, cancel := context.WithTimeout(context.Background(), auditWait+2*time.Minute)
	defer cancel()
	s, err := js.Stream(ctx, wire.StreamAudit)
	require.NoError(t, err)
	began := time.Now()
	for {
		info, err := s.Info(ctx)
		require.NoError(t, err)
		if info.State.Msgs >= uint64(len(bySubmission)) {
			break
		}
		if time.Since(began) > auditWait {
			t.Logf("audit: %d records for %d submissions after waiting %v", info.State.Msgs, len(bySubmission), auditWait)
			break
		}
		time.Sleep(100 * time.Millisecond) // polling the record count
	}
	t.Logf("audit log complete %v after the receipts", time.Since(began).Round(time.Millisecond))
	res, err := audit.Verify(ctx, js, wire.StreamAudit)
	if err != nil {
		return []string{fmt.Sprintf("audit: %v (after %d records)", err, res.Records)}
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	require.NoError(t, err)
	decisions := map[string]int{}
	for range res.Records {
		m, err := c.Next(jetstream.FetchMaxWait(10 * time.Second))
		require.NoError(t, err)
		var r audit.Record
		require.NoError(t, json.Unmarshal(m.Data(), &r))
		if r.Action == "decide" {
			decisions[r.Submission]++
		}
	}
	var problems []string
	if res.Records != uint64(len(bySubmission)) {
		problems = append(problems, fmt.Sprintf("audit: %d records for %d submissions", res.Records, len(bySubmission)))
	}
	for sub := range bySubmission {
		if decisions[sub] != 1 {
			problems = append(problems, fmt.Sprintf("audit: %d decisions for %s (%s)", decisions[sub], sub, bySubmission[sub]))
		}
	}
	return problems
}

// waitFor polls until cond holds, failing if a submitter ends first.
func waitFor(t *testing.T, cond func() bool, subs map[string]*submitterProcess) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		for _, s := range subs {
			select {
			case err := <-s.done:
				s.done <- err
				if err != nil {
					t.Fatalf("submitter %s failed: %v", s.member, err)
				}
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no progress for 3 minutes")
		}
		time.Sleep(5 * time.Millisecond) // polling the PubAck count
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "%s", name)
	return n
}
