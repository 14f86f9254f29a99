package policy

// Summary is the decision as people and receipts read it: the shape of
// `geneva policy explain --output json`. Arrays are never null.
type Summary struct {
	Verdict       string          `json:"verdict"`
	PolicyVersion string          `json:"policy_version"`
	Reasons       []Reason        `json:"reasons"`
	Objects       []ObjectSummary `json:"objects"`
}

// ObjectSummary is one object of a Summary.
type ObjectSummary struct {
	ID       string   `json:"id"`
	TLP      string   `json:"tlp"`
	Audience []string `json:"audience"`
	Archive  bool     `json:"archive"`
	Reasons  []Reason `json:"reasons"`
}

// Summary returns the decision's summary.
func (d Decision) Summary() Summary {
	s := Summary{Verdict: d.Verdict.String(), PolicyVersion: d.PolicyVersion, Reasons: nonNil(d.Reasons), Objects: make([]ObjectSummary, len(d.Objects))}
	for i, o := range d.Objects {
		aud := o.Audience
		if aud == nil {
			aud = []string{}
		}
		s.Objects[i] = ObjectSummary{ID: o.ID, TLP: o.TLP.String(), Audience: aud, Archive: o.Archive, Reasons: nonNil(o.Reasons)}
	}
	return s
}

func nonNil(rs []Reason) []Reason {
	if rs == nil {
		return []Reason{}
	}
	return rs
}
