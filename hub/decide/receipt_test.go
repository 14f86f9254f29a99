package decide

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/crashtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/jsonappend/jsonappendtest"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// TestReceiptAppendJSONMatchesMarshal checks the hand-written encoder
// against encoding/json on the receipts of every policy case (testdata/), each
// as sent, anonymous, and as a review outcome.
func TestReceiptAppendJSONMatchesMarshal(t *testing.T) {
	e, err := policy.NewEngine(policy.DemoMoU())
	require.NoError(t, err)
	rows, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "CASES.tsv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(rows)), "\n")[1:]
	require.NotEmpty(t, lines)
	received := time.Date(2026, 11, 22, 19, 0, 0, 123456789, time.UTC)
	for _, line := range lines {
		f := strings.Split(line, "\t")
		bundle, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", f[0]))
		require.NoError(t, err)
		for _, anonymous := range []bool{false, true} {
			d := e.Decide(policy.Request{Sender: f[1], Bundle: bundle, Anonymous: anonymous})
			sub := Submission{ID: "sub-" + f[0], Member: f[1], MsgID: "m<1>&", Received: received, Anonymous: anonymous}
			r := newReceipt(sub, &d)
			requireSameJSON(t, r)
			r.Review, r.Reviewer = "review", "op-1"
			requireSameJSON(t, r)
		}
	}
}

// FuzzReceiptAppendJSON feeds arbitrary strings, flags and times (escapes,
// invalid UTF-8, non-UTC zones, years json refuses) through both encoders.
func FuzzReceiptAppendJSON(f *testing.F) {
	f.Add("sub-1", "bank-one", "", "accept", "<&>\u2028\x00\xff", int64(0), 0, false, true, "")
	f.Add("s", "m", "id", "review", "é\"\\\t", int64(-70000000000), 3600, true, false, "x")
	f.Add("s", "m", "id", "reject", "", int64(300000000000), 0, true, true, "")
	f.Fuzz(func(t *testing.T, id, member, msgID, verdict, text string, secs int64, offset int, anonymous, classified bool, review string) {
		at := time.Unix(secs, int64(len(text))*7919).In(time.FixedZone("z", offset))
		// Every verdict (an unknown one is "invalid" both ways) and every level.
		v, level := policy.Verdict(len(verdict)%5), tlp.Level(len(text)%6)
		r := &wire.Receipt{Submission: id, Member: member, MsgID: msgID, Received: at, Verdict: v,
			PolicyVersion: text, Digest: id + text, Anonymous: anonymous, Classified: classified,
			Review: review, Reviewer: review + text, Refused: len(text) - 2,
			Reasons: []policy.Reason{{Code: policy.Code(text), Pointer: "/objects/0/" + text, Message: text}},
			Objects: []wire.ObjectReceipt{{ID: text, Type: member, Shared: anonymous, TLP: level, Audience: []string{text, id}}},
			Routes:  []wire.RouteReceipt{{TLP: level, Scope: "m." + text, Audience: []string{}, Objects: len(text)}}}
		if len(text)%2 == 1 { // nil slices encode as null
			r.Reasons, r.Objects[0].Audience, r.Routes = nil, nil, nil
		}
		requireSameJSON(t, r)
	})
}

// TestReceiptEveryRune: whatever text a receipt carries (messages quote
// the sender's values), every code point and invalid UTF-8 sequence, the
// receipt is valid JSON text, as json.Marshal writes it.
func TestReceiptEveryRune(t *testing.T) {
	for _, s := range jsonappendtest.EveryRune() {
		r := &wire.Receipt{Submission: "sub-1", Member: "bank-one", MsgID: s, Verdict: policy.Reject, Digest: s,
			Reasons: []policy.Reason{{Code: policy.CodeSTIXSyntax, Pointer: "/objects/0/" + s, Message: s}},
			Objects: []wire.ObjectReceipt{{ID: s, Type: s, Audience: []string{s}}}}
		requireSameJSON(t, r)
	}
}

func requireSameJSON(t *testing.T, r *wire.Receipt) {
	t.Helper()
	jsonappendtest.RequireMarshalEqual(t, r, r.AppendJSON)
}

// BenchmarkReceiptJSON compares json.Marshal and AppendJSON on the receipt
// of the hub benchmark's submission (go test -run '^$' -bench ReceiptJSON ./hub).
func BenchmarkReceiptJSON(b *testing.B) {
	e, err := policy.NewEngine(policy.DemoMoU())
	require.NoError(b, err)
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: crashtest.GreenBundle("bench")})
	require.Equal(b, policy.Accept, d.Verdict)
	r := newReceipt(Submission{ID: "sub-0123456789abcdef01234567", Member: "bank-one", MsgID: "bench-1",
		Received: time.Now().UTC()}, &d)
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.AppendJSON(make([]byte, 0, 1024)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
