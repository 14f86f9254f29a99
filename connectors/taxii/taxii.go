// Package taxii is the TAXII 2.1 connector: a source that polls a
// collection (paging with `next`, remembering added_after across restarts)
// and a sink that adds objects to a collection and follows the status
// resource.
package taxii

import "github.com/genevahub/geneva/connectors"

func init() {
	connectors.MustRegister(connectors.Spec{Name: "taxii",
		Summary:   "Poll a TAXII 2.1 collection; add delivered objects to one.",
		NewSource: newSource, NewSink: newSink})
}

const mediaTAXII = "application/taxii+json;version=2.1"
