package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
)

const (
	testStream  = "GENEVA_AUDIT"
	testSubject = "geneva.audit"
)

// startJS starts an embedded JetStream server and returns a client on it.
func startJS(t *testing.T) jetstream.JetStream {
	t.Helper()
	return connect(t, hubtest.StartNATS(t).ClientURL())
}

func connect(t *testing.T, url string, opts ...jetstream.JetStreamOpt) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc, opts...)
	require.NoError(t, err)
	return js
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func openLog(t *testing.T, js jetstream.JetStream) *audit.Log {
	t.Helper()
	l, err := audit.Open(testCtx(t), js, testStream, testSubject)
	require.NoError(t, err)
	return l
}

// decision builds the record a worker would append for submission n.
func decision(n int) audit.Record {
	sum := sha256.Sum256(fmt.Appendf(nil, "bundle %d", n))
	return audit.Record{
		Time:          time.Date(2026, 11, 22, 17, 0, 0, n, time.UTC),
		Member:        "bank-one",
		Submission:    fmt.Sprintf("sub-%d", n),
		Digest:        hex.EncodeToString(sum[:]),
		Verdict:       "accept",
		Reasons:       []string{"tlp.green"},
		Routes:        []audit.Route{{TLP: "green", Scope: "all", Audience: []string{"cert-three", "isp-two"}}},
		PolicyVersion: "demo-1",
		Action:        "decide",
		Actor:         "policy",
	}
}

// appendN appends decisions 1..n and returns what Append returned.
func appendN(t *testing.T, l *audit.Log, n int) []audit.Record {
	t.Helper()
	out := make([]audit.Record, 0, n)
	for i := 1; i <= n; i++ {
		r, err := l.Append(testCtx(t), decision(i), fmt.Sprintf("audit.sub-%d.decide", i))
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}
