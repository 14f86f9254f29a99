// Package taxii serves TAXII 2.1 from the hub: one API root per member,
// whose collections are views of what policy routed to that member (its
// inbox, one per community) and write-only collections whose POSTs are
// submissions by that member through the same intake as NATS. The hub
// wires it (hub/taxii.go) with a Backend; the package never reads the
// MoU or the policy itself. docs/taxii.md is the user's guide.
package taxii
