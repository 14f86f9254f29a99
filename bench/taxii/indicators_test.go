package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// The appended indicators are the JSON the maps used to give.
func TestIndicatorsAsEncodingJSON(t *testing.T) {
	got := indicators(3)
	var env struct{ Objects []map[string]any }
	if err := json.Unmarshal(got, &env); err != nil || len(env.Objects) != 3 {
		t.Fatalf("%v: %s", err, got)
	}
	for i, o := range env.Objects {
		now := o["created"].(string)
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", now); err != nil {
			t.Fatal(err)
		}
		n := seq - 2 + i
		want := map[string]any{"type": "indicator", "spec_version": "2.1", "id": o["id"], "created": now, "modified": now,
			"name": fmt.Sprintf("bench %d", n), "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix", "valid_from": now,
			"object_marking_refs": []any{"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"}}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(o)
		if string(a) != string(b) {
			t.Errorf("object %d:\n got %s\nwant %s", i, b, a)
		}
		if id := o["id"].(string); id[len(id)-12:] != fmt.Sprintf("%012x", n) {
			t.Errorf("object %d: id %s", i, id)
		}
	}
}
