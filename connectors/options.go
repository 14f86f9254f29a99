package connectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/genevahub/geneva/internal/configfile"
)

// Duration is a time.Duration written as "30s" (or "2d") in options: the
// one configuration Duration (internal/configfile).
type Duration = configfile.Duration

// DecodeOptions decodes a kind's options strictly into v (a pointer to a
// struct with json tags): every unknown key is reported, each as
// "key: unknown option", and type errors as "key: ...".
func DecodeOptions(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return fmt.Errorf("options must be a mapping: %v", err)
	}
	known := jsonKeys(reflect.TypeOf(v).Elem())
	var errs []error
	for k := range keys {
		if !known[k] {
			errs = append(errs, fmt.Errorf("%s: unknown option", k))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%s: want %s, got %s", te.Field, te.Type, te.Value)
		}
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func jsonKeys(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k := range jsonKeys(f.Type) {
				out[k] = true
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = true
	}
	return out
}
