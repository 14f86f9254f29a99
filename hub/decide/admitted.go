package decide

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// HeaderAdmitted marks an intake message the gate admitted (within
// quota); the policy workers charge the quota only for those without it
// (anything that reached the intake without passing a gate). Its
// value is a MAC a member cannot know, so setting it buys nothing.
const HeaderAdmitted = "Geneva-Admitted"

// admissionMarks computes and caches each member's HeaderAdmitted value:
// an HMAC of the member id under the hub's secret, which worker nodes
// share.
type admissionMarks struct {
	secret []byte
	marks  sync.Map // member → mark
}

func (a *admissionMarks) of(member string) string {
	if v, ok := a.marks.Load(member); ok {
		return v.(string)
	}
	mac := hmac.New(sha256.New, a.secret)
	mac.Write([]byte("geneva-admitted\x00" + member))
	mark := hex.EncodeToString(mac.Sum(nil)[:16])
	a.marks.Store(member, mark)
	return mark
}

// AdmittedMark is the HeaderAdmitted value of member's submissions: what
// the hub's gate sets on the submissions it admitted.
func (w *Worker) AdmittedMark(member string) string { return w.marks.of(member) }
