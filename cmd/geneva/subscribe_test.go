package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/member"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCLI runs the command line in the background until ctx ends; wait
// returns its exit status.
func startCLI(ctx context.Context, args ...string) (stdout, stderr *syncBuffer, wait func() int) {
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		err := run(ctx, args, strings.NewReader(""), stdout, stderr)
		done <- exitCode(err)
	}()
	return stdout, stderr, func() int { return <-done }
}

type subscribedLine struct {
	Seq        uint64          `json:"seq"`
	Submission string          `json:"submission"`
	Sender     string          `json:"sender"`
	TLP        string          `json:"tlp"`
	Scope      string          `json:"scope"`
	Received   time.Time       `json:"received"`
	Object     json.RawMessage `json:"object"`
}

func decodeLines(t *testing.T, out string) []subscribedLine {
	t.Helper()
	var lines []subscribedLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l subscribedLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "line %q", sc.Text())
		lines = append(lines, l)
	}
	return lines
}

func objectName(t *testing.T, l subscribedLine) string {
	var o struct{ Name string }
	require.NoError(t, json.Unmarshal(l.Object, &o))
	return o.Name
}

// waitLive waits (20 s at most) for subscribe's start line on stderr: from
// then on the subscription is live.
func waitLive(t *testing.T, errOut *syncBuffer) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(errOut.String(), "subscribed to ") },
		20*time.Second, 10*time.Millisecond, "subscribe did not start")
}

func TestSubscribe(t *testing.T) {
	_, as := testHub(t)
	submit := func(member, level, name string, extra ...string) {
		t.Helper()
		_, errOut, code := runCLI(t, append(append([]string{"submit", bundleFile(t, level, name)}, extra...), as(member)...)...)
		require.Equal(t, exitOK, code, errOut)
	}
	submit("bank-one", "green", "before")

	t.Run("json lines when piped, with the envelope; --count stops", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		out, errOut, wait := startCLI(ctx, append([]string{"subscribe", "--count", "2"}, as("le-alpha")...)...)
		waitLive(t, errOut) // --new starts from now
		submit("bank-one", "green", "first")
		submit("cert-three", "amber", "second")
		require.Equal(t, exitOK, wait(), errOut.String())
		lines := decodeLines(t, out.String())
		require.Len(t, lines, 2, "marking definitions are left out, --count 2 stops")
		require.Equal(t, "first", objectName(t, lines[0]))
		require.Equal(t, "bank-one", lines[0].Sender)
		require.Equal(t, "green", lines[0].TLP)
		require.Equal(t, "all", lines[0].Scope)
		require.NotEmpty(t, lines[0].Submission)
		require.WithinDuration(t, time.Now(), lines[0].Received, time.Minute)
		require.Equal(t, "second", objectName(t, lines[1]))
		require.Equal(t, "amber", lines[1].TLP)
		require.Less(t, lines[0].Seq, lines[1].Seq)
	})
	t.Run("start and filters", func(t *testing.T) {
		cases := map[string]struct {
			args []string
			want []string
		}{
			"all":                     {[]string{"--all", "--count", "3"}, []string{"before", "first", "second"}},
			"since":                   {[]string{"--since", "1h", "--count", "3"}, []string{"before", "first", "second"}},
			"since RFC 3339":          {[]string{"--since", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "--count", "1"}, []string{"before"}},
			"tlp":                     {[]string{"--all", "--tlp", "amber", "--count", "1"}, []string{"second"}},
			"from":                    {[]string{"--all", "--from", "cert-three", "--count", "1"}, []string{"second"}},
			"type, markings included": {[]string{"--all", "--type", "marking-definition", "--count", "1"}, []string{"TLP:GREEN"}},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				out, errOut, code := runCLI(t, append(append([]string{"subscribe", "--output", "json"}, c.args...), as("le-alpha")...)...)
				require.Equal(t, exitOK, code, errOut)
				var got []string
				for _, l := range decodeLines(t, out) {
					got = append(got, objectName(t, l))
				}
				require.Equal(t, c.want, got)
			})
		}
	})
	t.Run("community", func(t *testing.T) {
		_, errOut, code := runCLI(t, append([]string{"submit", "--community", "le", policyCase(t, "green-to-community-le.json")}, as("le-alpha")...)...)
		require.Equal(t, exitOK, code, errOut)
		out, errOut, code := runCLI(t, append([]string{"subscribe", "--all", "--community", "le", "--count", "1", "--output", "table"}, as("le-bravo")...)...)
		require.Equal(t, exitOK, code, errOut)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 2)
		require.Regexp(t, `^RECEIVED\s+TLP\s+TYPE\s+NAME\s+FROM$`, lines[0])
		require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  TLP:GREEN\s+indicator\s+.+\s+le-alpha$`, lines[1])
	})
	t.Run("pretty", func(t *testing.T) {
		out, errOut, code := runCLI(t, append([]string{"subscribe", "--all", "--tlp", "amber", "--count", "1", "--output", "pretty"}, as("le-alpha")...)...)
		require.Equal(t, exitOK, code, errOut)
		require.Regexp(t, `^\d\d:\d\d:\d\d  TLP:AMBER         indicator       second  from cert-three  Seen in a phishing wave against second\.\n$`, out,
			"no colour when the output is not a terminal")
	})
	t.Run("ctrl-c ends cleanly", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		out, errOut, wait := startCLI(ctx, append([]string{"subscribe"}, as("le-alpha")...)...)
		waitLive(t, errOut)
		cancel()
		require.Equal(t, exitOK, wait(), errOut.String())
		require.Empty(t, out.String())
		require.Regexp(t, `^subscribed to \S+ as le-alpha; Ctrl-C to stop\n$`, errOut.String(), "nothing on stderr but the start line")
	})
	t.Run("usage errors", func(t *testing.T) {
		cases := map[string]struct {
			args []string
			want string
		}{
			"bad output":  {[]string{"--output", "xml"}, "geneva: --output \"xml\": want pretty, json or table\n"},
			"bad tlp":     {[]string{"--tlp", "purple"}, "geneva: --tlp \"purple\": want clear, green, amber, amber+strict or red\n"},
			"bad since":   {[]string{"--since", "yesterday"}, "geneva: --since: \"yesterday\": want a duration (2h, 30m, 7d) or an RFC 3339 time (2026-11-01T00:00:00Z)\n"},
			"two starts":  {[]string{"--all", "--since", "2h"}, "geneva: give only one of --new, --since and --all\n"},
			"negative":    {[]string{"--count", "-1"}, "geneva: --count -1: want 0 (no limit) or more\n"},
			"an argument": {[]string{"extra"}, "geneva: subscribe: unexpected argument \"extra\" (it takes only flags; see --help)\n"},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				_, errOut, code := runCLI(t, append(append([]string{"subscribe"}, c.args...), as("le-alpha")...)...)
				require.Equal(t, exitUsage, code, errOut)
				require.Equal(t, c.want, errOut)
			})
		}
	})
}

func TestPrettyLineColours(t *testing.T) {
	var b bytes.Buffer
	p := objectPrinter{w: &b, output: "pretty", color: true}
	for _, level := range []string{"red", "amber", "amber+strict", "green", "clear"} {
		require.NoError(t, p.print(objectFor(level)))
	}
	want := []string{
		"\x1b[1;38;2;255;43;43;48;2;0;0;0mTLP:RED\x1b[0m",
		"\x1b[1;38;2;255;192;0;48;2;0;0;0mTLP:AMBER\x1b[0m",
		"\x1b[1;38;2;255;192;0;48;2;0;0;0mTLP:AMBER+STRICT\x1b[0m",
		"\x1b[1;38;2;51;255;0;48;2;0;0;0mTLP:GREEN\x1b[0m",
		"\x1b[1;38;2;255;255;255;48;2;0;0;0mTLP:CLEAR\x1b[0m",
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, len(want))
	for i, w := range want {
		require.Contains(t, lines[i], w)
	}
}

func objectFor(level string) member.Object {
	return member.Object{TLP: level, Type: "indicator", Name: "n", Sender: "bank-one", Received: time.Now()}
}

func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	require.True(t, wantColor(true))
	require.False(t, wantColor(false), "never when not a terminal")
	t.Setenv("NO_COLOR", "1")
	require.False(t, wantColor(true))
}
