package portal

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/genevahub/geneva/policy/tlp"
)

// An indicator typed into the form as a plain value, and what it becomes:
// a STIX cyber-observable with its deterministic id (STIX 2.1 §2.9) and an
// indicator whose STIX pattern matches exactly that value.
type indicatorValue struct {
	kind    string // ipv4-addr, ipv6-addr, domain-name, url, email-addr, file
	value   string
	hashAlg string // MD5, SHA-1, SHA-256, SHA-512 for a file hash
}

var (
	hexRE    = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	domainRE = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)
	hashAlgs = map[int]string{32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
)

// parseIndicator recognises an IP address, URL, email address, file hash
// or domain name.
func parseIndicator(s string) (indicatorValue, error) {
	if ip := net.ParseIP(s); ip != nil {
		if ip.To4() != nil && !strings.Contains(s, ":") {
			return indicatorValue{kind: "ipv4-addr", value: ip.String()}, nil
		}
		return indicatorValue{kind: "ipv6-addr", value: ip.String()}, nil
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp") {
			return indicatorValue{}, fmt.Errorf("%q is not an http, https or ftp URL with a host", s)
		}
		return indicatorValue{kind: "url", value: s}, nil
	}
	if strings.Contains(s, "@") {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s {
			return indicatorValue{}, fmt.Errorf("%q is not a bare email address", s)
		}
		return indicatorValue{kind: "email-addr", value: s}, nil
	}
	if alg, ok := hashAlgs[len(s)]; ok && hexRE.MatchString(s) {
		return indicatorValue{kind: "file", value: strings.ToLower(s), hashAlg: alg}, nil
	}
	if len(s) <= 253 && domainRE.MatchString(s) {
		return indicatorValue{kind: "domain-name", value: strings.ToLower(s)}, nil
	}
	return indicatorValue{}, fmt.Errorf("%q is not an IP address, domain, URL, email address or MD5/SHA-1/SHA-256/SHA-512 hash", s)
}

// patternString quotes a STIX pattern string literal (STIX 2.1 §9.2).
func patternString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func (v indicatorValue) pattern() string {
	if v.kind == "file" {
		return "[file:hashes." + patternString(v.hashAlg) + " = " + patternString(v.value) + "]"
	}
	return "[" + v.kind + ":value = " + patternString(v.value) + "]"
}

// contributing are the properties the observable's id is derived from.
func (v indicatorValue) contributing() map[string]any {
	if v.kind == "file" {
		return map[string]any{"hashes": map[string]string{v.hashAlg: v.value}}
	}
	return map[string]any{"value": v.value}
}

// scoNamespace is the STIX 2.1 namespace for deterministic SCO ids.
var scoNamespace = [16]byte{0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7}

// id is type--UUIDv5(namespace, canonical JSON of the contributing
// properties); string-only objects with sorted keys are canonical JSON
// (RFC 8785) as encoding/json writes them without HTML escaping.
func (v indicatorValue) id() string {
	return v.kind + "--" + uuid5(scoNamespace, compactJSON(v.contributing()))
}

func uuid5(ns [16]byte, name []byte) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write(name)
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

func uuid4() string {
	u := make([]byte, 16)
	_, _ = rand.Read(u)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

func formatUUID(u []byte) string {
	h := hex.EncodeToString(u)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func compactJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// incidentBundle is the STIX 2.1 bundle of a report: the TLP marking
// definition, the incident, and per indicator value an observable, an
// indicator and relationships tying them to the incident; per attachment a
// file observable (SHA-256 and name) the incident relates to. Every object
// carries the report's TLP marking. creator is the member's identity id
// ("" when the report is anonymous: no created_by_ref then).
func incidentBundle(r *report, creator string, now time.Time) []byte {
	marking := []string{tlp.ID(r.level)}
	ts := stixTime(now)
	common := func(typ string) map[string]any {
		o := map[string]any{"type": typ, "spec_version": "2.1", "id": typ + "--" + uuid4(),
			"created": ts, "modified": ts, "object_marking_refs": marking}
		if creator != "" {
			o["created_by_ref"] = creator
		}
		return o
	}
	relate := func(src, dst string) map[string]any {
		rel := common("relationship")
		rel["relationship_type"], rel["source_ref"], rel["target_ref"] = "related-to", src, dst
		return rel
	}
	objects := []any{json.RawMessage(tlp.Definition(r.level))}
	inc := common("incident")
	inc["name"], inc["description"] = r.title, r.description()
	if r.sector != "" {
		inc["labels"] = []string{"sector:" + r.sector}
	}
	objects = append(objects, inc)
	validFrom := ts
	if !r.when.IsZero() {
		validFrom = stixTime(r.when)
	}
	for _, v := range r.indicators {
		sco := map[string]any{"type": v.kind, "spec_version": "2.1", "id": v.id(), "object_marking_refs": marking}
		for k, val := range v.contributing() {
			sco[k] = val
		}
		ind := common("indicator")
		ind["name"] = v.kind + " " + v.value
		ind["pattern"], ind["pattern_type"], ind["valid_from"] = v.pattern(), "stix", validFrom
		ind["indicator_types"] = []string{"malicious-activity"}
		objects = append(objects, sco, ind, relate(ind["id"].(string), inc["id"].(string)), relate(ind["id"].(string), v.id()))
	}
	for _, a := range r.attachments { // a file observable the incident relates to
		props := map[string]any{"hashes": map[string]string{"SHA-256": a.sha256}}
		if a.name != "" {
			props["name"] = a.name
		}
		sco := map[string]any{"type": "file", "spec_version": "2.1", "id": "file--" + uuid5(scoNamespace, compactJSON(props)),
			"object_marking_refs": marking}
		for k, v := range props {
			sco[k] = v
		}
		objects = append(objects, sco, relate(inc["id"].(string), sco["id"].(string)))
	}
	return compactJSON(map[string]any{"type": "bundle", "id": "bundle--" + uuid4(), "objects": objects})
}
