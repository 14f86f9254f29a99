package version

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFormat(t *testing.T) {
	tail := " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/genevahub/geneva", Version: "v0.0.0-20261207110000-1a2b3c4d5e6f+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"},
			{Key: "vcs.time", Value: "2026-12-07T11:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}
	require.Equal(t, "geneva v0.0.0-20261207110000-1a2b3c4d5e6f+dirty (commit 1a2b3c4d5e6f, 2026-12-07T11:00:00Z, modified)"+tail, format("geneva", bi, true))

	bi.Settings = bi.Settings[:3]
	require.Equal(t, "geneva-hub v0.0.0-20261207110000-1a2b3c4d5e6f+dirty (commit 1a2b3c4d5e6f, 2026-12-07T11:00:00Z)"+tail, format("geneva-hub", bi, true))

	require.Equal(t, "geneva-connector (devel) (no VCS revision recorded)"+tail,
		format("geneva-connector", &debug.BuildInfo{}, true), "go test binaries and -buildvcs=false builds say so")
	require.Equal(t, "geneva unknown"+tail, format("geneva", nil, false))
	require.True(t, strings.HasPrefix(String("geneva"), "geneva "))
}

func TestRequested(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		require.True(t, Requested(args), args)
	}
	for _, args := range [][]string{nil, {}, {"--version", "--dev"}, {"run", "version"}, {"--versions"}} {
		require.False(t, Requested(args), args)
	}
}
