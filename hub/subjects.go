// Package hub is the Geneva hub runtime: an embedded NATS server with
// JetStream that carries submissions through the policy engine to exactly
// the members the MoU allows.
package hub

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
)

// SubmitSubject is where member m publishes submissions.
func SubmitSubject(m string) string { return "geneva.submit." + m }

// ShareSubject is where a part at tlp for scope ("all", "c.<community>",
// "m.<member>") is published.
func ShareSubject(tlp, scope string) string { return "geneva.share." + tlp + "." + scope }

// ReceiptSubject is where member m's receipts are published.
func ReceiptSubject(m string) string { return "geneva.receipt." + m }
