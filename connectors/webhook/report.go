package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/policy/tlp"
)

// Report is the simple incident report a person or a tool can post: what
// happened, when, the indicators seen and the TLP.
type Report struct {
	Title       string      `json:"title"`       // what happened, one line
	Description string      `json:"description"` // more detail
	Occurred    string      `json:"occurred"`    // when (RFC 3339)
	TLP         string      `json:"tlp"`         // clear, green, amber, amber+strict, red; "" uses the connector's default
	Indicators  []Indicator `json:"indicators"`
}

// Indicator is one observable seen in the incident.
type Indicator struct {
	Type  string `json:"type"` // ipv4, ipv6, domain, url, email, md5, sha1, sha256
	Value string `json:"value"`
}

// patternFor maps indicator types to STIX pattern paths and a check.
var patternFor = map[string]struct {
	path  string
	valid func(string) bool
}{
	"ipv4":   {"ipv4-addr:value", func(v string) bool { ip := net.ParseIP(v); return ip != nil && ip.To4() != nil }},
	"ipv6":   {"ipv6-addr:value", func(v string) bool { ip := net.ParseIP(v); return ip != nil && ip.To4() == nil }},
	"domain": {"domain-name:value", func(v string) bool { return v != "" && !strings.ContainsAny(v, " /:@") && strings.Contains(v, ".") }},
	"url":    {"url:value", func(v string) bool { u, err := url.Parse(v); return err == nil && u.Scheme != "" && u.Host != "" }},
	"email":  {"email-addr:value", func(v string) bool { a, err := mail.ParseAddress(v); return err == nil && a.Address == v }},
	"md5":    {"file:hashes.MD5", hexOf(16)},
	"sha1":   {"file:hashes.'SHA-1'", hexOf(20)},
	"sha256": {"file:hashes.'SHA-256'", hexOf(32)},
}

func hexOf(n int) func(string) bool {
	return func(v string) bool { b, err := hex.DecodeString(v); return err == nil && len(b) == n }
}

// Validate lists every problem with its JSON pointer.
func (r Report) Validate() error {
	var errs []error
	if strings.TrimSpace(r.Title) == "" {
		errs = append(errs, errors.New("/title: required"))
	}
	if at, err := time.Parse(time.RFC3339, r.Occurred); err != nil {
		errs = append(errs, fmt.Errorf("/occurred: %q is not an RFC 3339 time", r.Occurred))
	} else if y := at.UTC().Year(); y < 1 || y > 9999 {
		// STIX timestamps are four-digit UTC years; an offset can push
		// 0000-01-01 or 9999-12-31 out of range.
		errs = append(errs, fmt.Errorf("/occurred: %q is outside the years 0001 to 9999 in UTC", r.Occurred))
	}
	if r.TLP != "" {
		if _, err := tlp.ParseLevel(r.TLP); err != nil {
			errs = append(errs, fmt.Errorf("/tlp: %v", err))
		}
	}
	for i, ind := range r.Indicators {
		p, ok := patternFor[ind.Type]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("/indicators/%d/type: %q is not one of ipv4, ipv6, domain, url, email, md5, sha1, sha256", i, ind.Type))
		case !p.valid(ind.Value):
			errs = append(errs, fmt.Errorf("/indicators/%d/value: %q is not a valid %s", i, ind.Value, ind.Type))
		}
	}
	return errors.Join(errs...)
}

// Bundle turns the report into STIX 2.1: an incident, one indicator per
// observable, a sighting of each by the reporting member, related to the
// incident. Ids derive from the report, so posting it twice gives the same
// objects (and the spool sees a duplicate).
func (r Report) Bundle(identity string, now time.Time) (id string, bundle []byte, err error) {
	return r.BundleWithin(context.Background(), identity, now, 0)
}

// BundleWithin is Bundle in time linear in the report: each id hashes a
// per-report seed (the report's digest, computed once) and the object's
// own content, not the whole report again. It stops with a
// *connectors.RefusedError as soon as the bundle passes limit bytes (0: no
// limit), and with ctx's error once ctx ends (the client went away).
func (r Report) BundleWithin(ctx context.Context, identity string, now time.Time, limit int64) (id string, bundle []byte, err error) {
	if err := r.Validate(); err != nil {
		return "", nil, err
	}
	occurred, _ := time.Parse(time.RFC3339, r.Occurred)
	at := occurred.UTC().Format("2006-01-02T15:04:05.000Z")
	created := now.UTC().Format("2006-01-02T15:04:05.000Z")
	key, _ := json.Marshal(r)
	digest := sha256.Sum256(key)
	seed := hex.EncodeToString(digest[:])
	id = "bundle--" + connectors.UUIDFrom(seed, "bundle")
	out := &bundleWriter{limit: limit}
	out.buf.WriteString(`{"id":"` + id + `","objects":[`)
	var markings []string
	if r.TLP != "" {
		level, _ := tlp.ParseLevel(r.TLP)
		markings = []string{tlp.ID(level)}
		if err := json.Compact(&out.buf, tlp.Definition(level)); err != nil {
			return "", nil, err
		}
		out.n++
	}
	common := func(typ string, content ...string) *stixObject {
		return &stixObject{Type: typ, SpecVersion: "2.1", ID: typ + "--" + connectors.UUIDFrom(append([]string{seed, typ}, content...)...),
			Created: created, Modified: created, CreatedByRef: identity, ObjectMarkingRefs: markings}
	}
	incident := common("incident", "")
	incident.Name, incident.Description = r.Title, r.Description
	if err := out.add(incident); err != nil {
		return "", nil, err
	}
	var sightedBy []string
	if identity != "" {
		sightedBy = []string{identity}
	}
	escape := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	for i, ind := range r.Indicators {
		if i%256 == 0 && ctx.Err() != nil {
			return "", nil, ctx.Err()
		}
		p := patternFor[ind.Type]
		n := strconv.Itoa(i)
		indicator := common("indicator", n, ind.Type, ind.Value)
		indicator.Name = ind.Type + " " + ind.Value
		indicator.IndicatorTypes = maliciousActivity
		indicator.Pattern = "[" + p.path + " = '" + escape.Replace(ind.Value) + "']"
		indicator.PatternType, indicator.ValidFrom = "stix", at
		sighting := common("sighting", n, ind.Type, ind.Value)
		sighting.SightingOfRef, sighting.FirstSeen, sighting.LastSeen, sighting.Count = indicator.ID, at, at, 1
		sighting.WhereSightedRefs = sightedBy
		rel := common("relationship", n, ind.Type, ind.Value)
		rel.RelationshipType, rel.SourceRef, rel.TargetRef = "related-to", indicator.ID, incident.ID
		for _, o := range []*stixObject{indicator, sighting, rel} {
			if err := out.add(o); err != nil {
				return "", nil, err
			}
		}
	}
	out.buf.WriteString(`],"type":"bundle"}`)
	if limit > 0 && int64(out.buf.Len()) > limit {
		return "", nil, connectors.TooLarge(int64(out.buf.Len()), limit)
	}
	return id, out.buf.Bytes(), nil
}

var maliciousActivity = []string{"malicious-activity"}

// stixObject is every object a report makes (incident, indicator,
// sighting, relationship): a struct, which encoding/json writes several
// times faster than a map; absent properties are left out.
type stixObject struct {
	Type              string   `json:"type"`
	SpecVersion       string   `json:"spec_version"`
	ID                string   `json:"id"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
	CreatedByRef      string   `json:"created_by_ref,omitempty"`
	ObjectMarkingRefs []string `json:"object_marking_refs,omitempty"`
	Name              string   `json:"name,omitempty"`
	Description       string   `json:"description,omitempty"`
	IndicatorTypes    []string `json:"indicator_types,omitempty"`
	Pattern           string   `json:"pattern,omitempty"`
	PatternType       string   `json:"pattern_type,omitempty"`
	ValidFrom         string   `json:"valid_from,omitempty"`
	SightingOfRef     string   `json:"sighting_of_ref,omitempty"`
	FirstSeen         string   `json:"first_seen,omitempty"`
	LastSeen          string   `json:"last_seen,omitempty"`
	Count             int      `json:"count,omitempty"`
	WhereSightedRefs  []string `json:"where_sighted_refs,omitempty"`
	RelationshipType  string   `json:"relationship_type,omitempty"`
	SourceRef         string   `json:"source_ref,omitempty"`
	TargetRef         string   `json:"target_ref,omitempty"`
}

// bundleWriter appends objects to a bundle, stopping once past limit.
type bundleWriter struct {
	buf   bytes.Buffer
	n     int
	limit int64
}

func (w *bundleWriter) add(o *stixObject) error {
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if w.n > 0 {
		w.buf.WriteByte(',')
	}
	w.n++
	w.buf.Write(data)
	if w.limit > 0 && int64(w.buf.Len()) > w.limit {
		return connectors.TooLarge(int64(w.buf.Len()), w.limit)
	}
	return nil
}
