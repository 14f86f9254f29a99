package schemas_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// Values of every JSON type, put in place of each property of real
// objects: the checks must survive any shape where they expect another.
var mutations = []any{nil, 0, -1, 1.5, 1e300, "", "x", "2016-04-31T00:00:00Z", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
	[]any{}, []any{nil}, []any{"x"}, []any{map[string]any{}}, map[string]any{}, map[string]any{"a": nil}, true}

const deleteKey = "\x00delete"

// mutate returns copies of v with one value somewhere inside replaced by m
// (or deleted), for every place up to depth levels down.
func mutate(v any, m any, depth int, out *[]any) {
	if depth == 0 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			c := shallowMap(x)
			if m == deleteKey {
				delete(c, k)
			} else {
				c[k] = m
			}
			*out = append(*out, c)
			var sub []any
			mutate(e, m, depth-1, &sub)
			for _, s := range sub {
				c := shallowMap(x)
				c[k] = s
				*out = append(*out, c)
			}
		}
	case []any:
		if len(x) == 0 {
			return
		}
		c := append([]any{}, x...)
		if m != deleteKey {
			c[0] = m
			*out = append(*out, c)
		}
		var sub []any
		mutate(x[0], m, depth-1, &sub)
		for _, s := range sub {
			c := append([]any{}, x...)
			c[0] = s
			*out = append(*out, c)
		}
	}
}

func shallowMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Every property of every object of the small corpus files, replaced by
// values of each JSON type or deleted, three levels down: no panic, and
// the report stays consistent.
func TestMutatedCorpusObjects(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{})
	runs := 0
	for _, which := range []string{"valid", "invalid"} {
		for _, path := range stixtest.CorpusFiles(t, which) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) > 8<<10 {
				continue
			}
			var doc map[string]any
			if json.Unmarshal(data, &doc) != nil {
				continue
			}
			objs := []any{doc}
			if list, ok := doc["objects"].([]any); ok {
				objs = list
			}
			for i, o := range objs {
				if i >= 4 {
					break
				}
				for _, m := range append(mutations, deleteKey) {
					var variants []any
					mutate(o, m, 3, &variants)
					for _, variant := range variants {
						b, _ := json.Marshal(variant)
						func() {
							defer func() {
								if r := recover(); r != nil {
									t.Fatalf("panic on %s: %v", b, r)
								}
							}()
							d, rep := v.Validate(b)
							if d == nil && rep.Valid() {
								t.Fatalf("no document and no error for %s", b)
							}
							d.Release()
						}()
						runs++
					}
				}
			}
		}
	}
	t.Logf("%d mutated objects validated", runs)
}
