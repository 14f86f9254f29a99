package decide

import (
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// newReceipt is the receipt of the decision d on sub.
func newReceipt(sub Submission, d *policy.Decision) *wire.Receipt {
	r := &wire.Receipt{
		Submission: sub.ID, Member: sub.Member, MsgID: sub.MsgID, Received: sub.Received,
		Verdict: d.Verdict, PolicyVersion: d.PolicyVersion, Digest: d.Digest,
		Anonymous: sub.Anonymous, Classified: d.Classified,
		Reasons: nonNilReasons(d.Reasons), Objects: []wire.ObjectReceipt{}, Routes: []wire.RouteReceipt{},
	}
	if d.Classified {
		// Codes, pointers and a count only: object ids and types are
		// content too.
		for _, o := range d.Objects {
			r.Reasons = append(r.Reasons, o.Reasons...)
			if o.Type != "marking-definition" {
				r.Refused++
			}
		}
		return r
	}
	for _, o := range d.Objects {
		aud := o.Audience
		if aud == nil {
			aud = []string{}
		}
		r.Objects = append(r.Objects, wire.ObjectReceipt{ID: o.ID, Type: o.Type, Shared: o.Shared,
			TLP: o.TLP, Audience: aud, Reasons: nonNilReasons(o.Reasons)})
	}
	for _, rt := range d.Routes {
		r.Routes = append(r.Routes, wire.RouteReceipt{TLP: rt.TLP, Scope: rt.Scope,
			Audience: rt.Audience, Objects: len(rt.Objects)})
	}
	return r
}

func nonNilReasons(rs []policy.Reason) []policy.Reason {
	if rs == nil {
		return []policy.Reason{}
	}
	return rs
}
