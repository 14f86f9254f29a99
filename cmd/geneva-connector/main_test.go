package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genevahub/geneva/policy"
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
	mou, creds := filepath.Join(dir, "mou.yaml"), filepath.Join(dir, "x.creds")
	if err := os.WriteFile(mou, policy.DemoMoUYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("# member: bank-one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("hub: {server: \"nats://127.0.0.1:4222\", credentials: %s}\nmou: %s\n", creds, mou)
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(head+`spool: {dir: /var/lib/geneva-connector}
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

	// What run would refuse, check refuses too: a webhook taking more than
	// the MoU allows, an MoU that does not list the credentials' member,
	// a creds path that is a device. Before, check said ok to all three.
	tooBig := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(tooBig, []byte(head+`spool: {dir: /var/lib/geneva-connector}
sources:
  - {name: intake, kind: webhook, listen: "127.0.0.1:8088", max_bytes: 40000000}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(t.Context(), []string{"check", tooBig}, &out, &errOut)
	if want := `source "intake": max_bytes: 40000000 is above what the hub can take (8384512`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("check: got %v, want %q", err, want)
	}
	if err := os.WriteFile(creds, []byte("# member: nobody\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"check", good}, &out, &errOut); err == nil || !strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("check with a creds of no member: got %v", err)
	}
	devCreds := filepath.Join(dir, "dev.yaml")
	if err := os.WriteFile(devCreds, []byte(strings.Replace(head, creds, "/dev/zero", 1)+"spool: {dir: /x}\nsinks: [{name: out, kind: stdout, reach: organization}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"check", devCreds}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("check with /dev/zero as creds: got %v", err)
	}
}
