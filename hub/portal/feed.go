package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/genevahub/geneva/policy/tlp"
)

// The live feed: the member's inbox as Server-Sent Events, one event per
// share message, narrowed by the filters of the query (TLP, object type,
// sender). The member is the session's; nothing in the request chooses it.
const (
	feedHistory       = 7 * 24 * time.Hour // what a new page shows from before it opened
	feedHeartbeat     = 20 * time.Second
	maxFeedsPerMember = 16
)

type feedFilter struct {
	TLP, Type, Sender, Community string
}

func parseFeedFilter(r *http.Request) feedFilter {
	q := r.URL.Query()
	f := feedFilter{TLP: q.Get("tlp"), Type: q.Get("type"), Sender: q.Get("sender"), Community: q.Get("community")}
	if _, err := tlp.ParseLevel(f.TLP); err != nil {
		f.TLP = ""
	}
	return f
}

// Card is one STIX object of the feed as the page shows it.
type Card struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Name    string `json:"name,omitempty"`
	Pattern string `json:"pattern,omitempty"`
	Value   string `json:"value,omitempty"`
	Text    string `json:"description,omitempty"`
	JSON    string `json:"json"`
}

// FeedEvent is one share message as the page receives it.
type FeedEvent struct {
	Seq      uint64    `json:"seq"`
	Sender   string    `json:"sender"`
	TLP      string    `json:"tlp"`
	Scope    string    `json:"scope"`
	Received time.Time `json:"received"`
	Objects  []Card    `json:"objects"`
}

// cards reads a share's objects (marking definitions left out), keeping
// those of the filter's type; ok is false when the share does not match.
func (f feedFilter) cards(sh Share) (FeedEvent, bool) {
	if (f.TLP != "" && sh.TLP != f.TLP) || (f.Sender != "" && sh.Sender != f.Sender) ||
		(f.Community != "" && sh.Scope != "c."+f.Community) {
		return FeedEvent{}, false
	}
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if json.Unmarshal(sh.Bundle, &b) != nil {
		return FeedEvent{}, false
	}
	ev := FeedEvent{Seq: sh.Seq, Sender: sh.Sender, TLP: sh.TLP, Scope: sh.Scope, Received: sh.Received, Objects: []Card{}}
	for _, raw := range b.Objects {
		var c Card
		if json.Unmarshal(raw, &c) != nil || c.Type == "marking-definition" || (f.Type != "" && c.Type != f.Type) {
			continue
		}
		var pretty strings.Builder
		var v any
		_ = json.Unmarshal(raw, &v)
		enc := json.NewEncoder(&pretty)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
		c.JSON = pretty.String()
		ev.Objects = append(ev.Objects, c)
	}
	return ev, len(ev.Objects) > 0
}

type feedPageData struct {
	Filter      feedFilter
	TLPs        []TLPChoice
	Types       []string
	Senders     []string
	Communities []string
	Query       string
}

var feedTypes = []string{"incident", "indicator", "malware", "report", "note", "sighting", "observed-data",
	"relationship", "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file"}

func (s *Server) feedPage(w http.ResponseWriter, r *http.Request, sess session) {
	f := parseFeedFilter(r)
	d := feedPageData{Filter: f, TLPs: tlpChoices, Types: feedTypes, Senders: []string{"anonymous"}, Query: r.URL.RawQuery}
	for _, m := range s.cfg.Backend.MoU().Members {
		if m.ID != sess.member {
			d.Senders = append(d.Senders, m.ID)
		} else {
			d.Communities = m.Communities
		}
	}
	s.render(w, sess, http.StatusOK, "feed.html", "Live feed", d)
}

// feedLimit bounds the open feeds of a member (each holds a consumer on
// the hub).
type feedLimit struct {
	mu   sync.Mutex
	open map[string]int
}

func (l *feedLimit) acquire(member string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[member] >= maxFeedsPerMember {
		return false
	}
	l.open[member]++
	return true
}

func (l *feedLimit) release(member string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[member]--; l.open[member] <= 0 {
		delete(l.open, member)
	}
}

func (s *Server) feedEvents(w http.ResponseWriter, r *http.Request, sess session) {
	if !s.feeds.acquire(sess.member) {
		http.Error(w, "too many open feeds for your member; close a tab", http.StatusTooManyRequests)
		return
	}
	defer s.feeds.release(sess.member)
	f := parseFeedFilter(r)
	after, _ := strconv.ParseUint(r.Header.Get("Last-Event-ID"), 10, 64)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a feed stays open
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	_ = rc.Flush()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	events := make(chan FeedEvent, 64)
	errc := make(chan error, 1)
	go func() {
		errc <- s.cfg.Backend.Feed(ctx, sess.member, time.Now().Add(-feedHistory), after, func(sh Share) {
			if ev, ok := f.cards(sh); ok {
				select {
				case events <- ev:
				case <-ctx.Done():
				}
			}
		})
	}()
	beat := time.NewTicker(feedHeartbeat)
	defer beat.Stop()
	for {
		select {
		case ev := <-events:
			data, _ := json.Marshal(ev)
			if _, err := fmt.Fprintf(w, "id: %d\nevent: share\ndata: %s\n\n", ev.Seq, data); err != nil {
				return
			}
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case err := <-errc:
			if err != nil && ctx.Err() == nil {
				s.cfg.Log.Error("portal: feed", "member", sess.member, "err", err)
				fmt.Fprint(w, "event: failure\ndata: the hub stopped this feed; reload the page\n\n")
			}
			_ = rc.Flush()
			return
		case <-ctx.Done():
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}
