package taxii

import (
	"testing"
	"time"
)

// A member posting without pause loses its oldest statuses, never
// another member's, and the hub's memory stays bounded.
func TestStatusesAreBoundedPerMember(t *testing.T) {
	ss := newStatuses()
	other := &status{id: "other", member: "isp-two", requested: time.Now(), objects: make([]postedObject, 10)}
	ss.add(other)
	const perPost = 1000
	for i := range 3 * maxStatusObjects / perPost {
		ss.add(&status{id: itoa(i), member: "bank-one", requested: time.Now(), objects: make([]postedObject, perPost)})
	}
	if got := ss.held["bank-one"]; got > maxStatusObjects {
		t.Fatalf("bank-one holds %d status entries, more than %d", got, maxStatusObjects)
	}
	if ss.get("0") != nil {
		t.Fatal("the oldest status was kept")
	}
	if ss.get(itoa(3*maxStatusObjects/perPost-1)) == nil {
		t.Fatal("the newest status was dropped")
	}
	if ss.get("other") != other {
		t.Fatal("another member's status was dropped")
	}
}

// Only a UUID reaches the status bucket as a key: a path segment with
// dots or wildcards would be a subject in the bucket's stream.
func TestStatusIDsReachingTheBucket(t *testing.T) {
	if id := newUUID(); !validStatusID(id) {
		t.Fatalf("a status id %s is refused", id)
	}
	for _, id := range []string{"", "a.b", "*", ">", "0c7b5b88-8ff7-4a4d-aa9d-feb398cd006", "0c7b5b88-8ff7-4a4d-aa9d-feb398cd00.1",
		"0c7b5b88.8ff7-4a4d-aa9d-feb398cd0061", "0C7B5B88-8FF7-4A4D-AA9D-FEB398CD0061", "0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061x"} {
		if validStatusID(id) {
			t.Errorf("%q reaches the bucket", id)
		}
	}
}
