package natscluster

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// maxLogLines bounds the lines kept of each node's log (the last ones).
const maxLogLines = 400

// nodeLog keeps the last notices, warnings and errors of one node: what a
// failed test prints to say what the cluster went through (a leader
// election that never ends, a stream reset). Debug and trace stay off.
type nodeLog struct {
	name  string
	mu    sync.Mutex
	lines []string
}

func (l *nodeLog) add(level, format string, v ...any) {
	line := fmt.Sprintf("%s %s [%s] %s", time.Now().Format("15:04:05.000"), l.name, level, fmt.Sprintf(format, v...))
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == maxLogLines {
		l.lines = slices.Delete(l.lines, 0, maxLogLines/4)
	}
	l.lines = append(l.lines, line)
}

func (l *nodeLog) Noticef(format string, v ...any) { l.add("INF", format, v...) }
func (l *nodeLog) Warnf(format string, v ...any)   { l.add("WRN", format, v...) }
func (l *nodeLog) Fatalf(format string, v ...any)  { l.add("FTL", format, v...) }
func (l *nodeLog) Errorf(format string, v ...any)  { l.add("ERR", format, v...) }
func (l *nodeLog) Debugf(string, ...any)           {}
func (l *nodeLog) Tracef(string, ...any)           {}

func (l *nodeLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// Report says, for a failed test, what each running node thinks of every
// stream's RAFT group (state, leader, term, vote, committed and applied
// index) and what each node logged: enough to tell a starved election
// from a group that stopped electing.
func (c *Cluster) Report() string {
	var b strings.Builder
	for i, s := range c.Nodes {
		if s == nil || !s.Running() {
			fmt.Fprintf(&b, "node %s: stopped\n", c.opts[i].ServerName)
			continue
		}
		fmt.Fprintf(&b, "node %s (raft id %s): meta leader %v; routes to %s\n", c.opts[i].ServerName, s.Node(), s.JetStreamIsLeader(), strings.Join(routedServers(s), ", "))
		streams := map[string]string{} // RAFT group -> stream
		accounts := []string{""}       // "": the system account's (meta) groups
		if js, err := s.Jsz(&server.JSzOptions{Accounts: true, Streams: true, RaftGroups: true}); err == nil {
			for _, a := range js.AccountDetails {
				accounts = append(accounts, a.Name)
				for _, sd := range a.Streams {
					streams[sd.RaftGroup] = sd.Name
				}
			}
		}
		for _, acc := range accounts {
			rz := s.Raftz(&server.RaftzOptions{AccountFilter: acc})
			if rz == nil {
				continue
			}
			for _, groups := range *rz {
				for _, id := range slices.Sorted(maps.Keys(groups)) {
					g := groups[id]
					name := streams[id]
					if name == "" {
						name = "(meta or consumer)"
					}
					fmt.Fprintf(&b, "  raft %s %s: %s leader=%q term=%d vote=%q committed=%d applied=%d catching_up=%v paused=%v\n",
						id, name, g.State, g.Leader, g.Term, g.Vote, g.Committed, g.Applied, g.CatchingUp, g.Paused)
				}
			}
		}
	}
	for _, l := range c.logs {
		if l != nil {
			fmt.Fprintf(&b, "log of %s (last %d lines at most):\n%s\n", l.name, maxLogLines, l.String())
		}
	}
	return b.String()
}

// routedServers names the servers s has a route to, by name and server id.
func routedServers(s *server.Server) []string {
	rz, err := s.Routez(&server.RoutezOptions{})
	if err != nil {
		return []string{err.Error()}
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range rz.Routes { // a pool has several connections per server
		if id := r.RemoteName + " " + r.RemoteID; !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
