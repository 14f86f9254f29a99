// Package wire is the member protocol of the Geneva hub: the subjects,
// streams and headers, the receipt, the request and reply bodies of the
// hub's services, and the creds file helpers. Members' clients
// (hub/member, connectors) and the hub's side readers (hub/archive,
// hub/report) import it instead of the server (package hub), so a client
// links neither nats-server nor kafka-go.
package wire

import "strings"

// Every subject, stream and header name, built in one place. The Kafka
// archive bridge (hub/archive) and the CLI depend on these; changing one is
// a wire-format change.
const (
	// Streams.
	StreamSubmit  = "GENEVA_SUBMIT"  // intake (per-member intake streams may use StreamSubmit + "_" + MEMBER)
	StreamShare   = "GENEVA_SHARE"   // accepted parts, one message per (submission, audience)
	StreamReceipt = "GENEVA_RECEIPT" // one receipt per submission
	StreamAudit   = "GENEVA_AUDIT"   // hash-chained decision records
	StreamReview  = "GENEVA_REVIEW"  // submissions held for a human

	// Subjects.
	SubjectAudit = "geneva.audit"

	// Headers on GENEVA_SHARE messages (the body is a STIX 2.1 bundle).
	HeaderSubmission = "Geneva-Submission" // submission id
	HeaderSender     = "Geneva-Sender"     // member id, or "anonymous"
	HeaderTLP        = "Geneva-TLP"        // clear, green, amber, amber+strict, red
	HeaderAudience   = "Geneva-Audience"   // comma-separated member ids
	HeaderReceived   = "Geneva-Received"   // RFC 3339 UTC time the hub received the submission
	HeaderArchive    = "Geneva-Archive"    // "true" when policy allows archiving (never for RED)
	// HeaderArchiveObjects lists, comma-separated, the positions in the
	// part's "objects" that this message archives; absent means all of
	// them. An object travelling in several messages (an audience split per
	// member) is archived by exactly one.
	HeaderArchiveObjects = "Geneva-Archive-Objects"
)

// SubmitSubject is where member m publishes submissions.
func SubmitSubject(m string) string { return "geneva.submit." + m }

// ShareSubject is where a part at tlp for scope is published: "m.<member>",
// or "all" and "c.<community>" followed by the generation of their member
// set (see scopes.go).
func ShareSubject(tlp, scope string) string { return "geneva.share." + tlp + "." + scope }

// ScopeOf is the scope of a share subject, geneva.share.<tlp>.<scope...>.<sender>:
// "all", "c.<community>" or "m.<member>", without the generation; "" for
// another subject.
func ScopeOf(subject string) string {
	tokens := strings.Split(subject, ".")
	if len(tokens) < 5 || tokens[0] != "geneva" || tokens[1] != "share" {
		return ""
	}
	scope := tokens[3 : len(tokens)-1]
	if (scope[0] == "all" && len(scope) == 2) || (scope[0] == "c" && len(scope) == 3) {
		scope = scope[:len(scope)-1]
	}
	return strings.Join(scope, ".")
}

// MemberOf is the member a per-member subject names: its last token, as
// in SubmitSubject, SubscribeService, ReceiptsService, RequestsService and MoUService
// (member ids are one token).
func MemberOf(subject string) string { return subject[strings.LastIndexByte(subject, '.')+1:] }

// ReceiptSubject is where member m's receipts are published.
func ReceiptSubject(m string) string { return "geneva.receipt." + m }

// Additions for the runtime (issue 4). Member ids are [a-z0-9-]{2,32}, so
// every name built from one is a single subject token and distinct members
// never share a name.
const (
	// AnonymousSender is the sender token and Geneva-Sender header of a part
	// whose sender asked to stay anonymous.
	AnonymousSender = "anonymous"

	// SubjectShareAll matches every share; SubjectReceiptAll every receipt.
	SubjectShareAll   = "geneva.share.>"
	SubjectReceiptAll = "geneva.receipt.>"
	SubjectReviewAll  = "geneva.review.>"

	// SubjectDirectory is the directory service (hub/directory).
	SubjectDirectory = "geneva.svc.directory"

	// ConsumerWorker is the policy workers' shared durable consumer on each
	// intake stream.
	ConsumerWorker = "policy"

	// Headers on GENEVA_RECEIPT and GENEVA_REVIEW messages.
	HeaderMember  = "Geneva-Member"  // the real sender (never on GENEVA_SHARE)
	HeaderVerdict = "Geneva-Verdict" // accept, partial, reject, review
	// HeaderSenderMsgID keeps the sender's Nats-Msg-Id on a held submission.
	HeaderSenderMsgID = "Geneva-Sender-Msg-Id"
	// HeaderReasonCodes lists, on a held submission, the reason codes of
	// the decision that held it (comma-separated).
	HeaderReasonCodes = "Geneva-Reason-Codes"
	// HeaderDecidedBy names the process (the hub or a worker node; a random
	// id per start) whose worker stored the receipt.
	HeaderDecidedBy = "Geneva-Decided-By"
	// HeaderNotStored ("true") marks the receipt of a submission refused
	// before it was stored (the gate's quota refusal): its sender may send
	// it again, and SubmittedService does not count it as the hub's.
	HeaderNotStored = "Geneva-Not-Stored"

	// SubjectReviewService is the operator's review service (never a member's).
	SubjectReviewService = "geneva.svc.review"

	// Headers a member may set on a submission.
	HeaderTo        = "Geneva-To"        // comma-separated named recipients
	HeaderCommunity = "Geneva-Community" // the community addressed
	HeaderAnonymous = "Geneva-Anonymous" // "true": show the sender as anonymous
)

// IntakeStream is member m's own intake stream. Each member has its own
// because Nats-Msg-Id dedup is stream-wide: on a shared stream, one member
// could pre-publish another's next id and suppress its submission.
func IntakeStream(m string) string { return StreamSubmit + "_" + strings.ToUpper(m) }

// ShareSubjectFrom is the subject a part is published on: ShareSubject with
// the sender token last ("anonymous" for anonymous parts), so each member's
// inbox filter can leave out its own submissions.
func ShareSubjectFrom(tlp, scope, sender string) string {
	return ShareSubject(tlp, scope) + "." + sender
}

// InboxConsumer is the hub-created durable pull consumer on GENEVA_SHARE
// holding what policy routed to member m.
func InboxConsumer(m string) string { return "inbox_" + m }

// ReceiptConsumer is the hub-created durable pull consumer on GENEVA_RECEIPT
// holding member m's receipts.
func ReceiptConsumer(m string) string { return "receipt_" + m }

// InboxPrefix is member m's private inbox prefix (nats.CustomInboxPrefix):
// the only reply subjects m may subscribe to.
func InboxPrefix(m string) string { return "_INBOX_" + m }

// ReviewSubject is where submissions of member m wait for a human.
func ReviewSubject(m string) string { return "geneva.review." + m }

// SubscribeService is where member m asks for a real-time subscription.
func SubscribeService(m string) string { return "geneva.svc.subscribe." + m }

// ReceiptsService is where member m asks for a read-only view of its
// receipts (delivered like a real-time subscription).
func ReceiptsService(m string) string { return "geneva.svc.receipts." + m }

// DeliverPrefix is the subject prefix of member m's real-time subscriptions
// (geneva.deliver.<m>.<session>); only m may subscribe to it.
func DeliverPrefix(m string) string { return "geneva.deliver." + m }

// DeliverSubject is where session of member m receives its subscription.
func DeliverSubject(m, session string) string { return DeliverPrefix(m) + "." + session }

// Law-enforcement requests (hub/requests, requesttrack.go).
const (
	// BucketRequests holds the state of every request per recipient
	// (key "<request id>.<recipient>", JSON requests.State).
	BucketRequests = "GENEVA_REQUESTS"
	// ConsumerRequests is the hub's durable consumer on GENEVA_SHARE that
	// follows requests and responses (parts to named members at
	// AMBER+STRICT or RED).
	ConsumerRequests = "requests"
	// HeaderEscalation marks a part the hub re-sent or wrote because a
	// request was not acknowledged in time; it names the recipient's 24/7
	// desk.
	HeaderEscalation = "Geneva-Escalation"
	// HubSender is the sender token and Geneva-Sender header of what the
	// hub itself writes to a member (never a member id: ids have no "_").
	HubSender = "_hub"
)

// RequestsService is where member m lists, shows and closes its requests.
func RequestsService(m string) string { return "geneva.svc.requests." + m }

// SubmittedService is where member m asks whether the hub has one of its
// submissions, by Nats-Msg-Id (SubmittedQuery): a sender whose PubAck was
// lost asks before sending again, as the intake's dedup window may be over.
func SubmittedService(m string) string { return "geneva.svc.submitted." + m }

// MoUService is where member m asks for the MoU in force, as its
// connector's pre-flight needs it (MoUReply).
func MoUService(m string) string { return "geneva.svc.mou." + m }

// MemberAdminService is where member m's admin user (JWT accounts only)
// revokes one of the member's users (MemberAdminRequest): no other user,
// of m or of anyone else, may publish there.
func MemberAdminService(m string) string { return "geneva.svc.memberadmin." + m }

// MemberAdminRequest asks the hub to revoke the NATS user RevokeUser (a
// public key, U...) of the asking admin's member, for good.
type MemberAdminRequest struct {
	RevokeUser string `json:"revoke_user"`
}

// MemberAdminReply answers a MemberAdminRequest: the key revoked, once
// every NATS server the hub knows of has the member's new account JWT
// (ServersConfirmed of Servers), or an error.
type MemberAdminReply struct {
	Revoked          string `json:"revoked,omitempty"`
	ServersConfirmed int    `json:"servers_confirmed,omitempty"`
	Servers          int    `json:"servers,omitempty"`
	Error            string `json:"error,omitempty"`
}
