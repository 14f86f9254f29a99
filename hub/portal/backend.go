package portal

import (
	"context"
	"time"

	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/policy"
)

// Backend is the hub as the portal sees it (the hub's own connection). The
// portal never chooses a member's view itself: Feed and Receipts are the
// member's inbox and receipts as the hub defines them.
type Backend interface {
	// MoU is the MoU in force; Decide decides as the hub's workers do.
	MoU() *policy.MoU
	Decide(policy.Request) policy.Decision
	// Submit publishes bundle to member's intake, as its NATS client
	// would, and returns the receipt (JSON, as on geneva.receipt.<member>),
	// or nil if none came within wait.
	Submit(ctx context.Context, member string, bundle []byte, to Audience, wait time.Duration) (receipt []byte, err error)
	// Feed calls deliver with what policy routed to member, from the
	// share after afterSeq (0: from since, clamped to what was ever
	// routed to member), until ctx is done.
	Feed(ctx context.Context, member string, since time.Time, afterSeq uint64, deliver func(Share)) error
	// History is what Feed would deliver from since, up to now.
	History(ctx context.Context, member string, since time.Time) ([]Share, error)
	// Receipts are member's last receipts, oldest first (JSON each).
	Receipts(ctx context.Context, member string, last int) ([][]byte, error)
	// Directory lists the active members and their 24/7 contacts.
	Directory() []directory.Member
	// Review works the operator's review queue as `geneva admin review`
	// does: action list, show, approve or reject; actor is named in the
	// audit and the sender's receipt.
	Review(ctx context.Context, action, submission, actor, note string) (ReviewResult, error)
	// Requests asks the request tracker as member (list, show or close):
	// the requests member sent or received, with their state.
	Requests(ctx context.Context, member, action, request string) ([]requests.State, error)
}

// Held is a submission waiting in the review queue.
type Held struct {
	Submission string
	Member     string
	Received   time.Time
	To         []string
	Community  string
	Anonymous  bool
	Bytes      int
	Reasons    []string // the policy's reason codes for holding it
}

// ReviewResult answers Backend.Review: Held for list and show, Bundle for
// show, Receipt (JSON) for approve and reject.
type ReviewResult struct {
	Held    []Held
	Bundle  []byte
	Receipt []byte
}

// Audience addresses a submission (the intake's Geneva-To,
// Geneva-Community and Geneva-Anonymous headers).
type Audience struct {
	To        []string
	Community string
	Anonymous bool
}

// Share is one message of the member's inbox: a STIX bundle and the
// hub's headers about it.
type Share struct {
	Seq      uint64
	Sender   string // member id or "anonymous"
	TLP      string
	Scope    string // "all", "c.<community>" or "m.<member>"
	Received time.Time
	Bundle   []byte
}

// Receipt is what the portal shows of a hub receipt (wire.Receipt).
type Receipt struct {
	Submission    string          `json:"submission_id"`
	MsgID         string          `json:"msg_id"`
	Received      time.Time       `json:"received"`
	Verdict       string          `json:"verdict"`
	PolicyVersion string          `json:"policy_version"`
	Digest        string          `json:"digest"`
	Anonymous     bool            `json:"anonymous"`
	Classified    bool            `json:"classified"`
	Review        string          `json:"review"`
	Reasons       []policy.Reason `json:"reasons"`
	Objects       []struct {
		ID       string          `json:"id"`
		Type     string          `json:"type"`
		Shared   bool            `json:"shared"`
		TLP      string          `json:"tlp"`
		Audience []string        `json:"audience"`
		Reasons  []policy.Reason `json:"reasons"`
	} `json:"objects"`
	Routes []struct {
		TLP      string   `json:"tlp"`
		Scope    string   `json:"scope"`
		Audience []string `json:"audience"`
		Objects  int      `json:"objects"`
	} `json:"routes"`
}
