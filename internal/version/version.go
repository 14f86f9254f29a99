// Package version says which build a Geneva binary is: the module version
// and the VCS revision it was built from, as the Go toolchain records them
// in the binary (runtime/debug build info). One line, for --version.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// String is the version line of program, e.g.
// "geneva v0.3.0 (commit 1a2b3c4d5e6f, 2026-12-07T11:00:00Z) go1.26.8 linux/amd64".
func String(program string) string {
	bi, ok := debug.ReadBuildInfo()
	return format(program, bi, ok)
}

// Requested reports whether args ask only for the version: "--version",
// "-version" or "version", alone.
func Requested(args []string) bool {
	return len(args) == 1 && (args[0] == "--version" || args[0] == "-version" || args[0] == "version")
}

func format(program string, bi *debug.BuildInfo, ok bool) string {
	mod, vcs := "unknown", ""
	if ok && bi != nil {
		mod = bi.Main.Version
		if mod == "" {
			mod = "(devel)"
		}
		vcs = revision(bi.Settings)
	}
	return fmt.Sprintf("%s %s%s %s %s/%s", program, mod, vcs, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// revision is " (commit REV, TIME[, modified])" from the build's vcs.*
// settings, or "" when the binary was built without VCS information (go
// test, -buildvcs=false, a copy without .git).
func revision(settings []debug.BuildSetting) string {
	var rev, at string
	modified := false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return " (no VCS revision recorded)"
	}
	parts := []string{"commit " + rev[:min(12, len(rev))]}
	if at != "" {
		parts = append(parts, at)
	}
	if modified {
		parts = append(parts, "modified")
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
