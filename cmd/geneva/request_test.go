package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/requests"
)

// TestRequestCommands: one preservation request through the CLI, each
// member with its own credentials: le-alpha sends, isp-two lists, acks,
// asks for time, le-alpha extends, isp-two fulfils, le-alpha closes; an
// industry member's preservation request is refused with its reason.
func TestRequestCommands(t *testing.T) {
	_, as := testHub(t)
	cli := func(member string, args ...string) (string, string, int) {
		return runCLI(t, append(append([]string{"request"}, args...), as(member)...)...)
	}
	send := func(member string, extra ...string) (string, string, int) {
		return cli(member, append([]string{"send", "--kind", "preservation", "--to", "isp-two", "--observable", "ipv4-addr:198.51.100.7",
			"--summary", "Preserve connection logs", "--legal-basis", "Budapest Convention Art. 29", "--reference", "NCU-2026-0412",
			"--unit", "Alpha National Cybercrime Unit", "--jurisdiction", "NO", "--deadline", "48h", "--window-start", "-72h", "--window-end", "0s",
			"--offence", "Ransomware", "--facts", "A hospital was encrypted", "--data", "NAT and connection logs",
			"--relation", "The attackers' address", "--custodian", "ISP Two, AS64500", "--necessity", "Logs rotate in 14 days",
			"--mutual-assistance", "--preservation-days", "90"}, extra...)...)
	}
	out, errOut, code := send("le-alpha", "--output", "json")
	require.Equal(t, exitOK, code, "%s%s", out, errOut)
	var sent struct {
		Sent string `json:"sent"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &sent))
	id := strings.Fields(sent.Sent)[2]
	require.True(t, strings.HasPrefix(id, "geneva-request--"), sent.Sent)

	phase := func(member string) requests.State {
		var got requests.State
		hubtest.Eventually(t, 10*time.Second, func() error {
			out, errOut, code := cli(member, "show", id, "--output", "json")
			if code != exitOK {
				return fmt.Errorf("show: %s", errOut)
			}
			var states []requests.State
			if err := json.Unmarshal([]byte(out), &states); err != nil || len(states) != 1 {
				return fmt.Errorf("show: %q", out)
			}
			got = states[0]
			return nil
		})
		return got
	}
	waitFor := func(member string, want requests.Phase, status string) {
		hubtest.Eventually(t, 10*time.Second, func() error {
			if s := phase(member); s.Phase != want || s.Status != status {
				return fmt.Errorf("%s %s, want %s %s", s.Phase, s.Status, want, status)
			}
			return nil
		})
	}
	waitFor("isp-two", requests.Open, "")
	out, _, code = cli("isp-two", "list", "--output", "table")
	require.Equal(t, exitOK, code)
	require.Regexp(t, `(?m)^REQUEST\s+KIND\s+FROM\s+TO\s+STATE`, out)
	require.Regexp(t, `(?m)^`+id+`\s+preservation\s+le-alpha\s+isp-two\s+open`, out)
	out, errOut, code = runCLI(t, append([]string{"subscribe", "--all", "--count", "2", "--output", "pretty"}, as("isp-two")...)...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "preservation request: Preserve connection logs (deadline ", "subscribe shows what a request asks")
	require.Contains(t, out, "state: le-alpha → isp-two OPEN", "and its state")
	out, _, _ = cli("bank-one", "list")
	require.Equal(t, "no requests\n", out, "a third member sees nothing")

	for _, step := range []struct {
		member string
		args   []string
		phase  requests.Phase
		status string
	}{
		{"isp-two", []string{"ack", id}, requests.Acknowledged, requests.StatusAcknowledged},
		{"isp-two", []string{"respond", id, "--status", "extension-requested", "--deadline", "96h"}, requests.Acknowledged, requests.StatusExtensionRequested},
		{"le-alpha", []string{"extend", id, "--deadline", "96h", "--preservation-days", "120"}, requests.Acknowledged, requests.StatusExtensionRequested},
		{"isp-two", []string{"respond", id, "--status", "fulfilled"}, requests.Answered, requests.StatusFulfilled},
	} {
		out, errOut, code := cli(step.member, step.args...)
		require.Equal(t, exitOK, code, "%v: %s%s", step.args, out, errOut)
		require.Contains(t, out, "verdict:    ACCEPT")
		waitFor("le-alpha", step.phase, step.status)
	}
	require.Equal(t, 120, phase("le-alpha").PreservationDays)

	out, errOut, code = cli("le-alpha", "show", id)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "preservation request from le-alpha (Alpha National Cybercrime Unit, NO)")
	require.Contains(t, out, "ANSWERED, fulfilled, preserved until")
	_, _, code = cli("isp-two", "close", id)
	require.Equal(t, exitFailure, code, "only the requester closes")
	out, errOut, code = cli("le-alpha", "close", id)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "CLOSED")

	out, _, code = send("bank-one")
	require.Equal(t, exitRejected, code, out)
	require.Contains(t, out, "request.sender_not_allowed")
}
