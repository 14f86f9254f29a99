// Package explain tells a person, in plain text, what a policy decision
// does with a submission: what goes to whom, what is refused and why. It
// is the text of `geneva policy explain` and of the portal's preview.
package explain

import (
	"fmt"
	"io"
	"strings"

	"github.com/genevahub/geneva/policy"
)

// Write tells a person what goes to whom, what was refused and why.
func Write(w io.Writer, d *policy.Decision, mou *policy.MoU) {
	fmt.Fprintf(w, "verdict: %s (%s)\n", strings.ToUpper(d.Verdict.String()), VerdictMeaning(d.Verdict))
	fmt.Fprintf(w, "policy:  %s, version %s\n", mou.Partnership.Name, d.PolicyVersion)
	fmt.Fprintf(w, "sender:  %s", d.Sender)
	if d.Anonymous {
		fmt.Fprint(w, " (shown to recipients as anonymous)")
	}
	fmt.Fprintf(w, "\ndigest:  sha256:%s\n", d.Digest)
	if d.Classified {
		fmt.Fprintln(w, "\nCLASSIFIED MATERIAL: the whole submission is refused and its content must be erased.")
	}
	if len(d.Reasons) > 0 {
		fmt.Fprintln(w, "\nabout the whole submission:")
		for _, r := range d.Reasons {
			WriteReason(w, "  ", r)
		}
	}
	if len(d.Routes) > 0 {
		if d.Verdict == policy.Review {
			fmt.Fprintln(w, "\nwould be shared once a person at the hub approves it:")
		} else {
			fmt.Fprintln(w, "\nshared:")
		}
		for _, r := range d.Routes {
			archive := "archived"
			if !r.Archive {
				archive = "never archived"
			}
			fmt.Fprintf(w, "  %s to %s, %s:\n", r.TLP.Label(), ScopeText(r), archive)
			for _, i := range r.Objects {
				o := d.Objects[i]
				fmt.Fprintf(w, "    %s\n", o.ID)
			}
		}
	}
	writeRefused(w, d)
	var notes []string
	for _, o := range d.Objects {
		for _, r := range o.Reasons {
			if info, _ := policy.Describe(r.Code); o.Shared && info.Rejects == "" && r.Code != policy.CodeSupporting {
				notes = append(notes, fmt.Sprintf("%s: %s (%s)", r.Code, r.Message, o.ID))
			}
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nnotes:")
		for _, n := range notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
}

// writeRefused lists the objects not shared, with their reasons. Objects
// refused only because the whole submission was, and supporting objects
// that were simply not sent, are counted rather than listed.
func writeRefused(w io.Writer, d *policy.Decision) {
	var listed []policy.ObjectDecision
	blocked, unsent := 0, 0
	for _, o := range d.Objects {
		if o.Shared {
			continue
		}
		switch {
		case OnlyCodes(o.Reasons, policy.CodeSubmissionBlocked) && (len(d.Reasons) > 0 || o.Type == "marking-definition"):
			blocked++
		case o.Type == "marking-definition" && OnlyCodes(o.Reasons, policy.CodeSupportingUnreferenced):
			unsent++
		default:
			listed = append(listed, o)
		}
	}
	if len(listed) == 0 && blocked == 0 {
		return
	}
	fmt.Fprintln(w, "\nnot shared:")
	for _, o := range listed {
		fmt.Fprintf(w, "  %s\n", o.ID)
		for _, r := range o.Reasons {
			WriteReason(w, "    ", r)
		}
	}
	if blocked > 0 {
		what := "the whole submission was rejected (see above)"
		if len(d.Reasons) == 0 {
			what = "nothing that references them is shared"
		}
		more := "more "
		if len(listed) == 0 {
			more = ""
		}
		fmt.Fprintf(w, "  %d %sobject(s): %s\n", blocked, more, what)
	}
	if unsent > 0 {
		fmt.Fprintf(w, "  %d marking definition(s) nothing shared references, so not sent\n", unsent)
	}
}

// OnlyCodes: rs is not empty and every reason has code c.
func OnlyCodes(rs []policy.Reason, c policy.Code) bool {
	for _, r := range rs {
		if r.Code != c {
			return false
		}
	}
	return len(rs) > 0
}

// WriteReason writes one reason on a line: code, message, where.
func WriteReason(w io.Writer, indent string, r policy.Reason) {
	fmt.Fprintf(w, "%s%s: %s", indent, r.Code, r.Message)
	if r.Pointer != "" {
		fmt.Fprintf(w, " (at %s)", r.Pointer)
	}
	fmt.Fprintln(w)
}

// VerdictMeaning says in a few words what a verdict does.
func VerdictMeaning(v policy.Verdict) string {
	switch v {
	case policy.Accept:
		return "every object is shared"
	case policy.Partial:
		return "some objects are shared, the others refused"
	case policy.Review:
		return "held for review by a person at the hub"
	}
	return "nothing is shared"
}

// ScopeText names who a route goes to.
func ScopeText(r policy.Route) string {
	members := strings.Join(r.Audience, ", ")
	switch {
	case r.Scope == "all":
		return "every member but the sender (" + members + ")"
	case strings.HasPrefix(r.Scope, "c."):
		return "community " + strings.TrimPrefix(r.Scope, "c.") + " (" + members + ")"
	}
	return members
}
