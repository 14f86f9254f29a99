package policy

import (
	"regexp"
	"strings"

	"github.com/valyala/fastjson"
)

// guardFinding is one classified-material finding: where and under which
// scheme, never the text itself.
type guardFinding struct {
	Pointer string
	Scheme  string
	Kind    string
}

// guard is the classified-material guard as the engine uses it.
type guard interface {
	object(obj *fastjson.Value, pointer string) []guardFinding
	markingDefinition(md *fastjson.Value, pointer string) []guardFinding
}

// interimGuard stands in until package classify lands: statement and ACS
// markings and a few banners only.
// TODO(policy): switch to classify.Guard.
type interimGuard struct{}

var interimBanner = regexp.MustCompile(`(?i)(^|[^a-z])(top secret|secret|confidential|restricted)(//|$)|\((ts|s|c)(//[a-z ]+)?\)|nato restricted|eu confidential`)

func newGuard(c Classification) (guard, error) { return interimGuard{}, nil }

func (interimGuard) object(obj *fastjson.Value, pointer string) []guardFinding {
	var out []guardFinding
	for _, k := range []string{"name", "description"} {
		if s := string(obj.GetStringBytes(k)); s != "" && interimBanner.MatchString(s) {
			out = append(out, guardFinding{Pointer: pointer + "/" + k, Scheme: "us", Kind: "banner"})
		}
	}
	return out
}

func (interimGuard) markingDefinition(md *fastjson.Value, pointer string) []guardFinding {
	var out []guardFinding
	if s := string(md.GetStringBytes("definition", "statement")); s != "" && interimBanner.MatchString(strings.TrimSpace(s)) {
		out = append(out, guardFinding{Pointer: pointer + "/definition/statement", Scheme: "us", Kind: "statement"})
	}
	md.GetObject("extensions").Visit(func(k []byte, v *fastjson.Value) {
		switch string(v.GetStringBytes("control_set", "classification")) {
		case "C", "S", "TS":
			out = append(out, guardFinding{Pointer: pointer + "/extensions/" + string(k) + "/control_set/classification", Scheme: "us", Kind: "acs"})
		}
	})
	return out
}
