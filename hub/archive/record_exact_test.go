package archive

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/internal/jsonappend/jsonappendtest"
	"github.com/genevahub/geneva/policy"
)

// TestRecordsAreTheSharedObjects: a part the hub made from a submission
// with characters re-encoders mangle (BEL, ESC, DEL, tag characters, NBSP,
// BOM, every escape form) becomes records whose values are valid JSON
// text, byte for byte the objects the sender wrote.
func TestRecordsAreTheSharedObjects(t *testing.T) {
	e, err := policy.NewEngine(policy.DemoMoU())
	if err != nil {
		t.Fatal(err)
	}
	const green = `"object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]`
	var objects []string
	for i, name := range []string{`\u0007 \u001b ` + "\x7f \U0001f3f4\U000e0067\U000e007f", "\u00a0\ufeff\u202f &<> é", `\u00e9 \/ \"\\ \ud83d\ude00 \udfff`} {
		objects = append(objects, strings.ReplaceAll(`{ "type":"indicator", "spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-00000000000N",
	"created":"2026-10-15T08:30:00.000Z","modified":"2026-10-15T08:30:00.000Z","name":"`+name+`",
	"pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2026-10-15T08:30:00.000Z",`+green+` }`, "N", string(rune('1'+i))))
	}
	bundle := []byte(`{"type":"bundle","id":"bundle--0d5b2a44-58e6-4d1b-9e0f-3a3f4a5b6c7d","objects":[` + strings.Join(objects, ",\n") + `]}`)
	d := e.Decide(policy.Request{Sender: "bank-one", Bundle: bundle})
	if d.Verdict != policy.Accept || len(d.Routes) != 1 {
		t.Fatalf("%s with %d routes: %+v", d.Verdict, len(d.Routes), d.Reasons)
	}
	part, err := d.Part(d.Routes[0])
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{}.withDefaults()
	w := cfg.Wire
	h := nats.Header{w.Submission: {"sub-1"}, w.Sender: {"bank-one"}, w.TLP: {"green"}, w.Audience: {"isp-two"},
		w.Received: {"2026-11-22T17:00:00Z"}, w.ArchiveFlag: {"true"}}
	records, err := cfg.shareRecords(w.ShareStream, 1, h, part)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != len(objects) {
		t.Fatalf("%d records, want %d", len(records), len(objects))
	}
	for i, r := range records {
		jsonappendtest.RequireJSONText(t, r.msg.Value)
		if !bytes.Equal(r.msg.Value, []byte(objects[i])) {
			t.Fatalf("record %d:\n%q\nwant\n%q", i, r.msg.Value, objects[i])
		}
		var head struct{ ID string }
		if err := json.Unmarshal(r.msg.Value, &head); err != nil || head.ID != string(r.msg.Key) {
			t.Fatalf("record %d: key %q, object id %q (%v)", i, r.msg.Key, head.ID, err)
		}
	}
}
