package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Object is one archived object share: one STIX object of one accepted part
// (the archive holds one record per object per part, so an object sent to
// two audiences in two parts counts twice).
type Object struct {
	Received time.Time // when the hub received the submission (geneva-received)
	TLP      string    // geneva-tlp
	Sender   string    // member id or "anonymous" (geneva-sender)
	Audience string    // comma-separated member ids (geneva-audience)
	Type     string    // the object's "type"
	Created  time.Time // the object's "created"; zero when absent or unreadable
	Bytes    int       // size of the record's value

	Techniques     []string // ATT&CK technique ids (T####, T####.###) of an attack-pattern
	Malware        string   // a malware object's name
	IndicatorTypes []string // object types an indicator's pattern tests
}

// ObjectParser fills Objects from STIX JSON, reusing its buffers: one per
// goroutine.
type ObjectParser struct {
	p   fastjson.Parser
	buf []string
	pat patternTypes

	strings      map[string]string // header values seen: few distinct, many repeats
	lastReceived string
	lastTime     time.Time
}

// maxInterned bounds ObjectParser.strings; past it values are allocated.
const maxInterned = 4096

// intern returns b as a string, allocating only for a value not seen yet.
func (op *ObjectParser) intern(b []byte) string {
	if s, ok := op.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	if op.strings == nil {
		op.strings = map[string]string{}
	}
	if len(op.strings) < maxInterned {
		op.strings[s] = s
	}
	return s
}

// received parses a geneva-received value, remembering the last one: the
// objects of one part share it.
func (op *ObjectParser) received(b []byte) (time.Time, bool) {
	if op.lastReceived != "" && string(b) == op.lastReceived {
		return op.lastTime, true
	}
	t, ok := parseReceived(string(b))
	if ok {
		op.lastReceived, op.lastTime = string(b), t
	}
	return t, ok
}

// Parse reads the analytic fields of one STIX object into o (whose header
// fields the caller sets). The slices in o stay valid until the next Parse.
func (op *ObjectParser) Parse(raw []byte, o *Object) error {
	v, err := op.p.ParseBytes(raw)
	if err != nil {
		return fmt.Errorf("object is not JSON: %v", err)
	}
	if v.Type() != fastjson.TypeObject {
		return fmt.Errorf("object is a JSON %s, not an object", v.Type())
	}
	o.Bytes = len(raw)
	o.Type = string(v.GetStringBytes("type"))
	o.Created = time.Time{}
	if c := v.GetStringBytes("created"); c != nil {
		if t, err := time.Parse(time.RFC3339Nano, string(c)); err == nil {
			o.Created = t
		}
	}
	o.Techniques, o.Malware, o.IndicatorTypes = nil, "", nil
	switch o.Type {
	case "attack-pattern":
		op.buf = op.buf[:0]
		for _, ref := range v.GetArray("external_references") {
			if string(ref.GetStringBytes("source_name")) != "mitre-attack" {
				continue
			}
			if id := string(ref.GetStringBytes("external_id")); isTechnique(id) {
				op.buf = append(op.buf, id)
			}
		}
		o.Techniques = op.buf
	case "malware":
		o.Malware = strings.TrimSpace(string(v.GetStringBytes("name")))
	case "indicator":
		pt := string(v.GetStringBytes("pattern_type"))
		if pt != "stix" {
			o.IndicatorTypes = append(op.buf[:0], "pattern:"+pt)
			break
		}
		o.IndicatorTypes = op.pat.of(string(v.GetStringBytes("pattern")))
	}
	return nil
}

// isTechnique matches ATT&CK technique ids: T then four digits, optionally
// a dot and three digits for a sub-technique.
func isTechnique(id string) bool {
	if len(id) != 5 && len(id) != 9 || id[0] != 'T' {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if i == 5 {
			if c != '.' {
				return false
			}
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
