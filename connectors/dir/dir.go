// Package dir is the drop-folder connector: a source that picks up STIX
// files (moving each to done/ or failed/ with its receipt beside it) and a
// sink that writes delivered bundles into a folder.
package dir

import "github.com/genevahub/geneva/connectors"

func init() {
	connectors.MustRegister(connectors.Spec{Name: "dir",
		Summary:   "Drop folder: pick up STIX files (done/, failed/ with receipts); write delivered bundles.",
		NewSource: newSource, NewSink: newSink})
}
