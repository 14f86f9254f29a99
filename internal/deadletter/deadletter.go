// Package deadletter keeps the messages a reader could not handle, so the
// reader can move on without losing them. One layout serves every reader
// (connector sinks, the connector's outbound queue, geneva subscribe, the
// archive bridge):
//
//	<root>/deadletter/<queue>/<name>.json  the message, byte for byte
//	<root>/deadletter/<queue>/<name>.why   one line: reason; attempts; time
//	<root>/deadletter/<queue>/<name>.headers  what the reader knew besides the
//	                                        bytes (TLP, sender, ...), JSON; optional
//	<root>/replay/<queue>/<name>.json      handed back by Replay, taken by the reader
//
// The reader owns <root>; `geneva deadletter` lists and replays.
package deadletter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/genevahub/geneva/internal/durable"
)

// Letter is one dead letter.
type Letter struct {
	Queue    string
	Name     string
	Reason   string
	Attempts int
	Time     time.Time
	Size     int64 // bytes of the message
}

// Path is where the letter's message is.
func (l Letter) Path(root string) string {
	return filepath.Join(root, "deadletter", l.Queue, l.Name+".json")
}

// Message is what a reader could not handle: its bytes and the headers it
// came with (a replay needs them: a share's TLP decides where it may go).
type Message struct {
	Name    string // unique within the queue, e.g. share-<stream sequence>
	Body    []byte
	Headers map[string]string
}

// Put stores m as a dead letter of queue, with why it could not be
// handled. The message is on disk (fsynced) when Put returns nil; an older
// letter of the same name is replaced.
func Put(root, queue string, m Message, reason string, attempts int, at time.Time) error {
	dir := filepath.Join(root, "deadletter", SafeName(queue))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	name := SafeName(m.Name)
	reason = strings.Join(strings.Fields(reason), " ") // one line
	why := fmt.Sprintf("reason: %s; attempts: %d; time: %s\n", reason, attempts, at.UTC().Format(time.RFC3339Nano))
	if len(m.Headers) > 0 {
		h, _ := json.Marshal(m.Headers)
		if err := durable.WriteFile(dir, name+".headers", h); err != nil {
			return err
		}
	}
	// The message before its reason: a letter without a .why is still listed.
	if err := durable.WriteFile(dir, name+".json", m.Body); err != nil {
		return err
	}
	return durable.WriteFile(dir, name+".why", []byte(why))
}

// List returns every dead letter under root, by queue then name.
func List(root string) ([]Letter, error) {
	base := filepath.Join(root, "deadletter")
	queues, err := os.ReadDir(base)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Letter
	for _, q := range queues {
		if !q.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(base, q.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			name, ok := strings.CutSuffix(f.Name(), ".json")
			if !ok || f.IsDir() {
				continue
			}
			l := Letter{Queue: q.Name(), Name: name}
			if fi, err := f.Info(); err == nil {
				l.Size, l.Time = fi.Size(), fi.ModTime()
			}
			if why, err := os.ReadFile(filepath.Join(base, q.Name(), name+".why")); err == nil {
				l.parseWhy(string(why))
			}
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b Letter) int {
		return strings.Compare(a.Queue+"/"+a.Name, b.Queue+"/"+b.Name)
	})
	return out, nil
}

// parseWhy reads "reason: R; attempts: N; time: T" (R may hold "; ").
func (l *Letter) parseWhy(s string) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "; time: "); i >= 0 {
		if t, err := time.Parse(time.RFC3339Nano, s[i+len("; time: "):]); err == nil {
			l.Time = t
		}
		s = s[:i]
	}
	if i := strings.LastIndex(s, "; attempts: "); i >= 0 {
		l.Attempts, _ = strconv.Atoi(s[i+len("; attempts: "):])
		s = s[:i]
	}
	l.Reason = strings.TrimPrefix(s, "reason: ")
}

// Replay hands a dead letter back to its reader: the message moves to
// <root>/replay/<queue>/, which the reader takes before new messages. If
// the reader fails on it again, it comes back as a dead letter.
func Replay(root, queue, name string) error {
	if SafeName(queue) != queue || SafeName(name) != name {
		return fmt.Errorf("dead letter %q/%q: not a dead letter name", queue, name)
	}
	from := filepath.Join(root, "deadletter", queue, name+".json")
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("dead letter %s/%s: %w", queue, name, err)
	}
	dir := filepath.Join(root, "replay", queue)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// Headers first: a replay without them would lose its TLP.
	headers := filepath.Join(filepath.Dir(from), name+".headers")
	if _, err := os.Stat(headers); err == nil {
		if err := os.Rename(headers, filepath.Join(dir, name+".headers")); err != nil {
			return err
		}
	}
	if err := durable.Move(from, filepath.Join(dir, name+".json")); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(root, "deadletter", queue, name+".why"))
	return nil
}

// Replayed is a message handed back for its reader to try again.
type Replayed struct {
	Message
	path string
}

// Replays returns what waits in <root>/replay/<queue>/, oldest name first.
func Replays(root, queue string) ([]Replayed, error) {
	dir := filepath.Join(root, "replay", SafeName(queue))
	files, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Replayed
	for _, f := range files {
		name, ok := strings.CutSuffix(f.Name(), ".json")
		if !ok || f.IsDir() {
			continue
		}
		p := filepath.Join(dir, f.Name())
		body, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		r := Replayed{Message: Message{Name: name, Body: body}, path: p}
		if h, err := os.ReadFile(filepath.Join(dir, name+".headers")); err == nil {
			_ = json.Unmarshal(h, &r.Headers)
		}
		out = append(out, r)
	}
	return out, nil
}

// Done removes a replayed message its reader has handled (or dead-lettered
// again).
func (r Replayed) Done() error {
	if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	_ = os.Remove(strings.TrimSuffix(r.path, ".json") + ".headers")
	return durable.SyncDir(filepath.Dir(r.path))
}

// SafeName keeps a name usable as one path element: letters, digits, '.',
// '-' and '_'; anything else becomes '_' (and a leading '.' too).
func SafeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' && i > 0
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}
