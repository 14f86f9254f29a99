package hub

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// memberMoU is the answer of the MoU service (wire.MoUService): the
// member view of the MoU in force (policy.MoU.MemberView: no member's
// contact, no per-member quota), built once per MoU the hub applies.
type memberMoU struct {
	mu    sync.Mutex
	of    *policy.MoU // the MoU reply was built from
	reply wire.MoUReply
}

func (v *memberMoU) view(mou *policy.MoU) wire.MoUReply {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.of == mou {
		return v.reply
	}
	data, version, err := mou.MemberView()
	if err != nil {
		return wire.MoUReply{Error: fmt.Sprintf("the MoU in force: %v", err)}
	}
	v.of = mou
	v.reply = wire.MoUReply{Version: version, PolicyVersion: mou.Partnership.Version, YAML: string(data)}
	return v.reply
}

// serveMoU answers wire.MoUService: the member view of the MoU in force,
// or only its version when the asker already holds it. Every member gets
// the same view, so the service needs no asker.
func (h *Hub) serveMoU(msg *nats.Msg) {
	var q wire.MoURequest
	reply := h.mouView.view(h.MoU())
	if len(msg.Data) > 0 && json.Unmarshal(msg.Data, &q) != nil {
		reply = wire.MoUReply{Error: "the request is not a JSON MoU request"}
	} else if q.Known != "" && q.Known == reply.Version {
		reply.YAML = ""
	}
	body, _ := json.Marshal(reply)
	_ = msg.Respond(body)
}
