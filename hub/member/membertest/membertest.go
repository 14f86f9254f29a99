// Package membertest has helpers for tests of member clients: small valid
// STIX bundles at a chosen TLP, and clients dialled as a member of a test
// hub. Test-only import.
package membertest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/policy/tlp"
)

var counter atomic.Uint64

// marking is the TLP 2.0 marking definition of level (ids from the FIRST
// extension and the policy/tlp catalogue).
func marking(level string) (map[string]any, string, error) {
	l, err := tlp.ParseLevel(level)
	if err != nil {
		return nil, "", err
	}
	id := tlp.ID(l)
	return map[string]any{
		"type": "marking-definition", "spec_version": "2.1", "id": id,
		"created": "2022-10-01T00:00:00.000Z", "name": l.Label(),
		"extensions": map[string]any{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": map[string]any{
			"extension_type": "property-extension", "tlp_2_0": l.String()}},
	}, id, nil
}

// Indicator is a bundle with one indicator named name at level (clear,
// green, amber, amber+strict, red), with a description and a fresh id.
func Indicator(t testing.TB, level, name string) []byte {
	t.Helper()
	md, mid, err := marking(level)
	if err != nil {
		t.Fatalf("membertest: %v", err)
	}
	n := counter.Add(1)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	ind := map[string]any{
		"type": "indicator", "spec_version": "2.1",
		"id":      fmt.Sprintf("indicator--%08x-%04x-4000-8000-%012x", time.Now().Unix(), n&0xffff, n),
		"created": now, "modified": now, "valid_from": now,
		"name":        name,
		"description": "Seen in a phishing wave against " + name + ".\nSecond line is not shown.",
		"pattern":     "[url:value = 'https://login.example-bank.test/" + fmt.Sprint(n) + "']", "pattern_type": "stix",
		"object_marking_refs": []string{mid},
	}
	b, err := json.Marshal(map[string]any{"type": "bundle",
		"id": fmt.Sprintf("bundle--%08x-%04x-4000-8000-%012x", time.Now().Unix(), n&0xffff, n), "objects": []any{md, ind}})
	if err != nil {
		t.Fatalf("membertest: %v", err)
	}
	return b
}

// Dial connects to h as member id with its creds file, closing the client
// when the test ends.
func Dial(t testing.TB, h *hubtest.Hub, id string) *member.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := member.Dial(ctx, h.ClientURL(), h.CredsPath(id))
	if err != nil {
		t.Fatalf("membertest: dial as %s: %v", id, err)
	}
	t.Cleanup(c.Close)
	return c
}
