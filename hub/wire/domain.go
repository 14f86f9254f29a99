package wire

import "fmt"

// CheckJetStreamDomain refuses a JetStream domain (a cluster's jetstream
// {domain: NAME}, docs/operating.md "Leaf nodes") that cannot be a subject
// token: it becomes part of $JS.<domain>.API. "" (no domain) passes.
func CheckJetStreamDomain(domain string) error {
	for _, c := range domain {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("jetstream domain %q: only letters, digits, - and _ (it becomes a subject token, $JS.<domain>.API)", domain)
		}
	}
	return nil
}
