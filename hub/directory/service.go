package directory

import (
	"encoding/json"

	"github.com/nats-io/nats.go"
)

// Response is the reply to a directory request: the matching members, or
// an error for a bad query.
type Response struct {
	Members []Member `json:"members,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// answer is the success reply: "members" is always present, [] when none match.
type answer struct {
	Members []Member `json:"members"`
}

type failure struct {
	Error string `json:"error"`
}

// Handler answers directory requests with the members members() returns at
// the time of the request, so MoU reloads show at once. Requests without a
// reply subject are ignored.
func Handler(members func() []Member) nats.MsgHandler {
	return func(msg *nats.Msg) {
		if msg.Reply == "" {
			return
		}
		_ = msg.Respond(Reply(members(), msg.Data)) // a requester that went away needs no answer
	}
}

// Reply is the reply body for request data against members.
func Reply(members []Member, data []byte) []byte {
	q, err := ParseQuery(data)
	var body []byte
	if err != nil {
		body, err = json.Marshal(failure{Error: err.Error()})
	} else {
		body, err = json.Marshal(answer{Members: Filter(members, q)})
	}
	if err != nil { // cannot happen for these types; still answer
		return []byte(`{"error":"directory: encode reply"}`)
	}
	return body
}
