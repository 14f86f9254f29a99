package tlp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"
)

// FromDefinition reads the TLP level a marking-definition object defines by
// its own content. It understands
//   - STIX 2.1 TLP 1.0: "definition_type": "tlp", "definition": {"tlp": "amber"};
//   - TLP 2.0: extensions[ExtensionTLP2].tlp_2_0;
//   - OpenCTI: "definition_type": "TLP" with only "name": "TLP:GREEN", and the
//     pycti statement form with "x_opencti_definition_type": "TLP" and
//     "x_opencti_definition": "TLP:AMBER+STRICT".
//
// It returns (level, true, nil) for a TLP marking and (None, false, nil) for
// a marking that is not TLP (a statement, an ISA ACS marking, ...). It
// returns an error, which the caller must treat as a conflict, when
//   - the object uses a known TLP id (LevelOfID) but its content defines
//     another level or no TLP level at all (STIX 2.1 §7.2.1.4 fixes those
//     objects; marking definitions cannot be versioned);
//   - two TLP forms inside the object disagree;
//   - the content is TLP-like but malformed: a "tlp" definition without a
//     level, an unknown level ("TLP:BLACK"), a TLP 2.0 extension without
//     tlp_2_0, a name "TLP:…" on a marking that does not define that level.
//
// Error messages are one line and start with the JSON pointer of the
// member at fault, relative to md ("/definition/tlp: ..."), so the caller
// prefixes the object's own pointer.
func FromDefinition(md *fastjson.Value) (Level, bool, error) {
	if md == nil || md.Type() != fastjson.TypeObject {
		return None, false, errors.New("marking definition is not a JSON object")
	}
	if t := md.GetStringBytes("type"); string(t) != "marking-definition" {
		return None, false, fmt.Errorf("/type: %q is not a marking-definition", clip(string(t)))
	}
	var f found
	readTLP1(md, &f)
	readTLP2(md, &f)
	readOpenCTI(md, &f)
	if f.err != nil {
		return None, false, f.err
	}
	nameLevel, nameIsTLP, nameErr := nameLevel(md)
	id := string(md.GetStringBytes("id"))
	known, isKnown := LevelOfID(id)

	switch {
	case f.level == None && isKnown:
		return None, false, fmt.Errorf("/id: %s is the predefined %s marking but the object does not define that TLP level", id, known.Label())
	case f.level == None && nameIsTLP:
		return None, false, fmt.Errorf("/name: the marking is named like a TLP marking but does not define a TLP level")
	case f.level == None:
		return None, false, nil
	}
	if nameErr != nil {
		return None, false, nameErr
	}
	if nameIsTLP && nameLevel != f.level {
		return None, false, fmt.Errorf("/name: says %s but the definition says %s", nameLevel.Label(), f.level.Label())
	}
	if isKnown && known != f.level {
		return None, false, fmt.Errorf("/id: %s is the predefined %s marking but the object defines %s", id, known.Label(), f.level.Label())
	}
	return f.level, true, nil
}

// found collects the level each TLP form in the object states.
type found struct {
	level Level
	from  string // pointer of the first form found
	err   error
}

func (f *found) add(pointer, raw string) {
	if f.err != nil {
		return
	}
	l, err := ParseLevel(raw)
	if err != nil {
		f.err = fmt.Errorf("%s: %w", pointer, err)
		return
	}
	if f.level != None && f.level != l {
		f.err = fmt.Errorf("%s: says %s but %s says %s", pointer, l.Label(), f.from, f.level.Label())
		return
	}
	f.level, f.from = l, pointer
}

func (f *found) fail(format string, a ...any) {
	if f.err == nil {
		f.err = fmt.Errorf(format, a...)
	}
}

// readTLP1 reads "definition_type": "tlp" (any case, as OpenCTI writes "TLP").
func readTLP1(md *fastjson.Value, f *found) {
	dt := md.Get("definition_type")
	if dt == nil {
		return
	}
	s, err := dt.StringBytes()
	if err != nil {
		f.fail("/definition_type: is not a string")
		return
	}
	if !strings.EqualFold(string(s), "tlp") {
		return
	}
	def := md.Get("definition")
	if def == nil {
		// OpenCTI exports its TLP markings with the level only in "name".
		name := md.GetStringBytes("name")
		if name == nil {
			f.fail("/definition: a tlp marking definition has neither a definition nor a TLP name")
			return
		}
		f.add("/name", string(name))
		return
	}
	if def.Type() != fastjson.TypeObject {
		f.fail("/definition: is not an object")
		return
	}
	var key string
	def.GetObject().Visit(func(k []byte, _ *fastjson.Value) {
		if key == "" && strings.EqualFold(string(k), "tlp") {
			key = string(k)
		}
	})
	if key == "" {
		f.fail("/definition/tlp: missing from a tlp marking definition")
		return
	}
	v, err := def.Get(key).StringBytes()
	if err != nil {
		f.fail("/definition/%s: is not a string", key)
		return
	}
	f.add("/definition/"+key, string(v))
}

// readTLP2 reads the TLP 2.0 property extension.
func readTLP2(md *fastjson.Value, f *found) {
	ext := md.Get("extensions", ExtensionTLP2)
	if ext == nil {
		return
	}
	const ptr = "/extensions/" + ExtensionTLP2 + "/tlp_2_0"
	v := ext.Get("tlp_2_0")
	if v == nil {
		f.fail("%s: missing", ptr)
		return
	}
	s, err := v.StringBytes()
	if err != nil {
		f.fail("%s: is not a string", ptr)
		return
	}
	f.add(ptr, string(s))
}

// readOpenCTI reads pycti's statement form of a TLP marking.
func readOpenCTI(md *fastjson.Value, f *found) {
	dt := md.Get("x_opencti_definition_type")
	if dt == nil {
		return
	}
	s, err := dt.StringBytes()
	if err != nil {
		f.fail("/x_opencti_definition_type: is not a string")
		return
	}
	if !strings.EqualFold(string(s), "tlp") {
		return
	}
	v := md.Get("x_opencti_definition")
	if v == nil || v.Type() != fastjson.TypeString {
		f.fail("/x_opencti_definition: missing or not a string in an OpenCTI TLP marking")
		return
	}
	f.add("/x_opencti_definition", string(v.GetStringBytes()))
}

// nameLevel reads "name" when it looks like TLP ("TLP:…", "TLP …").
func nameLevel(md *fastjson.Value) (Level, bool, error) {
	name := strings.TrimSpace(string(md.GetStringBytes("name")))
	if len(name) < 4 || !strings.EqualFold(name[:3], "tlp") || (name[3] != ':' && name[3] != ' ') {
		return None, false, nil
	}
	l, err := ParseLevel(name)
	if err != nil {
		return None, true, fmt.Errorf("/name: %w", err)
	}
	return l, true, nil
}
