package wire

import (
	"strings"

	"github.com/nats-io/nats.go"
)

// SubmitOptions address a submission (headers on the intake message).
type SubmitOptions struct {
	To        []string // named recipients (needed for AMBER+STRICT and RED)
	Community string   // the community addressed, if any
	Anonymous bool     // receivers see the sender as "anonymous"
	MsgID     string   // Nats-Msg-Id: a retried submit with the same id is stored once
}

// SubmitMsg is the intake message for member m's submission of bundle;
// publish it with JetStream (the PubAck means the hub has it).
func SubmitMsg(m string, bundle []byte, o SubmitOptions) *nats.Msg {
	msg := nats.NewMsg(SubmitSubject(m))
	msg.Data = bundle
	if len(o.To) > 0 {
		msg.Header.Set(HeaderTo, strings.Join(o.To, ","))
	}
	if o.Community != "" {
		msg.Header.Set(HeaderCommunity, o.Community)
	}
	if o.Anonymous {
		msg.Header.Set(HeaderAnonymous, "true")
	}
	if o.MsgID != "" {
		msg.Header.Set(nats.MsgIdHdr, o.MsgID)
	}
	return msg
}

// SplitList reads a comma-separated header (HeaderTo, HeaderReasonCodes)
// back into its items, leaving out empty ones.
func SplitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
