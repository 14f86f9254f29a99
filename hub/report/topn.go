package report

import (
	"container/heap"
	"sort"
)

// spaceSaving is the Space-Saving top-k summary (Metwally et al., 2005):
// at most capacity counters; when full, a new key takes over the smallest
// counter and inherits its count as possible error. Exact while the number
// of distinct keys stays within capacity.
type spaceSaving struct {
	capacity int
	byKey    map[string]*ssEntry
	h        ssHeap
	evicted  bool
}

type ssEntry struct {
	key          string
	count, error int64
	index        int
}

func newSpaceSaving(capacity int) *spaceSaving {
	return &spaceSaving{capacity: capacity, byKey: make(map[string]*ssEntry)}
}

func (s *spaceSaving) add(key string, n, errN int64) {
	if e, ok := s.byKey[key]; ok {
		e.count += n
		e.error += errN
		heap.Fix(&s.h, e.index)
		return
	}
	if len(s.h) < s.capacity {
		e := &ssEntry{key: key, count: n, error: errN}
		s.byKey[key] = e
		heap.Push(&s.h, e)
		return
	}
	s.evicted = true
	e := s.h[0]
	delete(s.byKey, e.key)
	e.key, e.error, e.count = key, e.count+errN, e.count+n
	s.byKey[key] = e
	heap.Fix(&s.h, 0)
}

func (s *spaceSaving) merge(o *spaceSaving) {
	for _, e := range o.h {
		s.add(e.key, e.count, e.error)
	}
	s.evicted = s.evicted || o.evicted
}

// top returns the n largest counts, ties by key.
func (s *spaceSaving) top(n int) Top {
	items := make([]TopItem, 0, len(s.h))
	for _, e := range s.h {
		items = append(items, TopItem{Key: e.key, Count: e.count, MaxError: e.error})
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].Count != items[j].Count {
			return items[i].Count > items[j].Count
		}
		return items[i].Key < items[j].Key
	})
	if len(items) > n {
		items = items[:n]
	}
	return Top{Exact: !s.evicted, Distinct: len(s.h), Items: items}
}

type ssHeap []*ssEntry

func (h ssHeap) Len() int           { return len(h) }
func (h ssHeap) Less(i, j int) bool { return h[i].count < h[j].count }
func (h ssHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *ssHeap) Push(x any)        { e := x.(*ssEntry); e.index = len(*h); *h = append(*h, e) }
func (h *ssHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
