package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/segmentio/kafka-go"

	"github.com/genevahub/geneva/hub/archive/internal/scan"
	"github.com/genevahub/geneva/policy/tlp"
)

// Kafka header names of archived records: the format analytics teams code
// against (docs/archive.md). Values are UTF-8 text; numbers are decimal.
const (
	HeaderTLP        = "geneva-tlp"          // clear, green, amber, amber+strict
	HeaderSender     = "geneva-sender"       // member id or "anonymous"
	HeaderSubmission = "geneva-submission"   // submission id
	HeaderAudience   = "geneva-audience"     // comma-separated member ids
	HeaderReceived   = "geneva-received"     // RFC 3339 time the hub received the submission
	HeaderStream     = "nats-stream"         // JetStream stream the message came from
	HeaderSeq        = "nats-seq"            // its stream sequence
	HeaderIndex      = "geneva-object-index" // position of the object in the part's "objects" (0 for audit)
	HeaderSTIXType   = "stix-type"           // the object's "type"
	HeaderModified   = "stix-modified"       // the object's "modified", when it has one
	HeaderBatchStart = "geneva-batch-start"  // bookkeeping: nats-seq of the first record of the write call
)

// record is one Kafka record with its place in the stream.
type record struct {
	pos  pos
	msg  kafka.Message
	size int // recordSize(msg), set by the batcher
}

// pos orders records: stream sequence, then object index within the part.
type pos struct {
	seq   uint64
	index int
}

func (p pos) less(q pos) bool { return p.seq < q.seq || (p.seq == q.seq && p.index < q.index) }

// shareRecords turns one GENEVA_SHARE part into one record per archivable
// object. A part that policy keeps out of the archive (Geneva-Archive not
// "true", always so for RED) yields none.
func (c Config) shareRecords(stream string, seq uint64, h nats.Header, body []byte) ([]record, error) {
	if h.Get(c.Wire.ArchiveFlag) != "true" {
		return nil, nil
	}
	if level := h.Get(c.Wire.TLP); level == "red" || level == "" {
		return nil, fmt.Errorf("%s seq %d: %s is %q but the part is marked archivable; refusing it", stream, seq, c.Wire.TLP, level)
	}
	list := objectLists.Get().(*[]scan.Object)
	objects, err := scan.Bundle(body, *list)
	defer func() { clear(objects); *list = objects[:0]; objectLists.Put(list) }()
	if err != nil {
		return nil, fmt.Errorf("%s seq %d: body is not a STIX bundle: %v", stream, seq, err)
	}
	only, err := positions(h, c.Wire.ArchiveObjects, len(objects))
	if err != nil {
		return nil, fmt.Errorf("%s seq %d: %v", stream, seq, err)
	}
	base := partHeaders(h, c.Wire, stream, seq)
	out := make([]record, 0, len(objects))
	// One header array for the part: room per record for the base, index,
	// type, modified and the batch-start header the batcher appends. Keys,
	// values, types and modified times are slices of the message body:
	// kafka-go only reads them.
	per := len(base) + 4
	all := make([]kafka.Header, per*len(objects))
	for i, obj := range objects {
		if only != nil && !only[i] {
			continue // another message of the same part archives it
		}
		if len(obj.ID) == 0 {
			return nil, fmt.Errorf("%s seq %d: /objects/%d has no string \"id\"", stream, seq, i)
		}
		if bytes.IndexByte(obj.Raw, '\\') >= 0 && !json.Valid(obj.Raw) {
			// The scan is lenient: an escape that is not JSON's (the
			// failure seen, Go's \a or \x1b) would make a record that
			// breaks every reader of the topic. Only objects with escapes
			// pay for the check.
			return nil, fmt.Errorf("%s seq %d: /objects/%d (%s) is not valid JSON", stream, seq, i, obj.ID)
		}
		if !c.KeepTLPMarkings && string(obj.Type) == "marking-definition" {
			if _, known := tlp.LevelOfID(string(obj.ID)); known {
				continue
			}
		}
		k := len(out)
		hs := all[k*per : k*per+len(base) : (k+1)*per]
		copy(hs, base[:])
		hs = append(hs,
			kafka.Header{Key: HeaderIndex, Value: indexValue(i)},
			kafka.Header{Key: HeaderSTIXType, Value: obj.Type})
		if len(obj.Modified) > 0 {
			hs = append(hs, kafka.Header{Key: HeaderModified, Value: obj.Modified})
		}
		out = append(out, record{
			pos: pos{seq, i},
			msg: kafka.Message{Topic: c.ObjectsTopic.Name, Key: obj.ID, Value: obj.Raw, Headers: hs},
		})
	}
	return out, nil
}

// partHeaders are the headers every record of a part carries. Their values
// share one allocation: a part's records live until they are written.
func partHeaders(h nats.Header, w WireNames, stream string, seq uint64) [7]kafka.Header {
	values := [...]string{h.Get(w.TLP), h.Get(w.Sender), h.Get(w.Submission), h.Get(w.Audience), h.Get(w.Received), stream}
	n := 20 // the sequence's digits
	for _, v := range values {
		n += len(v)
	}
	buf := make([]byte, 0, n)
	var out [7]kafka.Header
	for i, key := range [...]string{HeaderTLP, HeaderSender, HeaderSubmission, HeaderAudience, HeaderReceived, HeaderStream} {
		start := len(buf)
		buf = append(buf, values[i]...)
		out[i] = kafka.Header{Key: key, Value: buf[start:len(buf):len(buf)]}
	}
	start := len(buf)
	buf = strconv.AppendUint(buf, seq, 10)
	out[6] = kafka.Header{Key: HeaderSeq, Value: buf[start:]}
	return out
}

// objectLists are scan.Bundle's result lists, reused: records keep slices
// of the body, not the list.
var objectLists = sync.Pool{New: func() any { return new([]scan.Object) }}

// smallIndexes are the geneva-object-index values of most objects, shared
// read-only by every record (kafka-go only reads header values).
var smallIndexes = func() [][]byte {
	v := make([][]byte, 256)
	for i := range v {
		v[i] = []byte(strconv.Itoa(i))
	}
	return v
}()

func indexValue(i int) []byte {
	if i < len(smallIndexes) {
		return smallIndexes[i]
	}
	return strconv.AppendInt(nil, int64(i), 10)
}

// positions reads the header naming which objects a message archives: nil
// when absent (all of them).
func positions(h nats.Header, name string, n int) ([]bool, error) {
	values := h.Values(name)
	if len(values) == 0 {
		return nil, nil
	}
	only := make([]bool, n)
	for _, v := range values {
		for f := range strings.SplitSeq(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			i, err := strconv.Atoi(f)
			if err != nil || i < 0 || i >= n {
				return nil, fmt.Errorf("header %s: %q is not a position in /objects (0 to %d)", name, f, n-1)
			}
			only[i] = true
		}
	}
	return only, nil
}

// auditRecords copies one audit entry byte for byte; the key is its stream
// sequence, so a single-partition topic keeps the hash chain in order.
func (c Config) auditRecords(stream string, seq uint64, _ nats.Header, body []byte) ([]record, error) {
	s := strconv.FormatUint(seq, 10)
	return []record{{
		pos: pos{seq, 0},
		msg: kafka.Message{
			Topic: c.AuditTopic.Name,
			Key:   []byte(s),
			Value: body,
			Headers: []kafka.Header{
				{Key: HeaderStream, Value: []byte(stream)},
				{Key: HeaderSeq, Value: []byte(s)},
				{Key: HeaderIndex, Value: []byte("0")},
			},
		},
	}}, nil
}
