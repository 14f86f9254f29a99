package policy

import (
	"fmt"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// requestRules apply to Geneva's request and response objects: only the
// members the MoU names may send a kind of request (preservation: law
// enforcement), and requests and responses go to named recipients at
// TLP:AMBER+STRICT or above. A refusal rejects the whole submission (see
// refuseRequests): a request travels whole or not at all, and its
// observables are not sent without it. Every other rule applies to them
// as to any object.
func (s *decider) requestRules(i int, obj *fastjson.Value, level tlp.Level) {
	typ := s.d.Objects[i].Type
	if typ != schemas.TypeRequest && typ != schemas.TypeResponse {
		return
	}
	p := s.pointer(i)
	rq := s.e.mou.Requests
	if typ == schemas.TypeRequest {
		kind := string(obj.GetStringBytes("request_kind"))
		if !rq.SendersOf(kind).Names(s.sender) {
			s.refuse(i, Reason{Code: CodeRequestSender, Pointer: p + "/request_kind", Message: fmt.Sprintf("member %q (%s) may not send a %s request under the MoU (requests.senders.%s)", s.sender.ID, s.sender.Type, clip(kind), clip(kind))})
		}
	}
	if min := rq.MinLevel(); min.MoreRestrictive(level) {
		s.refuse(i, Reason{Code: CodeRequestTLP, Pointer: p, Message: fmt.Sprintf("a %s travels at %s or above, not %s", typ, min.Label(), level.Label())})
	}
	if len(s.req.To) == 0 {
		s.refuse(i, Reason{Code: CodeRequestRecipients, Pointer: p, Message: fmt.Sprintf("a %s goes to members named with --to", typ)})
	}
}

// refuse rejects request object i for r, and the submission with it.
func (s *decider) refuse(i int, r Reason) {
	s.reject(i, r)
	s.refused = append(s.refused, r)
}

// refuseRequests rejects the whole submission when a request or response
// was rejected, by the request rules or any other; it reports whether it
// did.
func (s *decider) refuseRequests() bool {
	for i, o := range s.d.Objects {
		if s.failed[i] && len(s.refused) == 0 && (o.Type == schemas.TypeRequest || o.Type == schemas.TypeResponse) {
			s.refused = append(s.refused, o.Reasons...)
		}
	}
	if len(s.refused) == 0 {
		return false
	}
	s.rejectAll("rejected with the whole submission: a request or response the MoU refuses travels whole or not at all", s.refused...)
	return true
}
