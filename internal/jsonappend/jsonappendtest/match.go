// Package jsonappendtest checks a hand-written JSON encoder against
// encoding/json, for the tests of the types that have one.
package jsonappendtest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// RequireMarshalEqual requires that appendJSON appends, after a prefix it
// must keep, exactly what json.Marshal(v) writes, and that it fails where
// json.Marshal fails.
func RequireMarshalEqual(t testing.TB, v any, appendJSON func([]byte) ([]byte, error)) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := appendJSON([]byte("prefix"))
	if wantErr != nil {
		require.Error(t, err, "json.Marshal failed with %v", wantErr)
		return
	}
	require.NoError(t, err)
	require.Equal(t, "prefix"+string(want), string(got))
}
