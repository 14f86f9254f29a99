package hub

import (
	"log/slog"
	"slices"

	"github.com/genevahub/geneva/policy"
)

// memberChanges names who a new MoU adds, removes, suspends and resumes
// (lifts a suspension of), each list sorted, for the hub's log.
type memberChanges struct {
	added, removed, suspended, resumed []string
}

func diffMembers(old, next *policy.MoU) memberChanges {
	was := map[string]bool{} // id -> suspended
	if old != nil {
		for _, m := range old.Members {
			was[m.ID] = m.Suspended
		}
	}
	var c memberChanges
	for _, m := range next.Members {
		suspended, ok := was[m.ID]
		switch {
		case !ok:
			c.added = append(c.added, m.ID)
		case m.Suspended && !suspended:
			c.suspended = append(c.suspended, m.ID)
		case !m.Suspended && suspended:
			c.resumed = append(c.resumed, m.ID)
		}
		delete(was, m.ID)
	}
	for id := range was {
		c.removed = append(c.removed, id)
	}
	for _, l := range [][]string{c.added, c.removed, c.suspended, c.resumed} {
		slices.Sort(l)
	}
	return c
}

// attrs are the non-empty lists as log attributes.
func (c memberChanges) attrs() []any {
	var a []any
	for _, f := range []struct {
		key string
		ids []string
	}{{"added", c.added}, {"removed", c.removed}, {"suspended", c.suspended}, {"resumed", c.resumed}} {
		if len(f.ids) > 0 {
			a = append(a, slog.Any(f.key, f.ids))
		}
	}
	return a
}
