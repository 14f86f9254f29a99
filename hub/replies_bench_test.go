package hub

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// BenchmarkReplyAllowedSubmission is the gate's check of one submission's
// reply subject, with a request-info header as the server writes it.
func BenchmarkReplyAllowedSubmission(b *testing.B) {
	now := time.Now()
	ci := server.ClientInfo{Start: &now, Host: "127.0.0.1", ID: 7, Account: MemberAccount("bank-one"), User: "UABC", Name: "geneva connector", Lang: "go", Version: "1.55.0", RTT: time.Millisecond, Server: "hub", Kind: "Client", ClientType: "nats"}
	hdr, _ := json.Marshal(ci)
	msg := &nats.Msg{Subject: gateSubject("bank-one"), Reply: "_R_.abc.def", Header: nats.Header{server.ClientInfoHdr: {string(hdr)}, nats.MsgIdHdr: {"x"}}}
	b.ReportAllocs()
	for b.Loop() {
		if m, ok := replyAllowed(msg); !ok || m != "bank-one" {
			b.Fatal(m, ok)
		}
	}
}
