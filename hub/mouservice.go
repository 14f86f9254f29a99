package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"go.yaml.in/yaml/v3"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// withheldContact stands for every member's 24/7 contact in the MoU a
// member is given: a desk's phone and e-mail are for the hub's
// escalations, not for every member (an adversary's phishing list), and
// pre-flight never reads them. It passes the MoU's validation, so the
// member view is a valid MoU.
var withheldContact = policy.Contact{Desk: "withheld by the hub", Phone: "+00000000", Email: "withheld@hub.invalid", Languages: []string{"und"}}

// memberMoU is the MoU in force as a member may see it (wire.MoUReply),
// computed once per MoU the hub applies.
type memberMoU struct {
	mu    sync.Mutex
	of    *policy.MoU // the MoU reply was built from
	reply wire.MoUReply
}

// view is the member view of mou: what pre-flight needs (members, their
// types, jurisdictions, communities, identities and suspensions, the
// communities, rules and request rules), without any member's contact
// or own quota (quotas are the hub's to enforce; pre-flight does not).
func (v *memberMoU) view(mou *policy.MoU) wire.MoUReply {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.of == mou {
		return v.reply
	}
	shown := *mou
	shown.Members = make([]policy.Member, len(mou.Members))
	for i, m := range mou.Members {
		m.Contact, m.Quota = withheldContact, policy.Quota{}
		shown.Members[i] = m
	}
	data, err := yaml.Marshal(&shown)
	if err != nil {
		return wire.MoUReply{Error: fmt.Sprintf("the MoU in force: %v", err)}
	}
	sum := sha256.Sum256(data)
	v.of = mou
	v.reply = wire.MoUReply{Version: hex.EncodeToString(sum[:12]), PolicyVersion: mou.Partnership.Version, YAML: string(data)}
	return v.reply
}

// serveMoU answers wire.MoUService: the member view of the MoU in force,
// or only its version when the asker already holds it.
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
