package taxii

import (
	"bytes"
	"strings"

	"github.com/valyala/fastjson"
)

// receiptParsers read receipts: the follower reads every receipt of every
// member, one per submission, and encoding/json's reflection was a tenth
// of a single POST's CPU in the TAXII layer.
var receiptParsers fastjson.ParserPool

// parseReceipt reads a receipt if it is a TAXII POST's: with the types
// encoding/json would require of its fields (a receipt with a field of
// another type is not read).
func parseReceipt(data []byte) (*receipt, bool) {
	if !bytes.Contains(data, []byte(`"taxii-`)) { // most receipts are not: skip their decoding
		return nil, false
	}
	p := receiptParsers.Get()
	defer receiptParsers.Put(p)
	v, err := p.ParseBytes(data)
	if err != nil || v.Type() != fastjson.TypeObject {
		return nil, false
	}
	r := &receipt{}
	ok := str(v, "submission_id", &r.Submission) && str(v, "member", &r.Member) && str(v, "msg_id", &r.MsgID) &&
		str(v, "verdict", &r.Verdict) && str(v, "review", &r.Review) && boolean(v, "classified", &r.Classified)
	if !ok || !strings.HasPrefix(r.MsgID, "taxii-") {
		return nil, false
	}
	if r.Reasons, ok = reasons(v.Get("reasons")); !ok {
		return nil, false
	}
	objects, ok := array(v.Get("objects"))
	if !ok {
		return nil, false
	}
	if objects != nil {
		r.Objects = make([]receiptObject, len(objects))
	}
	for i, o := range objects {
		ro := &r.Objects[i]
		if o.Type() != fastjson.TypeObject || !str(o, "id", &ro.ID) || !boolean(o, "shared", &ro.Shared) {
			return nil, false
		}
		if ro.Reasons, ok = reasons(o.Get("reasons")); !ok {
			return nil, false
		}
	}
	return r, true
}

// str reads v's string field name into dst; absent or null leaves dst.
func str(v *fastjson.Value, name string, dst *string) bool {
	f := v.Get(name)
	switch {
	case f == nil || f.Type() == fastjson.TypeNull:
		return true
	case f.Type() != fastjson.TypeString:
		return false
	}
	*dst = string(f.GetStringBytes())
	return true
}

// boolean reads v's boolean field name into dst; absent or null leaves dst.
func boolean(v *fastjson.Value, name string, dst *bool) bool {
	f := v.Get(name)
	switch {
	case f == nil || f.Type() == fastjson.TypeNull:
		return true
	case f.Type() == fastjson.TypeTrue:
		*dst = true
	case f.Type() != fastjson.TypeFalse:
		return false
	}
	return true
}

// array is v's elements; nil for absent or null.
func array(v *fastjson.Value) ([]*fastjson.Value, bool) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return nil, true
	}
	a, err := v.Array()
	return a, err == nil
}

func reasons(v *fastjson.Value) ([]reason, bool) {
	list, ok := array(v)
	if !ok || list == nil {
		return nil, ok
	}
	out := make([]reason, len(list))
	for i, e := range list {
		if e.Type() != fastjson.TypeObject || !str(e, "code", &out[i].Code) || !str(e, "pointer", &out[i].Pointer) || !str(e, "message", &out[i].Message) {
			return nil, false
		}
	}
	return out, true
}
