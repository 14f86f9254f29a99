package schemas_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/schemas"
)

// TestObjectPointer covers the precomputed pointers and those past them.
func TestObjectPointer(t *testing.T) {
	d := &schemas.Document{Bundle: true}
	for _, i := range []int{0, 1, 9, 10, 63, 64, 65, 1000, 123456} {
		require.Equal(t, fmt.Sprintf("/objects/%d", i), d.ObjectPointer(i))
	}
	require.Empty(t, (&schemas.Document{}).ObjectPointer(3), "a single object has no /objects")
}

// TestObjectBytes: each object's bytes are cut from the document as
// written, from the root's "objects" member (its key escaped or not), and
// never from a nested or non-array "objects" or another array after it.
func TestObjectBytes(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{})
	for _, tc := range []struct {
		doc  string
		want []string
	}{
		{`{"type":"bundle","objects":[ {"a" : 1} ,{"b":[{"objects":[2]}]}],"id":"x"}`, []string{`{"a" : 1}`, `{"b":[{"objects":[2]}]}`}},
		{`{"type":"bundle","\u006fbjects":[{"a":"\u0007"}]}`, []string{`{"a":"\u0007"}`}},
		{`{"x":{"objects":[{"no":1}]},"type":"bundle","objects":[{"yes":1}],"z":[{"no":2}]}`, []string{`{"yes":1}`}},
		{`{"type":"bundle","objects":{"k":[{"no":1}]}}`, nil},
		{`{"type":"bundle","objects":"x","other":[{"no":1}]}`, nil},
		{"\n {\"type\":\"indicator\", \"name\":\"\x7f\"} \n", []string{"{\"type\":\"indicator\", \"name\":\"\x7f\"}"}},
	} {
		d, _ := v.Validate([]byte(tc.doc))
		require.NotNil(t, d, tc.doc)
		require.Len(t, d.Objects, len(tc.want), tc.doc)
		for i, w := range tc.want {
			require.Equal(t, w, string(d.ObjectBytes(i)), tc.doc)
		}
		require.Nil(t, d.ObjectBytes(len(tc.want)))
		d.Release()
		require.Nil(t, d.ObjectBytes(0), "nothing after Release")
	}
}

// TestObjectBytesRefusesARepeatedObjectsKey: with "objects" twice (one
// escaped), which one fastjson reads depends on what it was asked before,
// so the document gives no bytes at all rather than maybe the other list.
func TestObjectBytesRefusesARepeatedObjectsKey(t *testing.T) {
	v := schemas.NewValidator(schemas.Options{})
	for _, doc := range []string{
		`{"type":"bundle","\u006fbjects":[{"a":1}],"objects":[{"b":2}]}`,
		`{"\u0074ype":"bundle","\u006fbjects":[{"a":1}],"objects":[{"b":2}]}`,
		`{"type":"bundle","objects":[{"a":1}],"objects":[{"b":2}]}`,
	} {
		d, rep := v.Validate([]byte(doc))
		require.NotNil(t, d, doc)
		require.Len(t, d.Objects, 1, doc)
		require.Nil(t, d.ObjectBytes(0), doc)
		require.False(t, rep.Valid(), "a duplicate key is an error")
	}
}
