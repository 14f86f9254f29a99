package audit

import "github.com/genevahub/geneva/internal/jsonappend"

// appendJSON appends r as json.Marshal writes it, byte for byte, without
// reflection: the hub encodes one record per submission.
func (r *Record) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"time":`...)
	b, err := jsonappend.Time(b, r.Time)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"member":`...)
	b = jsonappend.String(b, r.Member)
	b = append(b, `,"submission_id":`...)
	b = jsonappend.String(b, r.Submission)
	b = append(b, `,"digest":`...)
	b = jsonappend.String(b, r.Digest)
	b = append(b, `,"verdict":`...)
	b = jsonappend.String(b, r.Verdict)
	b = append(b, `,"reason_codes":`...)
	b = jsonappend.Strings(b, r.Reasons)
	b = append(b, `,"routes":`...)
	b = jsonappend.Array(b, r.Routes, func(b []byte, rt Route) []byte {
		b = append(b, `{"tlp":`...)
		b = jsonappend.String(b, rt.TLP)
		b = append(b, `,"scope":`...)
		b = jsonappend.String(b, rt.Scope)
		b = append(b, `,"audience":`...)
		b = jsonappend.Strings(b, rt.Audience)
		return append(b, '}')
	})
	b = append(b, `,"policy_version":`...)
	b = jsonappend.String(b, r.PolicyVersion)
	b = append(b, `,"action":`...)
	b = jsonappend.String(b, r.Action)
	b = append(b, `,"actor":`...)
	b = jsonappend.String(b, r.Actor)
	b = append(b, `,"prev":`...)
	b = jsonappend.String(b, r.Prev)
	b = append(b, `,"hash":`...)
	b = jsonappend.String(b, r.Hash)
	return append(b, '}'), nil
}
