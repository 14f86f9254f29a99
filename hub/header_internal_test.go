package hub

import (
	"net/textproto"
	"testing"
)

// The worker builds share and receipt headers as maps, without
// Header.Set, so every key it uses must be canonical already, or
// Header.Get would not find it.
func TestWorkerHeaderKeysAreCanonical(t *testing.T) {
	for _, k := range []string{HeaderSubmission, HeaderSender, headerTLPKey, HeaderAudience, HeaderReceived,
		HeaderArchive, HeaderArchiveObjects, HeaderMember, HeaderVerdict, HeaderDecidedBy} {
		if c := textproto.CanonicalMIMEHeaderKey(k); c != k {
			t.Errorf("header %q is not canonical (%q): Header.Get would miss it", k, c)
		}
	}
}
