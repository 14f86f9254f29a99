package schemas_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/schemas"
)

// pointerEcho is an extra checker that reports every object it sees with
// the pointer it was given, so Check's per-object path must hand the same
// objects and pointers as Validate's tree.
type pointerEcho struct{}

func (pointerEcho) CheckObject(obj *fastjson.Value, pointer string) []schemas.Finding {
	return []schemas.Finding{{Severity: schemas.SeverityWarning, Pointer: pointer, Rule: "test.echo",
		Message: string(obj.GetStringBytes("type"))}}
}

// Check parses a bundle's envelope without its objects and then each
// object alone; these documents aim at the seams of that: the envelope's
// own findings (an empty or missing list, a missing id, custom properties,
// spec_version), a nested bundle, limits, and the documents Check must
// leave to the whole-tree path (duplicate or escaped keys, a repeated
// "objects", no bundle at all). Each gives Validate's report, findings in
// the same order, with and without workers.
func TestCheckGivesValidatesReport(t *testing.T) {
	var many []string
	for i := range 700 {
		o := baseIndicator
		if i%5 == 0 {
			o = strings.Replace(o, `"pattern_type":"stix"`, `"pattern_type":"stix","x_acme":1`, 1)
		}
		many = append(many, o)
	}
	bad := strings.Replace(baseCampaign, `"name"`, `"Name"`, 1)
	docs := map[string]string{
		"bundle":                bundle(baseIndicator, baseCampaign, bad),
		"many objects":          bundle(many...),
		"envelope findings":     `{"x_acme":1,"type":"bundle","spec_version":"2.0","Bad":2,"objects":[` + bad + `]}`,
		"spec_version 2.1":      `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","spec_version":"2.1","objects":[` + baseCampaign + `]}`,
		"bad bundle id":         `{"type":"bundle","id":"campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[` + baseCampaign + `]}`,
		"objects first":         `{"objects" : [ ` + baseCampaign + " ,\n\t" + bad + ` ] ,"type":"bundle"}`,
		"empty objects":         `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[]}`,
		"objects not a list":    `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":{"a":1}}`,
		"not objects":           `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[1,"x",[],null]}`,
		"nested bundle":         bundle(baseCampaign, bundle(baseCampaign)),
		"too many objects":      bundle(baseCampaign, baseCampaign, baseCampaign, baseCampaign),
		"duplicate key":         bundle(baseCampaign, strings.Replace(baseCampaign, `"name"`, `"name":"a","name"`, 1)),
		"escaped key":           bundle(strings.Replace(baseCampaign, `"name"`, `"n\u0061me"`, 1)),
		"escaped objects key":   `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","obj\u0065cts":[` + baseCampaign + `]}`,
		"objects twice":         `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[` + baseCampaign + `],"objects":[]}`,
		"not a bundle":          `{"type":"x-acme","id":"x-acme--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[` + baseCampaign + `]}`,
		"type after objects":    `{"objects":[` + baseCampaign + `],"type":"bundle"}`,
		"single object":         baseCampaign,
		"array root":            `[` + bundle(baseCampaign) + `]`,
		"syntax error in list":  `{"type":"bundle","objects":[` + baseCampaign + `,}]}`,
		"depth in an object":    bundle(`{"type":"x-a","x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`),
		"escapes in the values": bundle(strings.Replace(baseCampaign, `Green Group`, `Gr\u00e9en \"Group\"\n`, 1)),
	}
	limits := schemas.Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxObjects: 3}
	for name, doc := range docs {
		for _, opts := range []schemas.Options{{}, {Workers: 3}, {Extra: pointerEcho{}}, {Extra: pointerEcho{}, Workers: 2}, {Limits: limits}} {
			v := schemas.NewValidator(opts)
			d, want := v.Validate([]byte(doc))
			d.Release()
			if got := v.Check([]byte(doc)); !reflect.DeepEqual(want, got) {
				t.Errorf("%s (workers %d, extra %v, limits %v):\nValidate: %+v\nCheck:    %+v", name, opts.Workers, opts.Extra != nil, opts.Limits, want, got)
			}
		}
	}
}
