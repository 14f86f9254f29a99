package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/deadletter"
)

// subscribeQueue is geneva subscribe's dead-letter queue.
const subscribeQueue = "subscribe"

// skipper keeps the shares a subscription could not read as dead letters
// and says so, one line each.
type skipper struct {
	root    string
	w       io.Writer
	skipped int
}

const headerSeq, headerScope = "Geneva-Seq", "Geneva-Scope"

func (k *skipper) skip(e *member.SkippedError) error {
	env := e.Share
	m := deadletter.Message{Name: fmt.Sprintf("share-%d", env.Seq), Body: e.Data, Headers: map[string]string{
		headerSeq: strconv.FormatUint(env.Seq, 10), wire.HeaderSubmission: env.Submission, wire.HeaderSender: env.Sender,
		wire.HeaderTLP: env.TLP, headerScope: env.Scope, wire.HeaderReceived: env.Received.Format(time.RFC3339Nano)}}
	k.skipped++
	if err := deadletter.Put(k.root, subscribeQueue, m, e.Err.Error(), 1, time.Now()); err != nil {
		fmt.Fprintf(k.w, "geneva subscribe: %v; not kept: %v\n", e, err)
		return nil
	}
	path := deadletter.Letter{Queue: subscribeQueue, Name: deadletter.SafeName(m.Name)}.Path(k.root)
	fmt.Fprintf(k.w, "geneva subscribe: %v; kept as %s\n", e, path)
	return nil
}

// replays shows what `geneva deadletter replay` handed back; a share that
// still cannot be read is skipped again.
func (k *skipper) replays(show func(member.Object) error) error {
	rs, err := deadletter.Replays(k.root, subscribeQueue)
	if err != nil {
		return err
	}
	for _, r := range rs {
		env := member.Object{Submission: r.Headers[wire.HeaderSubmission], Sender: r.Headers[wire.HeaderSender],
			TLP: r.Headers[wire.HeaderTLP], Scope: r.Headers[headerScope]}
		env.Seq, _ = strconv.ParseUint(r.Headers[headerSeq], 10, 64)
		env.Received, _ = time.Parse(time.RFC3339Nano, r.Headers[wire.HeaderReceived])
		objs, err := member.ShareObjects(env, r.Body)
		if err != nil {
			if err := k.skip(&member.SkippedError{Share: env, Data: r.Body, Err: err}); err != nil {
				return err
			}
		}
		for _, o := range objs {
			if err := show(o); err != nil {
				return err
			}
		}
		if err := r.Done(); err != nil {
			return err
		}
	}
	return nil
}

// status is the end of a subscription: exit 5 if anything was skipped.
func (k *skipper) status() error {
	if k.skipped > 0 {
		return quietError{code: exitPartial}
	}
	return nil
}

// objectEnvelope is a JSON line's envelope; the object follows as it came.
type objectEnvelope struct {
	Seq        uint64    `json:"seq"`
	Submission string    `json:"submission"`
	Sender     string    `json:"sender"`
	TLP        string    `json:"tlp"`
	Scope      string    `json:"scope"`
	Received   time.Time `json:"received"`
}

// writeObjectLine writes {"seq",...,"object":OBJECT} with the object's bytes
// exactly as shared (json.Marshal would re-escape &<> and reformat). Only
// line breaks between tokens, which would split the line, are taken out.
func writeObjectLine(w io.Writer, o member.Object) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(objectEnvelope{o.Seq, o.Submission, o.Sender, o.TLP, o.Scope, o.Received}); err != nil {
		return err
	}
	line := bytes.TrimRight(buf.Bytes(), "\n")
	line = append(line[:len(line)-1], `,"object":`...)
	if bytes.ContainsAny(o.Object, "\r\n") {
		var c bytes.Buffer
		if err := json.Compact(&c, o.Object); err != nil {
			return err
		}
		line = append(line, c.Bytes()...)
	} else {
		line = append(line, o.Object...)
	}
	_, err := w.Write(append(line, '}', '\n'))
	return err
}
