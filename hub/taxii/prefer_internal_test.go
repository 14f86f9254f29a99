package taxii

import (
	"net/http"
	"testing"
	"time"
)

// The Prefer header can only shorten the wait for the decision, never
// lengthen it past SyncWait; what is not understood is ignored.
func TestDecisionWait(t *testing.T) {
	s := &Server{cfg: Config{SyncWait: 5 * time.Second}}
	for _, c := range []struct {
		prefer  []string
		wait    time.Duration
		applied string
	}{
		{nil, 5 * time.Second, ""},
		{[]string{"respond-async"}, 0, "respond-async"},
		{[]string{"Respond-Async; foo=bar"}, 0, "respond-async"},
		{[]string{"return=minimal, respond-async"}, 0, "respond-async"},
		{[]string{"return=minimal", "wait=1"}, time.Second, "wait=1"},
		{[]string{`wait="0"`}, 0, "wait=0"},
		{[]string{"wait=3600"}, 5 * time.Second, ""}, // longer than SyncWait: not applied
		{[]string{"wait=-1"}, 5 * time.Second, ""},
		{[]string{"wait=1.5"}, 5 * time.Second, ""},
		{[]string{"wait=99999999999999999999"}, 5 * time.Second, ""},
		{[]string{"respond-asyncx"}, 5 * time.Second, ""},
	} {
		h := http.Header{}
		for _, p := range c.prefer {
			h.Add("Prefer", p)
		}
		wait, applied := s.decisionWait(h)
		if wait != c.wait || applied != c.applied {
			t.Errorf("Prefer %q: wait %v applied %q, want %v %q", c.prefer, wait, applied, c.wait, c.applied)
		}
	}
}
