package daemon

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBundleIDReadsOnce: one read of a delivered body gives what the id
// probe and json.Valid gave apart (the id, and whether to try the sinks).
func TestBundleIDReadsOnce(t *testing.T) {
	for body, wantID := range map[string]string{
		`{"type":"bundle","id":"bundle--1","objects":[]}`: "bundle--1",
		`{"type":"bundle","objects":[]}`:                  "",
		`{"id":5}`:                                        "",
		`{"id":"a\u0062"}`:                                "ab",
		`[1,2]`:                                           "",
		`"text"`:                                          "",
		`{"id":"x"`:                                       "",
		`not json`:                                        "",
		``:                                                "",
	} {
		id, valid := bundleID([]byte(body))
		require.Equal(t, wantID, id, "%s", body)
		require.Equal(t, json.Valid([]byte(body)), valid, "%s", body)
	}
}
