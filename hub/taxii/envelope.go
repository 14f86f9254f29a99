package taxii

import (
	"encoding/json"
	"errors"
	"fmt"
)

type jsonRaw = json.RawMessage

// splitObjects is the "objects" of a stored bundle, each as stored.
func splitObjects(data []byte) ([]jsonRaw, error) {
	var b wireBundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("share message: %w", err)
	}
	return b.Objects, nil
}

// bundleOf turns a posted TAXII envelope into the STIX bundle submitted
// to the hub, and lists its objects for the status.
func bundleOf(data []byte) ([]byte, []postedObject, error) {
	var env struct {
		Objects *[]jsonRaw `json:"objects"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, nil, fmt.Errorf("the body is not a TAXII envelope: %v", err)
	}
	if env.Objects == nil || len(*env.Objects) == 0 {
		return nil, nil, errors.New(`the envelope has no "objects"`)
	}
	objects := make([]postedObject, len(*env.Objects))
	for i, raw := range *env.Objects {
		var o wireObject
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, nil, fmt.Errorf("/objects/%d: not a STIX object: %v", i, err)
		}
		objects[i] = postedObject{ID: o.ID, Version: o.Modified}
		if objects[i].Version == "" {
			objects[i].Version = o.Created
		}
	}
	b := make([]byte, 0, len(data)+64)
	b = append(b, `{"type":"bundle","id":"bundle--`...)
	b = append(b, newUUID()...)
	b = append(b, `","objects":[`...)
	for i, raw := range *env.Objects {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, raw...)
	}
	return append(b, "]}"...), objects, nil
}
