package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/member/membertest"
	"github.com/genevahub/geneva/hub/wire"
)

// A share that is not a STIX bundle, between two good ones: subscribe names
// it on stderr, keeps it as a dead letter, prints the good one after it and
// exits 5; geneva deadletter lists it and a replay (once fixed) shows it.
// Objects are printed byte for byte as shared (no \u0026 for &).
func TestSubscribeSkipsAPoisonShare(t *testing.T) {
	h, as := testHub(t)
	submit := func(name string) {
		t.Helper()
		b := membertest.Indicator(t, "green", name)
		for esc, raw := range map[string]string{`\u0026`: "&", `\u003c`: "<", `\u003e`: ">"} {
			b = bytes.ReplaceAll(b, []byte(esc), []byte(raw))
		}
		path := filepath.Join(t.TempDir(), "b.json")
		require.NoError(t, os.WriteFile(path, b, 0o600))
		_, errOut, code := runCLI(t, append([]string{"submit", path}, as("bank-one")...)...)
		require.Equal(t, exitOK, code, errOut)
	}
	submit("good one")
	poison := h.InjectShare(t, "bank-one", "le-alpha", []byte(`{"type":"bundle","objects":[{"type":"indicator","name":"\a"}]}`))
	submit("good & <two>")

	dl := t.TempDir()
	out, errOut, code := runCLI(t, append([]string{"subscribe", "--all", "--count", "2", "--output", "json", "--dead-letter", dl}, as("le-alpha")...)...)
	require.Equal(t, exitPartial, code, "exit status says a share was skipped; stderr: %s", errOut)
	lines := decodeLines(t, out)
	require.Len(t, lines, 2, out)
	require.Equal(t, "good one", objectName(t, lines[0]))
	require.Equal(t, "good & <two>", objectName(t, lines[1]), "the good share after the poison one")
	start, skipped, _ := strings.Cut(errOut, "\n")
	require.Contains(t, start, "subscribed to ", "the start line, then the skipped share")
	require.True(t, strings.HasPrefix(skipped, fmt.Sprintf("geneva subscribe: share %d (submission ", poison)), skipped)
	require.Equal(t, 1, strings.Count(skipped, "\n"), "one line for the skipped share: %q", skipped)
	require.Contains(t, errOut, "skipped: not a STIX bundle")

	// Byte for byte what the hub sent.
	op := h.Member(t, wire.OperatorName)
	for _, l := range lines {
		m, err := op.JS.Stream(t.Context(), wire.StreamShare)
		require.NoError(t, err)
		raw, err := m.GetMsg(t.Context(), l.Seq)
		require.NoError(t, err)
		var b struct{ Objects []json.RawMessage }
		require.NoError(t, json.Unmarshal(raw.Data, &b))
		found := false
		for _, o := range b.Objects {
			found = found || bytes.Equal(o, l.Object)
		}
		require.True(t, found, "object %s is not byte-equal to one of share %d: %s", l.Object, l.Seq, raw.Data)
	}
	require.Contains(t, out, `"name":"good & <two>"`)

	name := fmt.Sprintf("share-%d", poison)
	listed, errOut, code := runCLI(t, "deadletter", "list", "--dir", dl)
	require.Equal(t, exitOK, code, errOut)
	require.Regexp(t, `(?m)^subscribe/`+name+`\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+1\s+\d+\s+not a STIX bundle`, listed)

	// Replayed as it is, it fails again; fixed and replayed, it is shown.
	_, errOut, code = runCLI(t, "deadletter", "replay", "--dir", dl, "subscribe/"+name)
	require.Equal(t, exitOK, code, errOut)
	_, errOut, code = runCLI(t, append([]string{"subscribe", "--count", "1", "--all", "--output", "json", "--dead-letter", dl}, as("le-alpha")...)...)
	require.Equal(t, exitPartial, code, errOut)
	letter := filepath.Join(dl, "deadletter", "subscribe", name+".json")
	require.FileExists(t, letter)
	fixed := bytes.Replace(membertest.Indicator(t, "green", "fixed by hand"), []byte(`"name"`), []byte(`"x_note":"a&b","name"`), 1)
	require.NoError(t, os.WriteFile(letter, fixed, 0o600))
	_, errOut, code = runCLI(t, "deadletter", "replay", "--dir", dl, "--all")
	require.Equal(t, exitOK, code, errOut)
	out, errOut, code = runCLI(t, append([]string{"subscribe", "--count", "1", "--output", "json", "--dead-letter", dl}, as("le-alpha")...)...)
	require.Equal(t, exitOK, code, errOut)
	lines = decodeLines(t, out)
	require.Len(t, lines, 1)
	require.Equal(t, "fixed by hand", objectName(t, lines[0]))
	require.Equal(t, poison, lines[0].Seq)
	listed, _, _ = runCLI(t, "deadletter", "list", "--dir", dl)
	require.Equal(t, "no dead letters in "+dl+"\n", listed)
}
