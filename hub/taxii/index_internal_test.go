package taxii

import (
	"fmt"
	"testing"
	"time"
)

func testScope(string) string { return "all" }

// Trimming what aged out of the stream rebuilds the views: trimmed
// objects are gone, the rest keep their order, and a cursor into the
// kept part still continues after its object.
func TestIndexTrim(t *testing.T) {
	x := NewIndex(testScope)
	at := time.Now()
	for seq := uint64(1); seq <= 6; seq++ {
		body := fmt.Sprintf(`{"objects":[{"id":"indicator--%d","type":"indicator","modified":"2026-01-01T00:00:00Z"}]}`, seq)
		x.add(seq, at, "geneva.share.green.all.g1.bank-one", []byte(body))
	}
	inbox := Inbox{Filters: []string{"geneva.share.*.all.g1.bank-one"}}
	ids := func(q query) []string {
		s := x.collection("le-alpha", inbox, "")
		defer s.release()
		var out []string
		for _, ref := range s.selectPage(q, s.c.refs).refs {
			out = append(out, s.entry(ref).id)
		}
		return out
	}
	all := query{limit: 10, version: "last"}
	if got := ids(all); len(got) != 6 {
		t.Fatalf("before trim: %v", got)
	}
	x.trim(4)
	if got := fmt.Sprint(ids(all)); got != "[indicator--4 indicator--5 indicator--6]" {
		t.Fatalf("after trim: %s", got)
	}
	if got := fmt.Sprint(ids(query{limit: 10, version: "last", next: "4-0"})); got != "[indicator--5 indicator--6]" {
		t.Fatalf("after cursor 4-0: %s", got)
	}
	if got := fmt.Sprint(ids(query{limit: 10, version: "last", next: "2-0"})); got != "[indicator--4 indicator--5 indicator--6]" {
		t.Fatalf("a cursor into the trimmed part continues at the first kept object: %s", got)
	}
}
