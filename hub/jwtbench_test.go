package hub_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/policy"
)

// BenchmarkMemberChange applies a member change to a running embedded hub
// (suspend bank-one, then resume it: two MoU applications per op), with
// configured accounts (a server reload) and with JWT accounts (account
// JWTs pushed over the system account). docs/operating.md "JWT accounts (operator mode)".
func BenchmarkMemberChange(b *testing.B) {
	eachAccountLayout(b, func(b *testing.B, h *hubtest.Hub) {
		set := func(suspended bool) {
			mou := *h.MoU()
			mou.Members = append([]policy.Member(nil), mou.Members...)
			for i := range mou.Members {
				if mou.Members[i].ID == "bank-one" {
					mou.Members[i].Suspended = suspended
				}
			}
			if err := h.ApplyMoU(context.Background(), &mou); err != nil {
				b.Fatal(err)
			}
		}
		pushes := countPushes(b, h)
		for range b.N {
			set(true)
			set(false)
		}
		b.ReportMetric(float64(pushes())/float64(b.N), "pushes/op")
	})
}

// countPushes counts the account JWTs pushed to h's server from now on
// (none with configured accounts).
func countPushes(b *testing.B, h *hubtest.Hub) func() int {
	if _, err := os.Stat(hub.JWTCredsPath(h.Dir, hub.SystemUser)); err != nil {
		return func() int { return 0 } // configured accounts
	}
	sys, err := nats.Connect(h.ClientURL(), nats.UserCredentials(hub.JWTCredsPath(h.Dir, hub.SystemUser)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sys.Close)
	var n atomic.Int64
	if _, err := sys.Subscribe("$SYS.REQ.CLAIMS.UPDATE", func(*nats.Msg) { n.Add(1) }); err != nil {
		b.Fatal(err)
	}
	if err := sys.Flush(); err != nil {
		b.Fatal(err)
	}
	return func() int {
		if err := sys.Flush(); err != nil {
			b.Fatal(err)
		}
		return int(n.Load())
	}
}

// BenchmarkMemberConnect is one member connection (the TCP handshake and
// the server checking the NKey signature, plus the user JWT's chain with
// JWT accounts) and its close.
func BenchmarkMemberConnect(b *testing.B) {
	eachAccountLayout(b, func(b *testing.B, h *hubtest.Hub) {
		for range b.N {
			m, err := h.Connect("bank-one")
			if err != nil {
				b.Fatal(err)
			}
			m.NC.Close()
		}
	})
}

// eachAccountLayout runs bench on an embedded hub with configured
// accounts and on one with JWT accounts, the timer started after the
// hub is up.
func eachAccountLayout(b *testing.B, bench func(*testing.B, *hubtest.Hub)) {
	for _, jwt := range []bool{false, true} {
		name := map[bool]string{false: "configured", true: "jwt"}[jwt]
		b.Run(name, func(b *testing.B) {
			h := hubtest.StartHub(b, hubtest.WithConfig(func(c *hub.Config) { c.HTTPListen = "off"; c.JWTAccounts = jwt }))
			b.ResetTimer()
			bench(b, h)
		})
	}
}
