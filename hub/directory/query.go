package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Query selects members. Empty fields match everything; the others must all
// match, ignoring case. Sector matches any of a member's sectors.
type Query struct {
	Jurisdiction string `json:"jurisdiction,omitempty"`
	Type         string `json:"type,omitempty"`
	Sector       string `json:"sector,omitempty"`
}

// Filter returns the members matching q, sorted by id. It does not modify
// members.
func Filter(members []Member, q Query) []Member {
	out := make([]Member, 0, len(members))
	for _, m := range members {
		if q.matches(m) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (q Query) matches(m Member) bool {
	if q.Jurisdiction != "" && !strings.EqualFold(q.Jurisdiction, m.Jurisdiction) {
		return false
	}
	if q.Type != "" && !strings.EqualFold(q.Type, m.Type) {
		return false
	}
	if q.Sector != "" && !slices.ContainsFunc(m.Sectors, func(s string) bool { return strings.EqualFold(q.Sector, s) }) {
		return false
	}
	return true
}

// ParseQuery decodes a request body. An empty body (or only white space)
// is the empty query; anything else must be one JSON object with only the
// Query fields, each a string.
func ParseQuery(data []byte) (Query, error) {
	var q Query
	if len(bytes.TrimSpace(data)) == 0 {
		return q, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return Query{}, queryError(err)
	}
	if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return Query{}, fmt.Errorf("query: data after the JSON object at offset %d", len(data)-len(rest))
	}
	return q, nil
}

// queryError turns a decoding error into one line that says where.
func queryError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("query: invalid JSON at offset %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("query: /%s: want a string, got %s", strings.ReplaceAll(typ.Field, ".", "/"), typ.Value)
	case errors.As(err, &typ):
		return fmt.Errorf("query: want a JSON object, got %s", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("query: truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("query: %s (known: jurisdiction, type, sector)", strings.TrimPrefix(err.Error(), "json: "))
	}
	return fmt.Errorf("query: %w", err)
}
