package member

import (
	"encoding/json"
	"fmt"
	"time"
)

// Object is one STIX object a subscription delivers, with the envelope of
// the share it came in.
type Object struct {
	Seq        uint64          `json:"seq"`        // GENEVA_SHARE sequence of the share (resume after it)
	Submission string          `json:"submission"` // the hub's submission id
	Sender     string          `json:"sender"`     // member id, or "anonymous"
	TLP        string          `json:"tlp"`        // clear, green, amber, amber+strict, red
	Scope      string          `json:"scope"`      // all, c.<community> or m.<member>
	Received   time.Time       `json:"received"`   // when the hub received the submission
	Object     json.RawMessage `json:"object"`     // the STIX object, as shared

	Type        string `json:"-"`
	ID          string `json:"-"`
	Name        string `json:"-"` // name, else value, else pattern, else id
	Description string `json:"-"`
}

// stixFields are the few properties shown to a person.
type stixFields struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Value       string `json:"value"`
	Pattern     string `json:"pattern"`
	Description string `json:"description"`
}

// ShareObjects returns the objects of a shared bundle, each with env.
func ShareObjects(env Object, data []byte) ([]Object, error) {
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("not a STIX bundle: %w", err)
	}
	out := make([]Object, 0, len(b.Objects))
	for _, raw := range b.Objects {
		var f stixFields
		_ = json.Unmarshal(raw, &f) // a property of another JSON type just stays empty
		o := env
		o.Object, o.Type, o.ID, o.Description = raw, f.Type, f.ID, f.Description
		switch {
		case f.Name != "":
			o.Name = f.Name
		case f.Value != "":
			o.Name = f.Value
		case f.Pattern != "":
			o.Name = f.Pattern
		default:
			o.Name = f.ID
		}
		out = append(out, o)
	}
	return out, nil
}
