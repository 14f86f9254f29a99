package hub

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy"
)

func TestDiffMembersNamesWhoChanged(t *testing.T) {
	old := policy.DemoMoU()
	next := policy.DemoMoU()
	next.Members = nil
	for _, m := range old.Members {
		switch m.ID {
		case "isp-two": // removed
			continue
		case "le-bravo":
			m.Suspended = true
		}
		next.Members = append(next.Members, m)
	}
	extra := next.Members[0]
	extra.ID = "acad-four"
	next.Members = append(next.Members, extra)
	c := diffMembers(old, next)
	require.Equal(t, memberChanges{added: []string{"acad-four"}, removed: []string{"isp-two"}, suspended: []string{"le-bravo"}}, c)

	var log bytes.Buffer
	slog.New(slog.NewTextHandler(&log, nil)).Info("mou applied", c.attrs()...)
	require.Contains(t, log.String(), "added=[acad-four] removed=[isp-two] suspended=[le-bravo]\n")

	require.Equal(t, memberChanges{resumed: []string{"le-bravo"}}, diffMembers(next, withoutSuspensions(next)))
	require.Empty(t, diffMembers(old, old).attrs(), "an unchanged member set adds nothing to the line")
}

func withoutSuspensions(m *policy.MoU) *policy.MoU {
	cp := *m
	cp.Members = append([]policy.Member(nil), m.Members...)
	for i := range cp.Members {
		cp.Members[i].Suspended = false
	}
	return &cp
}
