package daemon

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// Preflight is the policy check at the edge: the decision the hub would
// take for this member, taken locally before anything leaves.
type Preflight struct {
	Engine   *policy.Engine // until SetEngine
	Member   string
	Defaults Defaults

	live atomic.Pointer[policy.Engine] // the hub's MoU, as it changes (hubmou.go)
}

// SetEngine makes every later Check decide with e.
func (p *Preflight) SetEngine(e *policy.Engine) { p.live.Store(e) }

func (p *Preflight) engine() *policy.Engine {
	if e := p.live.Load(); e != nil {
		return e
	}
	return p.Engine
}

// Prepare applies the defaults to body (a bundle or one object): objects
// without object_marking_refs get the default TLP, one object is wrapped
// in a bundle. The input stays untouched when there is nothing to change.
// doc is body as the engine parsed it (nil if it could not): a bundle it
// shows needs nothing is returned without reading body again.
func (p *Preflight) Prepare(body []byte, doc *schemas.Document) ([]byte, error) {
	level := p.defaultTLP()
	if doc != nil && doc.Bundle && !needsMarking(doc, level) {
		return body, nil
	}
	return p.rewrite(body, level)
}

func (p *Preflight) defaultTLP() tlp.Level {
	if p.Defaults.TLP == "" {
		return tlp.None
	}
	level, _ := tlp.ParseLevel(p.Defaults.TLP) // checked by the config
	return level
}

// needsMarking says whether rewrite would give an object of doc the
// default level: an object with no object_marking_refs that is not a
// marking definition.
func needsMarking(doc *schemas.Document, level tlp.Level) bool {
	if level == tlp.None {
		return false
	}
	for _, o := range doc.Objects {
		if o.Type() == fastjson.TypeObject && string(o.GetStringBytes("type")) != "marking-definition" && o.Get("object_marking_refs") == nil {
			return true
		}
	}
	return false
}

// rewrite is Prepare on a body that needs a change (or that the engine
// could not parse, which it refuses as before).
func (p *Preflight) rewrite(body []byte, level tlp.Level) ([]byte, error) {
	var probe struct {
		Type    string            `json:"type"`
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	objects := probe.Objects
	bundleID := probe.ID
	if probe.Type != "bundle" {
		objects = []json.RawMessage{body}
		sum := sha256.Sum256(body)
		bundleID = "bundle--" + connectors.UUIDFromHash(sum[:])
	}
	changed := probe.Type != "bundle"
	haveDef := false
	marked := 0
	for i, raw := range objects {
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) != nil {
			continue // the validator will say what is wrong
		}
		if id, _ := unquote(o["id"]); id == tlp.ID(level) {
			haveDef = true
		}
		if t, _ := unquote(o["type"]); t == "marking-definition" || level == tlp.None {
			continue
		}
		if _, ok := o["object_marking_refs"]; ok {
			continue
		}
		o["object_marking_refs"], _ = json.Marshal([]string{tlp.ID(level)})
		objects[i], _ = json.Marshal(o)
		changed = true
		marked++
	}
	if !changed {
		return body, nil
	}
	if marked > 0 && !haveDef {
		objects = append([]json.RawMessage{tlp.Definition(level)}, objects...)
	}
	return json.Marshal(struct {
		Type    string            `json:"type"`
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}{"bundle", bundleID, objects})
}

// Check decides bundle as this member would submit it. A refusal lists
// every reason; nil means it may be sent.
func (p *Preflight) Check(bundle []byte) (*policy.Decision, *connectors.RefusedError) {
	return p.check(p.engine(), bundle, nil)
}

// check is Check with engine, reusing parsed when it is bundle's parse.
func (p *Preflight) check(engine *policy.Engine, bundle []byte, parsed *policy.Parsed) (*policy.Decision, *connectors.RefusedError) {
	d := engine.Decide(policy.Request{Sender: p.Member, To: p.Defaults.To, Community: p.Defaults.Community,
		Anonymous: p.Defaults.Anonymous, Bundle: bundle, Parsed: parsed})
	var blocking []policy.Reason
	for _, o := range d.Objects {
		for _, r := range o.Reasons {
			if isBlocking(r.Code) {
				blocking = append(blocking, r)
			}
		}
	}
	if d.Classified || d.Verdict == policy.Reject || len(blocking) > 0 {
		rs := append([]policy.Reason{}, d.Reasons...)
		for _, o := range d.Objects {
			if !o.Shared || d.Classified {
				rs = append(rs, o.Reasons...)
			}
		}
		if len(rs) == 0 {
			rs = blocking
		}
		return &d, &connectors.RefusedError{Reasons: rs}
	}
	return &d, nil
}

// isBlocking: invalid or classified content is refused even when the rest
// of the submission could be shared.
func isBlocking(c policy.Code) bool {
	s := string(c)
	return strings.HasPrefix(s, "stix.") || strings.HasPrefix(s, "classified.")
}

// StableID is the spool key and Nats-Msg-Id of a source's envelope:
// "gc-<instance>-<hash>", where the hash covers the source name and the
// source's own id if it has one, otherwise the body. The same item read
// twice (after a crash) is the same submission. instance tells this
// connector's submissions from those of another connector of the same
// member, which shares its receipt consumer.
func StableID(instance, source string, e connectors.Envelope) string {
	key := e.Body
	if e.ID != "" {
		key = []byte("id:" + e.ID)
	}
	sum := sha256.Sum256(append([]byte(source+"\x00"), key...))
	return "gc-" + instance + "-" + hex.EncodeToString(sum[:12])
}

// Instance is the id of a connector's spool: stable across restarts, and
// different for two connectors of one member with their own spools.
func Instance(member, spoolDir string) string {
	sum := sha256.Sum256([]byte(member + "\x00" + spoolDir))
	return hex.EncodeToString(sum[:4])
}

func unquote(raw json.RawMessage) (string, bool) {
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}
