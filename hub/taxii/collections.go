package taxii

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// A member's collections, all in its own API root:
//
//	inbox                      read: everything policy routed to it
//	community-<name>           read: what reached it through that community
//	submit                     write: a submission, addressed by policy's default
//	submit-anonymous           write: the same, shown as anonymous
//	submit-community-<name>    write: addressed to one of its communities
//	submit-to-<m>[+<m>...]     write: to named members (one listed per peer)
//
// submit-anonymous-community-<name> and submit-anonymous-to-<m>... combine
// the two. Ids are names rather than UUIDs so that a person reading a
// client's configuration sees the audience.
type collection struct {
	id, title   string
	read, write bool
	scope       string   // read: "" the inbox, "c.<name>" a community
	audience    Audience // write
}

func (c collection) resource() map[string]any {
	return map[string]any{"id": c.id, "title": c.title, "can_read": c.read, "can_write": c.write,
		"media_types": []string{MediaSTIX}}
}

func listCollections(m Member) []map[string]any {
	cs := []collection{{id: "inbox", title: "Inbox of " + m.ID + ": everything policy routed to it", read: true}}
	for _, c := range m.Communities {
		cs = append(cs, collection{id: "community-" + c, title: "Shared with " + m.ID + " in community " + c, read: true})
	}
	cs = append(cs,
		collection{id: "submit", title: "Submit as " + m.ID + " (the MoU's default audience)", write: true},
		collection{id: "submit-anonymous", title: "Submit as " + m.ID + ", shown to receivers as anonymous", write: true})
	for _, c := range m.Communities {
		cs = append(cs, collection{id: "submit-community-" + c, title: "Submit as " + m.ID + " to community " + c, write: true})
	}
	for _, p := range m.Peers {
		cs = append(cs, collection{id: "submit-to-" + p, title: "Submit as " + m.ID + " to " + p + " only", write: true})
	}
	out := make([]map[string]any, len(cs))
	for i, c := range cs {
		out[i] = c.resource()
	}
	return out
}

// findCollection parses a collection id of member m.
func findCollection(m Member, id string) (collection, *apiError) {
	notFound := func() *apiError { // built only when needed: findCollection runs once per request
		return errorf(http.StatusNotFound, "not_found", "Not found", "member "+m.ID+" has no collection "+id+" (GET collections/ lists them)")
	}
	switch {
	case id == "inbox":
		return collection{id: id, title: "Inbox of " + m.ID, read: true}, nil
	case strings.HasPrefix(id, "community-"):
		name := strings.TrimPrefix(id, "community-")
		if !slices.Contains(m.Communities, name) {
			return collection{}, notFound()
		}
		return collection{id: id, title: "Community " + name, read: true, scope: "c." + name}, nil
	}
	rest, ok := strings.CutPrefix(id, "submit")
	if !ok {
		return collection{}, notFound()
	}
	c := collection{id: id, title: "Submit as " + m.ID, write: true}
	if r, ok := strings.CutPrefix(rest, "-anonymous"); ok {
		c.audience.Anonymous, rest = true, r
	}
	switch {
	case rest == "":
	case strings.HasPrefix(rest, "-community-"):
		// Policy checks that the member may address it, as for NATS.
		c.audience.Community = strings.TrimPrefix(rest, "-community-")
		if !nameRE.MatchString(c.audience.Community) {
			return collection{}, notFound()
		}
	case strings.HasPrefix(rest, "-to-"):
		c.audience.To = strings.Split(strings.TrimPrefix(rest, "-to-"), "+")
		for _, to := range c.audience.To {
			if !nameRE.MatchString(to) {
				return collection{}, notFound()
			}
		}
	default:
		return collection{}, notFound()
	}
	return c, nil
}

// nameRE is what a member or community id may be in a collection id:
// nothing that could smuggle a header line or a list separator into the
// submission's headers.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
