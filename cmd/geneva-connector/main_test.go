package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestList(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"list"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"dir ", "stdout ", "taxii ", "webhook "} {
		if !strings.Contains(out.String(), kind) {
			t.Errorf("list does not name %q:\n%s", kind, out.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"run"}, {"check", "a", "b"}, {"frobnicate"}, {"--nope", "list"}} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), args, &out, &errOut)
		if _, ok := err.(usageError); !ok {
			t.Errorf("%q: want a usage error (exit 2), got %v", args, err)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), args, &out, &errOut); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if !strings.HasPrefix(out.String(), "geneva-connector ") || !strings.Contains(out.String(), " go1.") {
			t.Errorf("%q: want the version line, got %q", args, out.String())
		}
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(`hub: {server: "nats://127.0.0.1:4222", credentials: /x.creds}
mou: /mou.yaml
spool: {dir: /var/lib/geneva-connector}
sinks:
  - {name: out, kind: stdout, reach: organization}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"check", good}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != good+": ok (0 sources, 1 sinks)\n" {
		t.Errorf("check printed %q", got)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(`hub: {server: "nats://127.0.0.1:4222", credentials: /x.creds}
mou: /mou.yaml
spool: {dir: /var/lib/geneva-connector}
sinks:
  - {name: out, kind: taxi, reach: organization}
  - {name: hook, kind: webhook, reach: public}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(t.Context(), []string{"check", bad}, &out, &errOut)
	want := bad + `:5: sinks[0].kind: unknown connector "taxi" (known: dir, stdout, taxii, webhook)` + "\n" +
		bad + ":6: sinks[1].url: required"
	if err == nil || err.Error() != want {
		t.Errorf("check: got\n%v\nwant\n%s", err, want)
	}
}
