package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/genevahub/geneva/policy/tlp"
)

var errMarkingRejected = errors.New("the marking definition was rejected")

// marking is what a marking definition in the bundle says.
type marking struct {
	index int
	level tlp.Level // None for a marking that is not TLP
	err   error     // its content is a broken or contradictory TLP marking
}

func (s *decider) indexMarking(i int, md *fastjson.Value) {
	if s.markings == nil {
		s.markings = map[string]marking{}
	}
	id := s.d.Objects[i].ID
	level, _, err := tlp.FromDefinition(md)
	if prev, dup := s.markings[id]; dup && err == nil && prev.err == nil && prev.level != level {
		err = fmt.Errorf("the bundle holds two versions of %s that define different TLP levels", id)
	}
	if err != nil {
		code := CodeTLPUnknown
		if _, known := tlp.LevelOfID(id); known {
			code = CodeTLPDefinitionConflict
		}
		ptr, msg := splitPointer(s.pointer(i), err.Error())
		s.reject(i, Reason{Code: code, Pointer: ptr, Message: msg})
	}
	if _, dup := s.markings[id]; !dup || err != nil {
		s.markings[id] = marking{index: i, level: level, err: err}
	}
}

// splitPointer turns tlp's "/definition/tlp: message" into a pointer under
// the object and the message.
func splitPointer(base, msg string) (string, string) {
	if strings.HasPrefix(msg, "/") {
		if p, rest, ok := strings.Cut(msg, ": "); ok && !strings.ContainsAny(p, " ") {
			return base + p, rest
		}
	}
	return base, msg
}

// lookup resolves a marking reference: its TLP level (None when it is not
// TLP), whether it is known at all, and whether it is broken.
func (s *decider) lookup(ref string) (level tlp.Level, known bool, broken error) {
	if m, ok := s.markings[ref]; ok {
		if m.err == nil && s.failed[m.index] {
			return m.level, true, errMarkingRejected
		}
		return m.level, true, m.err
	}
	if l, ok := tlp.LevelOfID(ref); ok {
		return l, true, nil
	}
	return tlp.None, false, nil
}

// markingRefs calls f for every marking reference of obj with where it
// is: its pointer, built only when a reason needs it, and whether it is
// granular.
func markingRefs(obj *fastjson.Value, f func(ref string, at refPlace)) {
	for j, r := range obj.GetArray("object_marking_refs") {
		f(string(r.GetStringBytes()), refPlace{j, false})
	}
	for j, g := range obj.GetArray("granular_markings") {
		if ref := g.GetStringBytes("marking_ref"); ref != nil {
			f(string(ref), refPlace{j, true})
		}
	}
}

// refPlace is where a marking reference sits in its object.
type refPlace struct {
	index    int
	granular bool
}

// pointer is the reference's JSON pointer relative to the object.
func (p refPlace) pointer() string {
	if p.granular {
		return "/granular_markings/" + itoa(p.index) + "/marking_ref"
	}
	return "/object_marking_refs/" + itoa(p.index)
}

// objectTLP works out the TLP level object i is shared at. Granular TLP
// markings never let a field reach someone its marking forbids: the whole
// object is treated at its most restrictive TLP marking. Unknown or
// conflicting markings reject the object.
func (s *decider) objectTLP(i int, obj *fastjson.Value) (tlp.Level, bool) {
	base := s.pointer(i)
	var objLevel, granLevel tlp.Level
	var objFrom refPlace
	ok := true
	markingRefs(obj, func(ref string, at refPlace) {
		level, _, broken := s.lookup(ref)
		switch {
		case broken == errMarkingRejected:
			s.reject(i, Reason{Code: CodeMarkingRejected, Pointer: base + at.pointer(), Message: fmt.Sprintf("references %s, a marking definition of the bundle that was rejected", clip(ref))})
			ok = false
		case broken != nil:
			s.reject(i, Reason{Code: CodeTLPDefinitionConflict, Pointer: base + at.pointer(), Message: fmt.Sprintf("references %s, a marking definition whose TLP content is broken or contradicts its id", clip(ref))})
			ok = false
		case level == tlp.None:
		case at.granular:
			granLevel = tlp.Max(granLevel, level)
		case objLevel != tlp.None && objLevel != level:
			s.reject(i, Reason{Code: CodeTLPConflict, Pointer: base + at.pointer(), Message: fmt.Sprintf("marked both %s (%s) and %s: one object has one TLP level", objLevel.Label(), base+objFrom.pointer(), level.Label())})
			ok = false
		default:
			objLevel, objFrom = level, at
		}
	})
	if !ok {
		return tlp.None, false
	}
	if granLevel.MoreRestrictive(objLevel) {
		msg := fmt.Sprintf("a granular marking is %s: the whole object is treated at %s, its most restrictive marking", granLevel.Label(), granLevel.Label())
		if objLevel != tlp.None {
			msg = fmt.Sprintf("marked %s with a granular %s marking: the whole object is treated at %s, its most restrictive marking", objLevel.Label(), granLevel.Label(), granLevel.Label())
		}
		s.note(i, Reason{Code: CodeTLPGranular, Pointer: base + "/granular_markings", Message: msg})
		return granLevel, true
	}
	if objLevel != tlp.None {
		return objLevel, true
	}
	if s.e.unmarked == tlp.None {
		s.reject(i, Reason{Code: CodeTLPUnmarked, Pointer: base, Message: "the object has no TLP marking and the MoU rejects unmarked content"})
		return tlp.None, false
	}
	s.note(i, Reason{Code: CodeTLPDefaulted, Pointer: base, Message: fmt.Sprintf("the object has no TLP marking: the MoU's default %s applies", s.e.unmarked.Label())})
	return s.e.unmarked, true
}

// checkClassified runs the classified-material guard over every object
// and every marking definition. Any finding rejects the whole submission;
// so does a marking reference that is neither well known nor in the
// bundle, since it may be a classification (fail closed).
func (s *decider) checkClassified() bool {
	var rs []Reason
	for i, obj := range s.doc.Objects {
		base := s.pointer(i)
		// Object also checks a marking definition's own marking content.
		for _, f := range s.e.guard.Object(obj, base) {
			rs = append(rs, Reason{Code: classifiedCode(f.Kind), Pointer: f.Pointer,
				Message: fmt.Sprintf("classified material (%s %s): the whole submission must not enter the channel", schemeName(f.Scheme), kindName(f.Kind))})
		}
		markingRefs(obj, func(ref string, at refPlace) {
			if _, known, _ := s.lookup(ref); !known {
				rs = append(rs, Reason{Code: CodeClassifiedUnknownMarking, Pointer: base + at.pointer(),
					Message: fmt.Sprintf("marking definition %s is neither well known nor in the bundle: it may be a classification", clip(ref))})
			}
		})
	}
	if len(rs) == 0 {
		return true
	}
	s.d.Classified = true
	s.d.doc = nil // keep no classified content in the decision
	s.rejectAll("rejected with the whole submission: the classified-material guard fired", rs...)
	return false
}

func classifiedCode(kind string) Code {
	switch strings.ToLower(kind) {
	case "banner":
		return CodeClassifiedBanner
	case "portion", "portion_mark", "portion-mark":
		return CodeClassifiedPortionMark
	case "statement":
		return CodeClassifiedStatement
	case "acs", "isa-acs", "acs3":
		return CodeClassifiedACS
	case "label", "labels":
		return CodeClassifiedLabel
	case "property", "custom-property", "custom_property":
		return CodeClassifiedProperty
	case "granular":
		return CodeClassifiedGranular
	}
	return CodeClassifiedMarking
}

var schemeNames = map[string]string{"us": "US", "nato": "NATO", "eu": "EU", "uk": "UK", "fr": "French",
	"de": "German", "acs": "ISA ACS 3.0", "extra": "MoU extra-term"}

func schemeName(s string) string {
	if n, ok := schemeNames[s]; ok {
		return n
	}
	return "unnamed-scheme"
}

var kindNames = map[string]string{"banner": "banner line", "portion-mark": "portion mark", "statement": "statement marking",
	"acs": "classification", "label": "label", "property": "custom property", "granular": "granular marking"}

func kindName(k string) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "marking"
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return fmt.Sprint(i)
}
