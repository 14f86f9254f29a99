// Package webhook is the HTTP connector: a source that is an intake
// endpoint (a STIX bundle, or a simple incident report that becomes a STIX
// incident with indicators and sightings) and a sink that POSTs delivered
// shares to a SIEM/SOAR URL.
package webhook

import "github.com/genevahub/geneva/connectors"

func init() {
	connectors.MustRegister(connectors.Spec{Name: "webhook",
		Summary:   "HTTP intake of STIX bundles or incident reports; POST delivered shares to a URL.",
		NewSource: newSource, NewSink: newSink})
}
