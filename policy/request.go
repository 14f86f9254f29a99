package policy

import (
	"fmt"
	"slices"
)

// checkRequest checks what the sender asked for and computes the audience
// it allows. Every problem rejects the whole submission.
func (s *decider) checkRequest() bool {
	var rs []Reason
	e, req := s.e, s.req
	if req.Anonymous && !e.mou.Rules.AnonymousSubmissions {
		rs = append(rs, Reason{Code: CodeAnonymousNotAllowed, Message: "the MoU does not allow anonymous submissions"})
	}
	var inCommunity []string
	if req.Community != "" {
		members, ok := e.communities[req.Community]
		if !ok && !e.communityExists(req.Community) {
			rs = append(rs, Reason{Code: CodeAudienceUnknownCommunity, Message: fmt.Sprintf("community %q is not in the MoU", clip(req.Community))})
		} else if !e.community(req.Community).AcceptsFrom.Admits(req.Community, s.sender) {
			rs = append(rs, Reason{Code: CodeAudienceNotInCommunity, Message: fmt.Sprintf("sender %q is not a member of community %q, and the community does not accept submissions from it (accepts_from)", s.sender.ID, req.Community)})
		}
		inCommunity = members
	}
	var named []string
	for _, id := range req.To {
		mb, ok := e.members[id]
		switch {
		case !ok:
			rs = append(rs, Reason{Code: CodeAudienceUnknownMember, Message: fmt.Sprintf("recipient %q is not a member of the partnership", clip(id))})
		case mb.Suspended:
			rs = append(rs, Reason{Code: CodeAudienceSuspendedMember, Message: fmt.Sprintf("recipient %q is suspended", id)})
		case id == s.sender.ID:
			rs = append(rs, Reason{Code: CodeAudienceSender, Message: "the sender named itself as a recipient"})
		case req.Community != "" && !slices.Contains(inCommunity, id):
			rs = append(rs, Reason{Code: CodeAudienceOutsideCommunity, Message: fmt.Sprintf("recipient %q is not in community %q", id, req.Community)})
		default:
			named = append(named, id)
		}
	}
	if len(rs) > 0 {
		s.rejectAll("rejected with the whole submission: the request is not allowed by the MoU", rs...)
		return false
	}
	s.d.Anonymous = req.Anonymous
	switch {
	case len(req.To) > 0:
		s.base = sortedUnique(named)
	case req.Community != "":
		s.base = without(inCommunity, s.sender.ID)
	default:
		s.base = without(e.active, s.sender.ID)
	}
	return true
}

func (e *Engine) communityExists(id string) bool {
	return slices.ContainsFunc(e.mou.Communities, func(c Community) bool { return c.ID == id })
}

// community is the MoU's community id (the zero Community if none).
func (e *Engine) community(id string) Community {
	for _, c := range e.mou.Communities {
		if c.ID == id {
			return c
		}
	}
	return Community{}
}
