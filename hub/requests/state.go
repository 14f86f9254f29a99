package requests

import (
	"fmt"
	"time"
)

// Phase is where a request stands with one recipient.
type Phase string

// The phases. A request goes to each recipient separately, so each
// (request, recipient) pair has its own.
const (
	Open         Phase = "open"         // sent, not acknowledged yet
	Acknowledged Phase = "acknowledged" // the recipient acknowledged it (or asked for more time)
	Overdue      Phase = "overdue"      // not acknowledged in time (escalated), or past its deadline unanswered
	Answered     Phase = "answered"     // fulfilled, partially fulfilled or declined
	Closed       Phase = "closed"       // the requester closed it
)

// State is one request to one recipient, as the hub tracks it.
type State struct {
	Request    string `json:"request_id"`
	Kind       string `json:"kind"`
	Requester  string `json:"requester"`
	Recipient  string `json:"recipient"`
	Submission string `json:"submission_id"` // the submission that carried the request
	ShareSeq   uint64 `json:"share_seq"`     // its part for the recipient in GENEVA_SHARE (re-sent on escalation)
	TLP        string `json:"tlp"`
	Phase      Phase  `json:"state"`
	Status     string `json:"status,omitempty"` // the last response status
	Reason     string `json:"reason,omitempty"` // why it was declined

	Version          time.Time `json:"version"` // the request object's modified
	Opened           time.Time `json:"opened"`
	AckDue           time.Time `json:"ack_due"`
	Deadline         time.Time `json:"deadline"`
	RequestedByResp  time.Time `json:"extension_requested,omitzero"` // the deadline the recipient asked for
	PreservationDays int       `json:"preservation_days,omitempty"`
	PreservedUntil   time.Time `json:"preserved_until,omitzero"` // for a fulfilled preservation
	Acknowledged     time.Time `json:"acknowledged,omitzero"`
	Answered         time.Time `json:"answered,omitzero"`
	Escalated        time.Time `json:"escalated,omitzero"`
	Closed           time.Time `json:"closed,omitzero"`

	Transitions []Transition `json:"transitions"`
	// Detail is the request as last sent (its latest version), so its
	// parties can read it again and its requester can extend it.
	Detail Request `json:"detail"`
}

// Transition is one change of a State, as the audit chain records it.
type Transition struct {
	At    time.Time `json:"at"`
	From  Phase     `json:"from,omitempty"`
	To    Phase     `json:"to"`
	Event string    `json:"event"` // opened, acknowledged, extension-requested, fulfilled, ..., extended, escalated, deadline-passed, closed
	By    string    `json:"by"`    // the member, or "hub"
}

// Key is the state's key: the request and the recipient.
func Key(request, recipient string) string { return request + "." + recipient }

// Key is s's key.
func (s *State) Key() string { return Key(s.Request, s.Recipient) }

// Terminal reports whether nothing more can happen to s but closing.
func (s *State) Terminal() bool { return s.Phase == Closed }

// Sent is the state of a request just delivered to recipient.
func Sent(r Request, requester, recipient, submission string, seq uint64, level string, received time.Time, ackWithin time.Duration) State {
	s := State{Request: r.ID, Kind: r.Kind, Requester: requester, Recipient: recipient, Submission: submission,
		ShareSeq: seq, TLP: level, Phase: Open, Version: r.Version(), Opened: received, AckDue: received.Add(ackWithin),
		Deadline: r.Deadline, PreservationDays: r.PreservationDays, Detail: r}
	s.move(received, Open, "opened", requester)
	return s
}

func (s *State) move(at time.Time, to Phase, event, by string) {
	s.Transitions = append(s.Transitions, Transition{At: at, From: s.Phase, To: to, Event: event, By: by})
	if len(s.Transitions) == 1 {
		s.Transitions[0].From = ""
	}
	s.Phase = to
}

// Last is the latest transition.
func (s *State) Last() Transition { return s.Transitions[len(s.Transitions)-1] }

// Update applies a newer version of the request from its requester: a later
// deadline or a longer preservation (geneva request extend). It reports
// whether anything changed.
func (s *State) Update(r Request, at time.Time) bool {
	if !r.Version().After(s.Version) || s.Phase == Closed {
		return false
	}
	s.Version, s.Deadline, s.Detail = r.Version(), r.Deadline, r
	if r.PreservationDays > s.PreservationDays {
		if !s.PreservedUntil.IsZero() {
			s.PreservedUntil = s.PreservedUntil.AddDate(0, 0, r.PreservationDays-s.PreservationDays)
		}
		s.PreservationDays = r.PreservationDays
	}
	to := s.Phase
	if s.Phase == Overdue && !s.Acknowledged.IsZero() && s.Deadline.After(at) {
		to = Acknowledged // the new deadline is ahead again
	}
	s.move(at, to, "extended", s.Requester)
	return true
}

// Respond applies a response from the recipient. It reports whether
// anything changed; a response that changes nothing (a repeat) is no error.
func (s *State) Respond(r Response, by string, at time.Time) (bool, error) {
	if by != s.Recipient {
		return false, fmt.Errorf("request %s: %q is not its recipient", s.Request, by)
	}
	if s.Phase == Closed || s.Phase == Answered {
		return false, nil
	}
	switch r.Status {
	case StatusAcknowledged, StatusExtensionRequested:
		if s.Acknowledged.IsZero() {
			s.Acknowledged = at
		}
		if r.Status == StatusExtensionRequested {
			if r.RequestedDeadline.Equal(s.RequestedByResp) {
				return false, nil
			}
			s.RequestedByResp = r.RequestedDeadline
		} else if s.Phase == Acknowledged {
			return false, nil
		}
		to := Acknowledged
		if s.Deadline.Before(at) {
			to = Overdue
		}
		s.Status = r.Status
		s.move(at, to, r.Status, by)
	case StatusFulfilled, StatusPartiallyFulfilled, StatusDeclined:
		if s.Acknowledged.IsZero() {
			s.Acknowledged = at // an answer acknowledges too
		}
		s.Status, s.Reason, s.Answered = r.Status, r.Reason, at
		if s.Kind == "preservation" && r.Status != StatusDeclined {
			s.PreservedUntil = r.PreservedUntil
			if s.PreservedUntil.IsZero() {
				s.PreservedUntil = at.AddDate(0, 0, max(s.PreservationDays, 60))
			}
		}
		s.move(at, Answered, r.Status, by)
	default:
		return false, fmt.Errorf("request %s: unknown response status %q", s.Request, r.Status)
	}
	return true, nil
}

// Close is the requester closing the request.
func (s *State) Close(by string, at time.Time) (bool, error) {
	if by != s.Requester {
		return false, fmt.Errorf("request %s: only its requester %q may close it", s.Request, s.Requester)
	}
	if s.Phase == Closed {
		return false, nil
	}
	s.Closed = at
	s.move(at, Closed, "closed", by)
	return true, nil
}

// Tick moves s on at now: an open request past its acknowledgement time is
// overdue and must be escalated (escalate true, once); an acknowledged one
// past its deadline is overdue. It reports whether anything changed.
func (s *State) Tick(now time.Time) (changed, escalate bool) {
	switch {
	case s.Phase == Open && !now.Before(s.AckDue):
		s.Escalated = now
		s.move(now, Overdue, "escalated", "hub")
		return true, true
	case s.Phase == Acknowledged && !s.Deadline.IsZero() && !now.Before(s.Deadline):
		s.move(now, Overdue, "deadline-passed", "hub")
		return true, false
	}
	return false, false
}

// Next is when Tick next has something to do (zero: never).
func (s *State) Next() time.Time {
	switch s.Phase {
	case Open:
		return s.AckDue
	case Acknowledged:
		return s.Deadline
	}
	return time.Time{}
}
