// Package startgc turns the garbage collector off while geneva's packages
// initialise when the command is `geneva validate`, a short process whose
// start is part of what its user waits for. Initialisation allocates a few
// megabytes (the JSON-schema library compiles its meta-schemas, kafka-go
// builds its protocol tables), enough to start a collection that finds
// little garbage and, on a busy machine, slows the allocating code with
// assists. The validate command sets the collector's policy for its run
// (relaxGC); a GOGC in the environment always wins.
//
// cmd/geneva imports it for that side effect. It depends on nothing but os
// and runtime/debug, so it initialises before the heavy packages (Go
// initialises a package as soon as its imports are, in import path order).
package startgc

import (
	"os"
	"runtime/debug"
)

func init() {
	if len(os.Args) > 1 && os.Args[1] == "validate" && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
	}
}
