package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Export: what the feed shows under the same filters (the last 7 days of
// the member's inbox), as one STIX 2.1 bundle to download, each object
// once, with the marking definitions the shares carried.
const maxExportObjects = 10_000

func (s *Server) feedExport(w http.ResponseWriter, r *http.Request, sess session) {
	f := parseFeedFilter(r)
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	shares, err := s.cfg.Backend.History(ctx, sess.member, time.Now().Add(-feedHistory))
	if err != nil {
		s.cfg.Log.Error("portal: export", "member", sess.member, "err", err)
		s.render(w, sess, http.StatusServiceUnavailable, "error.html", "Export", "The hub could not read your feed; try again.")
		return
	}
	seen := map[string]bool{}
	objects := []json.RawMessage{}
	add := func(id string, raw json.RawMessage) {
		if !seen[id] && len(objects) < maxExportObjects {
			seen[id] = true
			objects = append(objects, raw)
		}
	}
	for _, sh := range shares {
		if _, ok := f.cards(sh); !ok {
			continue
		}
		var b struct {
			Objects []json.RawMessage `json:"objects"`
		}
		_ = json.Unmarshal(sh.Bundle, &b)
		for _, raw := range b.Objects {
			var o struct{ ID, Type string }
			if json.Unmarshal(raw, &o) != nil || o.ID == "" {
				continue
			}
			if o.Type == "marking-definition" || f.Type == "" || o.Type == f.Type {
				add(o.ID, raw)
			}
		}
	}
	out, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + uuid4(), "objects": objects})
	w.Header().Set("Content-Type", "application/stix+json;version=2.1")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="geneva-%s-%s.json"`, sess.member, time.Now().UTC().Format("20060102T150405Z")))
	_, _ = w.Write(out)
}
