package taxii

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// decisionWait is how long a POST waits for the hub's decision before it
// answers pending: SyncWait, unless the client asks for less with the
// HTTP Prefer header (RFC 7240): "respond-async" answers as soon as the
// submission and its status are stored, "wait=N" waits at most N
// seconds. applied is the preference to name in Preference-Applied.
//
// A client posting many envelopes one after another uses this to let the
// hub decide one while it sends the next; taxii2-client and stix2 send no
// Prefer and get the decision in the answer, as before.
func (s *Server) decisionWait(h http.Header) (wait time.Duration, applied string) {
	wait = s.cfg.SyncWait
	for _, v := range h.Values("Prefer") {
		for pref := range strings.SplitSeq(v, ",") {
			pref, _, _ = strings.Cut(pref, ";") // a preference's parameters: none apply here
			name, value, _ := strings.Cut(pref, "=")
			name, value = strings.ToLower(strings.TrimSpace(name)), strings.Trim(strings.TrimSpace(value), `"`)
			switch name {
			case "respond-async":
				return 0, "respond-async"
			case "wait":
				if n, err := strconv.ParseUint(value, 10, 32); err == nil && time.Duration(n)*time.Second < wait {
					wait, applied = time.Duration(n)*time.Second, "wait="+value
				}
			}
		}
	}
	return wait, applied
}
