package hub

import (
	"strings"

	"github.com/genevahub/geneva/hub/wire"
)

// Leaf nodes at partner sites (docs/operating.md "Leaf nodes"): nats-server
// lets no account's $JS.API.> cross a leaf connection; a client behind a
// leaf node reaches JetStream only under its domain's prefix,
// $JS.<domain>.API.>. So with a domain, a member's account imports each
// JetStream API subject it may use a second time under that prefix (which
// also tells the leaf node there is interest in it), and its user may
// publish both.

// jsAPIPrefix is how every JetStream API subject begins.
const jsAPIPrefix = "$JS.API."

// inDomain is subject as a client in JetStream domain reaches it across a
// leaf node, or "" when subject is no JetStream API subject or there is no
// domain. Acks ($JS.ACK...) need no prefix.
func inDomain(subject, domain string) string {
	if domain == "" || !strings.HasPrefix(subject, jsAPIPrefix) {
		return ""
	}
	return "$JS." + domain + ".API." + strings.TrimPrefix(subject, jsAPIPrefix)
}

// checkDomain refuses a domain that cannot be a subject token.
func checkDomain(domain string) error { return wire.CheckJetStreamDomain(domain) }
