package taxii

import "encoding/json"

// envelope is the TAXII envelope of objects, each exactly as it came (with
// json.Marshal a RawMessage would be compacted and its &, <, > and U+2028
// escaped: the same meaning in other bytes).
func envelope(objects []json.RawMessage) []byte {
	n := len(`{"objects":[]}`) + len(objects)
	for _, o := range objects {
		n += len(o)
	}
	b := make([]byte, 0, n)
	b = append(b, `{"objects":[`...)
	for i, o := range objects {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, o...)
	}
	return append(b, "]}"...)
}
