package hub

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// memberMoU is the answer of the MoU service (wire.MoUService): each
// member's view of the MoU in force (policy.MoU.MemberView: no member's
// contact, no per-member quota, no other member's suspension or relays),
// built once per member and MoU the hub applies.
type memberMoU struct {
	mu      sync.Mutex
	of      *policy.MoU              // the MoU replies were built from
	replies map[string]wire.MoUReply // by member
}

func (v *memberMoU) view(mou *policy.MoU, member string) wire.MoUReply {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.of != mou {
		v.of, v.replies = mou, map[string]wire.MoUReply{}
	}
	if r, ok := v.replies[member]; ok {
		return r
	}
	data, version, err := mou.MemberView(member)
	if err != nil {
		return wire.MoUReply{Error: fmt.Sprintf("the MoU in force: %v", err)}
	}
	r := wire.MoUReply{Version: version, PolicyVersion: mou.Partnership.Version, YAML: string(data)}
	if _, listed := mou.Member(member); listed {
		v.replies[member] = r // at most one per member of the MoU
	}
	return r
}

// serveMoU answers wire.MoUService: the asker's view of the MoU in force
// (the member its subject names, which only that member may publish to),
// or only its version when the asker already holds it.
func (h *Hub) serveMoU(msg *nats.Msg) {
	var q wire.MoURequest
	reply := h.mouView.view(h.MoU(), memberOfSubject(msg.Subject))
	if len(msg.Data) > 0 && json.Unmarshal(msg.Data, &q) != nil {
		reply = wire.MoUReply{Error: "the request is not a JSON MoU request"}
	} else if q.Known != "" && q.Known == reply.Version {
		reply.YAML = ""
	}
	body, _ := json.Marshal(reply)
	_ = msg.Respond(body)
}
