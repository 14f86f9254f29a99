package taxii_test

import (
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
)

// pager reads a collection the way TAXII clients do: with next while the
// server says more, then with added_after = the last page's
// X-TAXII-Date-Added-Last; useNext false pages by added_after alone.
type pager struct {
	h          *taxiiHub
	path       string
	token      string
	useNext    bool
	next       string
	addedAfter string
	seen       map[string]int
}

func (p *pager) poll(t *testing.T) {
	t.Helper()
	q := url.Values{"limit": {"7"}}
	if p.next != "" {
		q.Set("next", p.next)
	}
	if p.addedAfter != "" {
		q.Set("added_after", p.addedAfter)
	}
	r := p.h.call(t, "GET", p.path+"?"+q.Encode(), p.token, nil)
	env := r.page(t)
	for _, o := range env.Objects {
		p.seen[o.ID]++
	}
	if last := r.header.Get("X-TAXII-Date-Added-Last"); last != "" {
		require.NotEmpty(t, r.header.Get("X-TAXII-Date-Added-First"))
		if !p.useNext || !env.More {
			p.addedAfter, p.next = last, ""
		}
	}
	if p.useNext && env.More {
		require.NotEmpty(t, env.Next)
		p.next = env.Next
	}
}

// TestPagingUnderConcurrentAdds: two pollers page through an inbox while
// another member posts to it, one with next, one with added_after alone;
// each gets every object exactly once.
func TestPagingUnderConcurrentAdds(t *testing.T) {
	h := startHub(t)
	sender, reader := h.token(t, "bank-one"), h.token(t, "le-alpha")
	const posts, per = 60, 3
	want := map[string]bool{}
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range posts {
			var objs []any
			for k := range per {
				o := indicator(i*per + k)
				objs = append(objs, o)
				mu.Lock()
				want[o["id"].(string)] = true
				mu.Unlock()
			}
			r := h.call(t, "POST", "/taxii2/bank-one/collections/submit/objects/", sender, envelope(objs...))
			if r.status != 202 {
				t.Errorf("post %d: %d %s", i, r.status, r.body)
				return
			}
		}
	}()
	inbox := "/taxii2/le-alpha/collections/inbox/objects/"
	byNext := &pager{h: h, path: inbox, token: reader, useNext: true, seen: map[string]int{}}
	byDate := &pager{h: h, path: inbox, token: reader, seen: map[string]int{}}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		byNext.poll(t)
		byDate.poll(t)
	}
	require.False(t, t.Failed())
	for _, p := range []*pager{byNext, byDate} {
		hubtest.Eventually(t, 20*time.Second, func() error {
			p.poll(t)
			if len(p.seen) < posts*per {
				return fmt.Errorf("%d of %d objects", len(p.seen), posts*per)
			}
			return nil
		})
		for id, n := range p.seen {
			require.True(t, want[id], "an object nobody posted: %s", id)
			require.Equal(t, 1, n, "%s seen %d times (useNext %v)", id, n, p.useNext)
		}
	}
}

// TestVersions: versions of one object posted out of order come back
// ordered by modified; objects returns the latest unless asked otherwise.
func TestVersions(t *testing.T) {
	h := startHub(t)
	sender, reader := h.token(t, "bank-one"), h.token(t, "le-alpha")
	o := indicator(1)
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	stamps := []time.Time{base.Add(2 * time.Minute), base, base.Add(5 * time.Minute)}
	for _, ts := range stamps {
		o["modified"] = ts.Format("2006-01-02T15:04:05.000Z")
		o["created"] = base.Format("2006-01-02T15:04:05.000Z")
		r := h.call(t, "POST", "/taxii2/bank-one/collections/submit/objects/", sender, envelope(o))
		require.Equal(t, "accept", r.json(t)["x_geneva_verdict"], "%s", r.body)
	}
	id := o["id"].(string)
	objects := "/taxii2/le-alpha/collections/inbox/objects/" + id + "/"
	var versions []any
	hubtest.Eventually(t, 10*time.Second, func() error {
		r := h.call(t, "GET", objects+"versions/", reader, nil)
		if r.status != 200 {
			return fmt.Errorf("%d %s", r.status, r.body)
		}
		versions = r.json(t)["versions"].([]any)
		if len(versions) < 3 {
			return fmt.Errorf("%d versions", len(versions))
		}
		return nil
	})
	f := func(ts time.Time) string { return ts.Format("2006-01-02T15:04:05.000Z") }
	require.Equal(t, []any{f(stamps[1]), f(stamps[0]), f(stamps[2])}, versions)
	modified := func(q string) []any {
		r := h.call(t, "GET", objects+q, reader, nil)
		require.Equal(t, 200, r.status, "%s", r.body)
		var out []any
		for _, o := range r.json(t)["objects"].([]any) {
			out = append(out, o.(map[string]any)["modified"])
		}
		return out
	}
	require.Equal(t, []any{f(stamps[2])}, modified(""))
	require.Equal(t, []any{f(stamps[1])}, modified("?match[version]=first"))
	require.Len(t, modified("?match[version]=all"), 3)
	require.Equal(t, []any{f(stamps[0])}, modified("?match[version]="+f(stamps[0])))
	// The inbox's objects endpoint shows the latest version only.
	r := h.call(t, "GET", "/taxii2/le-alpha/collections/inbox/objects/?match[id]="+id, reader, nil)
	require.Len(t, r.json(t)["objects"], 1)
}
