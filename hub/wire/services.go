package wire

import (
	"time"

	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/policy/tlp"
)

// The request and reply bodies (JSON) of the services a member calls:
// SubscribeService, ReceiptsService, RequestsService, SubmittedService and
// MoUService.

// SubscribeRequest asks for a real-time view of what policy routes to the
// requesting member, without consuming from its inbox (its connector reads
// that). Subscribe to the returned deliver subject first, then ask: the
// hub creates an ephemeral push consumer on GENEVA_SHARE whose filters are
// the member's own inbox filters (narrowed to TLP if given), delivering
// only to geneva.deliver.<member>.<session>, which no other member may
// subscribe to. Nobody gets API rights on that consumer, so its name is
// useless to anyone else.
type SubscribeRequest struct {
	Session  string      `json:"session"`             // [A-Za-z0-9_-]{1,64}; the deliver subject's last token
	TLP      []tlp.Level `json:"tlp,omitempty"`       // only these levels (written as "green"); empty means all
	Since    time.Time   `json:"since,omitzero"`      // start at this time; zero: only new shares
	StartSeq uint64      `json:"start_seq,omitempty"` // or start at this GENEVA_SHARE sequence
}

// SubscribeReply answers a SubscribeRequest.
type SubscribeReply struct {
	DeliverSubject string `json:"deliver_subject,omitempty"`
	Consumer       string `json:"consumer,omitempty"`
	StartSeq       uint64 `json:"start_seq,omitempty"` // the stream sequence the consumer starts at: resume there
	Pending        uint64 `json:"pending,omitempty"`   // messages it had to deliver when created
	Error          string `json:"error,omitempty"`
}

// RequestsQuery is a member's call to RequestsService.
type RequestsQuery struct {
	Action  string `json:"action"`               // list, show or close
	Request string `json:"request_id,omitempty"` // show, close
}

// RequestsReply answers a RequestsQuery: the states the member may see
// (it is the requester or the recipient), sorted by opening time.
type RequestsReply struct {
	Requests []requests.State `json:"requests"`
	Error    string           `json:"error,omitempty"`
}

// MoURequest asks MoUService for the MoU in force. Known is the version
// the asker holds: when it is still in force the reply carries no YAML.
type MoURequest struct {
	Known string `json:"known,omitempty"`
}

// MoUReply answers a MoURequest: the MoU in force as a member may see it
// (YAML that policy.ParseMoU reads: every other member's contact and
// quota withheld, see docs/connectors.md) and its version, a hash of
// that YAML, which changes whenever the hub applies a different MoU.
type MoUReply struct {
	Version       string `json:"version"`
	PolicyVersion string `json:"policy_version"` // partnership.version, as stamped on receipts
	YAML          string `json:"yaml,omitempty"` // empty when Known is Version
	Error         string `json:"error,omitempty"`
}

// SubmittedQuery asks SubmittedService whether the hub has the asker's
// submission with Nats-Msg-Id MsgID, first sent at most AgeSeconds ago.
// An age, not a time: the hub searches the receipts it stored since then
// by its own clock, whatever the sender's says.
type SubmittedQuery struct {
	MsgID      string `json:"msg_id"`
	AgeSeconds int64  `json:"age_seconds"`
}

// SubmittedReply answers a SubmittedQuery. Stored: the hub has it (in the
// intake, or decided: Submission names its receipt), so sending it again
// would store it twice once the dedup window is over. Not stored: it never
// reached the intake, or was refused before (a quota refusal); send it.
type SubmittedReply struct {
	Stored     bool   `json:"stored"`
	Submission string `json:"submission_id,omitempty"` // its receipt's, once decided
	Error      string `json:"error,omitempty"`
}
